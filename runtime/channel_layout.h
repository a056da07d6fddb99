// The layout of a channel segment (see runtime/channel.h), private to
// runtime/channel*.cc and their tests: a header, then the ring.
//
// Positions only grow; the ring offset is position % capacity. A record is
// a u32 length of what follows, u32 field count, u32 arena bytes, then the
// batch's fields and arena as they are (fields refer to the arena by
// offset). A record never wraps: where the rest of the ring is too short,
// the producer writes kWrap (when 4 bytes fit) and starts at offset 0.
// std::atomic of 32 and 64 bits is lock-free here, so it works across
// processes. Everything in it is read as untrusted.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/channel.h"

namespace smc::rt::channel_layout {

inline constexpr uint64_t kMagic = 0x324e414843434d53ULL;  // "SMCCHAN2" read as bytes
inline constexpr uint64_t kRingBytes = 8u << 20;
inline constexpr uint64_t kMaxRecordBytes = 2u << 20;  // bigger batches are split (a quarter of the ring)
inline constexpr uint32_t kWrap = 0xffffffffu;         // "continue at the start of the ring"
inline constexpr uint32_t kRecordHeadBytes = 12;

/// The states of a side.
inline constexpr uint32_t kNone = 0;      // never attached
inline constexpr uint32_t kAttached = 1;  // attached (alive if its process is)
inline constexpr uint32_t kDeparted = 2;  // left (the other flags say whether at the end)

/// One side's identity: which process, started when (against pid reuse).
struct Slot {
  std::atomic<uint32_t> state{0};
  std::atomic<int32_t> pid{0};
  std::atomic<uint64_t> start{0};
};

}  // namespace smc::rt::channel_layout

namespace smc::rt {

struct Channel::Header {
  std::atomic<uint64_t> magic{0};  // written last, when the rest is set up
  uint64_t capacity = 0;           // bytes in the ring
  uint64_t run_id = 0;             // random, per segment: this pairing's identity
  std::atomic<uint64_t> head{0};   // bytes written
  std::atomic<uint64_t> tail{0};   // bytes read
  channel_layout::Slot producer;
  channel_layout::Slot consumer;
  std::atomic<uint32_t> finished{0};        // the producer marked the end of the stream
  std::atomic<uint32_t> consumer_ended{0};  // the consumer read that mark
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(std::atomic<uint32_t>::is_always_lock_free);

}  // namespace smc::rt

namespace smc::rt::channel_layout {
using Header = Channel::Header;
}  // namespace smc::rt::channel_layout
