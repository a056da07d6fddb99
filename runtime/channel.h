// Channels: bounded shared-memory queues that join topologies running in
// different processes (the `channel(NAME)` sink and spout).
//
// One Boost.Interprocess segment per user and channel name
// (/dev/shm/smc-UID-NAME, mode 0600)
// holds a single-producer, single-consumer ring of records. Either side may
// start first. The producer waits while the ring is full (backpressure
// across processes) and marks the end of the stream when it finishes; the
// consumer removes the segment once it has read that mark. Each side records
// its pid, so the other notices a peer that died instead of waiting forever;
// the survivor, or the next smc command (CleanupStaleChannels), removes the
// segment of a dead pair. Not thread-safe: one thread per side.
#pragma once

#include <atomic>
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
  /// Attaches to channel `name`, creating it if needed; null and `error` set
  /// when it cannot (another producer or consumer is attached and alive, ...).
  static std::unique_ptr<Channel> Open(const std::string& name, Role role, std::string* error);
  ~Channel();

  const std::string& name() const { return name_; }
  /// The segment's name in /dev/shm.
  static std::string SegmentName(const std::string& name);

  // ---- producer ----
  enum class WriteResult { kOk, kStopped, kPeerDied };
  /// Appends a batch, waiting while the ring is full; gives up when `stop`
  /// becomes true or the consumer dies.
  WriteResult Write(const Batch& batch, const std::atomic<bool>& stop);
  /// Marks the end of the stream.
  void Finish();

  // ---- consumer ----
  enum class ReadResult { kBatch, kEmpty, kEnd, kPeerDied };
  /// Takes the next batch if there is one (`width` must match).
  ReadResult Read(Batch* batch);
  /// The pid of the producer that died (after kPeerDied), or of the consumer.
  int peer_pid() const { return peer_pid_; }

 private:
  friend int CleanupStaleChannels();
  struct Header;
  Channel() = default;
  bool PeerAlive(bool producer_side);

  std::string name_;
  std::string segment_;
  Role role_ = Role::kProducer;
  std::unique_ptr<boost::interprocess::shared_memory_object> shm_;
  std::unique_ptr<boost::interprocess::mapped_region> region_;
  Header* header_ = nullptr;
  unsigned char* ring_ = nullptr;
  bool finished_ = false;
  bool ended_ = false;
  int peer_pid_ = 0;
  std::string scratch_;
  std::vector<Field> read_fields_;
};

/// Removes this user's channel segments whose processes have all gone.
/// Returns how many were removed.
int CleanupStaleChannels();

}  // namespace smc::rt
