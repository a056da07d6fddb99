// libFuzzer entry point: the input bytes are a channel segment as another
// process (or another user, or a bug) may have left it: the header
// (runtime/channel_layout.h) and the ring after it, both untrusted. The
// segment is attached as a consumer (and read until it ends or fails) and
// then as a producer (one small batch written, giving up at once when the
// ring is full).
//
// Anything ASan/UBSan/libFuzzer reports (crash, leak, UB, timeout) is a bug:
// every input must end in batches read, kEmpty/kEnd/kPeerGone, or a
// std::runtime_error naming what is corrupt; never in undefined behaviour.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/channel.h"
#include "runtime/tuple.h"

namespace {

volatile size_t g_sink = 0;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the spout's width (1 to 4); the rest is the segment.
  const int width = 1 + data[0] % 4;
  ++data;
  --size;
  std::vector<uint64_t> words(size / 8 + 1);  // 8-byte aligned, as a mapping is
  if (size) std::memcpy(words.data(), data, size);
  std::string error;
  if (auto ch = smc::rt::Channel::Attach(words.data(), size, smc::rt::Channel::Role::kConsumer, &error)) {
    smc::rt::Batch batch(width);
    try {
      for (int i = 0; i < 64; ++i) {
        smc::rt::Channel::ReadResult r = ch->Read(&batch);
        if (r != smc::rt::Channel::ReadResult::kBatch) break;
        for (size_t t = 0; t < batch.size(); ++t) {
          for (int f = 0; f < width; ++f) g_sink = g_sink + batch.GetStr(t, f).size() + batch.Get(t, f).i;
        }
      }
    } catch (const std::runtime_error& e) {
      g_sink = g_sink + std::strlen(e.what());
    }
  }
  g_sink = g_sink + error.size();
  if (size) std::memcpy(words.data(), data, size);
  if (auto ch = smc::rt::Channel::Attach(words.data(), size, smc::rt::Channel::Role::kProducer, &error)) {
    smc::rt::Batch batch(width);
    std::vector<smc::rt::Datum> row(width);
    for (int f = 0; f < width; ++f) {
      row[f].type = smc::rt::Type::kString;
      row[f].s = "fuzz";
    }
    for (int t = 0; t < 3; ++t) batch.Append(row.data());
    const std::atomic<bool> stop{true};  // a full ring: give up at once
    try {
      g_sink = g_sink + static_cast<int>(ch->Write(batch, stop));
    } catch (const std::runtime_error& e) {
      g_sink = g_sink + std::strlen(e.what());
    }
  }
  return 0;
}
