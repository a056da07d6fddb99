// Channels: bounded shared-memory queues that join topologies running in
// different processes (the `channel(NAME)` sink and spout).
//
// One Boost.Interprocess segment per user and channel name
// (/dev/shm/smc-UID-NAME, owned by the user, mode 0600) holds a
// single-producer, single-consumer ring of records. Either side may start
// first. The producer waits while the ring is full (backpressure across
// processes), marks the end of the stream when it finishes and, when a
// consumer is attached, waits until it has read everything; the consumer
// removes the segment once it has read that mark.
//
// Identity: a segment belongs to one run of each side. Each side records its
// pid and start time in the segment when it attaches and that it left (with
// or without reaching the end of the stream) when it departs, so:
//  - a side notices within a second when its peer died or left before the
//    end of the stream (the consumer once it has read what is there);
//  - a new run never reads an earlier run's data: a segment whose consumer
//    (or an unfinished producer) has gone is abandoned, and the next side to
//    open the name replaces it with a fresh one. The only thing that outlives
//    its producer is a finished stream that no consumer has opened yet;
//  - the survivor of a pair, or the next smc command (CleanupStaleChannels),
//    removes an abandoned segment.
// A segment appears under its name only once fully set up (it is made under a
// temporary name and linked into place), and every change of who is attached
// happens under an flock of the segment, so a clean-up running in another
// process never takes a segment being set up for a stale one.
//
// Untrusted: the segment is opened only when it is a regular file owned by
// this user with mode 0600, and of the exact size smc makes; every header
// field and record read from it is checked (a corrupt segment is an error of
// that channel, thrown as std::runtime_error, never a signal).
//
// Not thread-safe: one thread per side.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/tuple.h"

namespace boost::interprocess {
class shared_memory_object;
class mapped_region;
}  // namespace boost::interprocess

namespace smc::rt {

class Channel {
 public:
  enum class Role { kProducer, kConsumer };
  /// Why Open failed.
  enum class OpenError {
    kNone,
    kBusy,     // another producer or consumer is attached and alive
    kUnsafe,   // the segment is not this user's (owner, mode, type): an I/O error
    kCorrupt,  // the segment is not a channel smc made
    kSystem,   // the operating system refused
  };
  /// Attaches to channel `name`, creating it if needed (or replacing an
  /// abandoned one); null with `error` (naming the segment) and `why` set
  /// when it cannot.
  static std::unique_ptr<Channel> Open(const std::string& name, Role role, std::string* error,
                                       OpenError* why = nullptr);
  /// Attaches to a segment image in memory (`size` bytes at `base`, which
  /// must outlive the channel and be 8-byte aligned) as `role`, validating
  /// its header as Open does; for tests and fuzzing (nothing is locked,
  /// claimed or removed).
  static std::unique_ptr<Channel> Attach(void* base, size_t size, Role role, std::string* error);
  ~Channel();

  const std::string& name() const { return name_; }
  /// The segment's name in /dev/shm.
  static std::string SegmentName(const std::string& name);
  /// The size of the segments smc makes (header and ring).
  static size_t SegmentBytes();
  /// Largest record the producer writes; bigger batches are split.
  static size_t MaxRecordBytes();

  // ---- producer ----
  enum class WriteResult { kOk, kStopped, kPeerGone };
  /// Appends a batch (split into records that fit the ring), waiting while
  /// the ring is full; gives up when `stop` becomes true or the consumer
  /// died or left. Throws std::runtime_error for a tuple too large for the
  /// ring or a corrupt segment.
  WriteResult Write(const Batch& batch, const std::atomic<bool>& stop);
  /// Marks the end of the stream.
  void Finish();
  /// After Finish: waits until an attached consumer has read everything
  /// (at once when none has attached yet). kPeerGone when it died or left.
  WriteResult Drain(const std::atomic<bool>& stop);
  /// kPeerGone when the consumer died or left before the end of the stream
  /// (checks the process at most every 50 ms); for an idle producer.
  WriteResult CheckPeer();

  // ---- consumer ----
  enum class ReadResult { kBatch, kEmpty, kEnd, kPeerGone };
  /// Takes the next batch if there is one (`width` must match). Throws
  /// std::runtime_error for a corrupt record or another width.
  ReadResult Read(Batch* batch);

  /// The pid of the peer that went (after kPeerGone).
  int peer_pid() const { return peer_pid_; }
  /// What became of it: "died", or "stopped" (left before the end).
  const char* peer_fate() const { return peer_fate_; }

  struct Header;

 private:
  friend int CleanupStaleChannels();

  /// Removes the segments of channels `names` that no live process holds, even
  /// a finished stream no consumer has read: for a run whose topologies were
  /// both ends of these channels and have all ended (runtime/supervisor.cc), so
  /// no consumer of theirs will come. Returns how many were removed.
  int RemoveUnheldChannels(const std::vector<std::string>& names);
  Channel() = default;
  bool Validate(size_t size, std::string* error);
  bool PeerGone(bool force_check);
  WriteResult WriteRecord(const std::string& rec, const std::atomic<bool>& stop);
  void Depart();
  [[noreturn]] void Corrupt(const std::string& what) const;

  std::string name_;
  std::string segment_;
  Role role_ = Role::kProducer;
  std::unique_ptr<boost::interprocess::shared_memory_object> shm_;
  std::unique_ptr<boost::interprocess::mapped_region> region_;
  int fd_ = -1;  // shm_'s, for flock and fstat
  Header* header_ = nullptr;
  unsigned char* ring_ = nullptr;
  uint64_t cap_ = 0;
  uint64_t pos_ = 0;  // our own position: head for the producer, tail for the consumer
  bool finished_ = false;
  bool ended_ = false;
  int peer_pid_ = 0;
  const char* peer_fate_ = "died";
  std::chrono::steady_clock::time_point next_alive_check_{};
  std::string scratch_;
  std::string record_;
  std::vector<Field> read_fields_;
};

/// Removes this user's channel segments that no live process holds and no
/// future consumer can read (see above). Returns how many were removed.
int CleanupStaleChannels();

/// Removes the segments of channels `names` that no live process holds, even
/// a finished stream no consumer has read: for a run whose topologies were
/// both ends of these channels and have all ended (runtime/supervisor.cc), so
/// no consumer of theirs will come. Returns how many were removed.
int RemoveUnheldChannels(const std::vector<std::string>& names);

}  // namespace smc::rt
