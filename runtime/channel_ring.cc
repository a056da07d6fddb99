// Channel records: the producer's writes (split to fit the ring) and the
// consumer's reads, which check every length, count and offset they take
// from shared memory. Segments themselves are in channel.cc.
#include <cstring>
#include <stdexcept>
#include <thread>

#include "runtime/channel.h"
#include "runtime/channel_layout.h"
#include "runtime/json_read.h"

namespace smc::rt {

using namespace channel_layout;

size_t Channel::MaxRecordBytes() {
  return kMaxRecordBytes;
}

namespace {

// Appends the record of tuples [first, last) of `b` to `rec`. Strings are
// re-based onto the record's own arena when only part of the batch goes.
void EncodeRecord(const Batch& b, size_t first, size_t last, std::string* rec) {
  const std::vector<Field>& all = b.raw_fields();
  const std::string& arena = b.raw_arena();
  const size_t w = static_cast<size_t>(b.width());
  const size_t n = (last - first) * w;
  const bool whole = first == 0 && last == b.size();
  size_t arena_bytes = arena.size();
  if (!whole) {
    arena_bytes = 0;
    for (size_t i = first * w; i < last * w; ++i) {
      if (all[i].type == Type::kString) arena_bytes += all[i].len;
    }
  }
  const size_t body = 8 + n * sizeof(Field) + arena_bytes;
  rec->resize(4 + body);
  uint32_t words[3] = {static_cast<uint32_t>(body), static_cast<uint32_t>(n), static_cast<uint32_t>(arena_bytes)};
  char* p = rec->data();
  std::memcpy(p, words, kRecordHeadBytes);
  char* fields_at = p + kRecordHeadBytes;
  char* arena_at = fields_at + n * sizeof(Field);
  if (whole) {
    if (n) std::memcpy(fields_at, all.data(), n * sizeof(Field));
    if (!arena.empty()) std::memcpy(arena_at, arena.data(), arena.size());
    return;
  }
  uint64_t used = 0;
  for (size_t i = 0; i < n; ++i) {
    Field f = all[first * w + i];
    if (f.type == Type::kString) {
      std::memcpy(arena_at + used, arena.data() + f.off, f.len);
      f.off = used;
      used += f.len;
    }
    std::memcpy(fields_at + i * sizeof(Field), &f, sizeof(Field));
  }
}

// The bytes tuple `t` adds to a record.
size_t TupleBytes(const Batch& b, size_t t) {
  const std::vector<Field>& all = b.raw_fields();
  size_t bytes = static_cast<size_t>(b.width()) * sizeof(Field);
  for (int k = 0; k < b.width(); ++k) {
    const Field& f = all[t * b.width() + k];
    if (f.type == Type::kString) bytes += f.len;
  }
  return bytes;
}

}  // namespace

Channel::WriteResult Channel::Write(const Batch& batch, const std::atomic<bool>& stop) {
  if (PeerGone(false)) return WriteResult::kPeerGone;
  const size_t limit = std::min<uint64_t>(kMaxRecordBytes, cap_ - 4) - kRecordHeadBytes;
  if (batch.bytes() <= limit || batch.width() == 0) {
    EncodeRecord(batch, 0, batch.size(), &scratch_);
    if (scratch_.size() > cap_ - 4) {
      throw std::runtime_error("channel '" + name_ + "': a batch of " + std::to_string(scratch_.size()) +
                               " bytes does not fit its ring of " + std::to_string(cap_) + " bytes");
    }
    return WriteRecord(scratch_, stop);
  }
  // Too big for one record: as many tuples per record as fit.
  size_t first = 0;
  while (first < batch.size()) {
    size_t last = first, bytes = 0;
    while (last < batch.size()) {
      size_t t = TupleBytes(batch, last);
      if (last > first && bytes + t > limit) break;
      bytes += t;
      ++last;
    }
    if (bytes > cap_ - 4 - kRecordHeadBytes) {
      throw std::runtime_error("channel '" + name_ + "': a tuple of " + std::to_string(bytes) +
                               " bytes does not fit its ring of " + std::to_string(cap_) + " bytes");
    }
    EncodeRecord(batch, first, last, &scratch_);
    WriteResult r = WriteRecord(scratch_, stop);
    if (r != WriteResult::kOk) return r;
    first = last;
  }
  return WriteResult::kOk;
}

Channel::WriteResult Channel::WriteRecord(const std::string& rec, const std::atomic<bool>& stop) {
  int64_t wait_us = 20;
  while (true) {
    uint64_t head = pos_;
    uint64_t tail = header_->tail.load(std::memory_order_acquire);
    if (tail > head || head - tail > cap_) Corrupt("its read position is past its write position");
    uint64_t off = head % cap_;
    uint64_t need = rec.size();
    uint64_t skip = off + need > cap_ ? cap_ - off : 0;  // wrap: the record starts at 0
    if (head + skip + need - tail <= cap_) {
      if (skip) {
        if (skip >= 4) std::memcpy(ring_ + off, &kWrap, 4);
        head += skip;
        off = 0;
      }
      std::memcpy(ring_ + off, rec.data(), need);
      pos_ = head + need;
      header_->head.store(pos_, std::memory_order_release);
      return WriteResult::kOk;
    }
    if (stop.load()) return WriteResult::kStopped;
    if (PeerGone(false)) return WriteResult::kPeerGone;
    std::this_thread::sleep_for(std::chrono::microseconds(wait_us));
    wait_us = std::min<int64_t>(wait_us * 2, 2000);
  }
}

void Channel::Finish() {
  finished_ = true;
  header_->finished.store(1, std::memory_order_release);
}

Channel::WriteResult Channel::Drain(const std::atomic<bool>& stop) {
  int64_t wait_us = 100;
  while (true) {
    if (header_->consumer_state.load() == kNone) return WriteResult::kOk;  // none yet: the stream waits for one
    if (header_->consumer_ended.load() || header_->tail.load(std::memory_order_acquire) == pos_) {
      return WriteResult::kOk;
    }
    if (PeerGone(false)) return WriteResult::kPeerGone;
    if (stop.load()) return WriteResult::kStopped;
    std::this_thread::sleep_for(std::chrono::microseconds(wait_us));
    wait_us = std::min<int64_t>(wait_us * 2, 10000);
  }
}

Channel::WriteResult Channel::CheckPeer() {
  return PeerGone(false) ? WriteResult::kPeerGone : WriteResult::kOk;
}

Channel::ReadResult Channel::Read(Batch* batch) {
  uint64_t tail = pos_;
  uint64_t head = header_->head.load(std::memory_order_acquire);
  if (head < tail || head - tail > cap_) Corrupt("its write position is behind its read position or too far ahead");
  if (tail == head) {
    if (header_->finished.load(std::memory_order_acquire) && header_->head.load(std::memory_order_acquire) == tail) {
      ended_ = true;
      header_->consumer_ended.store(1, std::memory_order_release);
      return ReadResult::kEnd;
    }
    if (!PeerGone(false)) return ReadResult::kEmpty;
    // Gone: but first read what it wrote before it went.
    return header_->head.load(std::memory_order_acquire) == tail ? ReadResult::kPeerGone : ReadResult::kEmpty;
  }
  uint64_t avail = head - tail;
  uint64_t off = tail % cap_;
  uint64_t skip = 0;
  uint32_t len = 0;
  if (cap_ - off < 4) {
    skip = cap_ - off;  // too little room left for a length: the writer wrapped
  } else {
    std::memcpy(&len, ring_ + off, 4);
    if (len == kWrap) skip = cap_ - off;
  }
  if (skip) {
    if (skip >= avail) Corrupt("a wrap mark with no record after it");
    tail += skip;
    avail -= skip;
    off = 0;
  }
  if (avail < 4) Corrupt("a record shorter than its length");
  std::memcpy(&len, ring_ + off, 4);
  const uint64_t need = 4 + static_cast<uint64_t>(len);
  if (len < 8 || need > avail || off + need > cap_) {
    Corrupt("a record length (" + std::to_string(len) + ") past the data written");
  }
  // Copied out first: what is checked is what is used, whatever the other side writes meanwhile.
  record_.assign(reinterpret_cast<const char*>(ring_ + off + 4), len);
  uint32_t counts[2];
  std::memcpy(counts, record_.data(), 8);
  const uint64_t fields_bytes = static_cast<uint64_t>(counts[0]) * sizeof(Field);
  if (8 + fields_bytes + counts[1] != len) {
    Corrupt("a record whose counts (" + std::to_string(counts[0]) + " fields, " + std::to_string(counts[1]) +
            " bytes) do not add up to its length (" + std::to_string(len) + ")");
  }
  if (batch->width() == 0 || counts[0] % batch->width() != 0) {
    throw std::runtime_error("channel '" + name_ + "' carries tuples of another width than this spout declares");
  }
  std::vector<Field>& fields = read_fields_;
  fields.resize(counts[0]);
  if (counts[0]) std::memcpy(static_cast<void*>(fields.data()), record_.data() + 8, fields_bytes);
  const uint64_t arena_len = counts[1];
  for (Field& f : fields) {
    const auto type = static_cast<uint8_t>(f.type);
    if (type > static_cast<uint8_t>(Type::kString)) Corrupt("a field of unknown type " + std::to_string(type));
    if (f.type == Type::kString && (f.off > arena_len || f.len > arena_len - f.off)) {
      Corrupt("a string outside its record");
    }
    if (f.type == Type::kBool) f.i = f.i != 0;
    // A list or a map must be JSON text: encoders write it unquoted.
    f.json = f.type == Type::kString && f.json != 0 &&
             IsJsonContainer(std::string_view(record_.data() + 8 + fields_bytes + f.off, f.len));
  }
  batch->AssignRaw(fields.data(), fields.size(), record_.data() + 8 + fields_bytes, counts[1]);
  pos_ = tail + need;
  header_->tail.store(pos_, std::memory_order_release);
  return ReadResult::kBatch;
}

}  // namespace smc::rt
