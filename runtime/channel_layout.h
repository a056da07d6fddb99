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

}  // namespace smc::rt::channel_layout

namespace smc::rt {

// The pids, start times and end mark sit where smc kept them before sides
// had states (magic "SMCCHAN1"), so that an older smc's clean-up running for
// the same user sees the live sides and leaves the segment alone.
struct Channel::Header {
  std::atomic<uint64_t> magic{0};  // written last, when the rest is set up
  uint64_t capacity = 0;           // bytes in the ring
  std::atomic<uint64_t> head{0};   // bytes written
  std::atomic<uint64_t> tail{0};   // bytes read
  std::atomic<int32_t> producer_pid{0};
  std::atomic<int32_t> consumer_pid{0};
  std::atomic<uint64_t> producer_start{0};  // the process's start time (against pid reuse)
  std::atomic<uint64_t> consumer_start{0};
  std::atomic<uint32_t> finished{0};        // the producer marked the end of the stream
  std::atomic<uint32_t> consumer_ended{0};  // the consumer read that mark
  std::atomic<uint32_t> producer_state{0};  // kNone, kAttached, kDeparted
  std::atomic<uint32_t> consumer_state{0};
  uint64_t run_id = 0;  // random, per segment: this pairing's identity
};
static_assert(sizeof(Channel::Header) == 80);
static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(std::atomic<uint32_t>::is_always_lock_free);

}  // namespace smc::rt

namespace smc::rt::channel_layout {
using Header = Channel::Header;

/// One side's identity in a header: which process, started when, and its state.
struct Slot {
  std::atomic<uint32_t>& state;
  std::atomic<int32_t>& pid;
  std::atomic<uint64_t>& start;
};
inline Slot ProducerSlot(Header& h) {
  return {h.producer_state, h.producer_pid, h.producer_start};
}
inline Slot ConsumerSlot(Header& h) {
  return {h.consumer_state, h.consumer_pid, h.consumer_start};
}
}  // namespace smc::rt::channel_layout
