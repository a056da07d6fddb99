// The acker: Storm's XOR tracking of tuple trees, in process.
//
// A spout tuple with a message id starts a tree with a random 64-bit root id.
// Every delivery of a tracked tuple to a target instance gets a random edge
// id; the edge is XORed into the tree once when the tuple is emitted (by the
// emitter's update) and once when it is acked (by the consumer's update). A
// tree whose value returns to 0 is complete: every tuple in it was acked.
// Updates for one Execute travel together (Apply), so a child's edge always
// enters the tree in the same update that acks its parent, and the value is
// never 0 early. The tree's value starts at its root id, which the spout's
// own update XORs out: it cannot complete before the spout has emitted it
// everywhere.
//
// Trees are sharded by root so that threads updating different trees rarely
// meet on a lock. A tree that is neither complete nor failed after the
// message timeout fails (rotating buckets, as Storm's RotatingMap, swept by
// the clock thread). A parked tree (held in an aggregating bolt's state until
// it emits) neither times out nor counts as pending for its spout.
//
// Completions and failures are queued on the owning spout's SpoutAcks and
// handed to the spout on its own thread. Thread-safe throughout.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/clock.h"
#include "runtime/flat_map64.h"

namespace smc::rt {

/// What one spout instance hears about its trees: completions and failures,
/// queued by any thread and taken by the spout's own thread.
class SpoutAcks {
 public:
  enum Kind : uint8_t {
    kAcked,         // complete
    kFailed,        // failed or timed out: replay it
    kParked,        // held in an aggregator's state: no longer pending, never replayed
    kFailedParked,  // a parked tree failed (in another branch): it cannot be replayed
  };
  struct Done {
    uint64_t msg;
    Kind kind;
  };
  void Push(uint64_t msg, Kind kind) {
    std::lock_guard<std::mutex> lock(mu_);
    done_.push_back({msg, kind});
  }
  /// Moves everything queued to `out` (cleared first).
  void Take(std::vector<Done>* out) {
    out->clear();
    std::lock_guard<std::mutex> lock(mu_);
    out->swap(done_);
  }
  /// Trees started and neither complete, failed nor parked.
  int pending() const { return pending_.load(std::memory_order_acquire); }
  /// Counts one more pending tree, for Acker::StartMany.
  void AddPending() { pending_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  friend class Acker;
  std::atomic<int> pending_{0};
  std::mutex mu_;
  std::vector<Done> done_;
};

/// A tree to start: its root and its spout's message.
struct TreeStart {
  uint64_t root;
  SpoutAcks* owner;
  uint64_t msg;
};

/// One XOR into one tree.
struct AckUpdate {
  uint64_t root;
  uint64_t value;
};

class Acker {
 public:
  /// Trees not complete between `timeout_ns` and 1.5 x `timeout_ns` after
  /// they started fail; `time` is read by Start and Sweep.
  Acker(const TimeSource& time, int64_t timeout_ns);
  ~Acker();

  /// A fresh random id, never 0 (a per-thread generator).
  static uint64_t NewId();

  /// Starts tree `root` for message `msg` of `owner` (counted as pending).
  void Start(uint64_t root, SpoutAcks* owner, uint64_t msg);
  /// Starts several trees, one lock per shard touched; each owner counted
  /// its tree already (SpoutAcks::AddPending, when the spout emitted it).
  /// Reorders `starts`. A tree must start before any update of it arrives.
  void StartMany(std::vector<TreeStart>* starts);
  /// XORs each update into its tree; a tree that reaches 0 completes and its
  /// owner hears `msg` acked. Updates of unknown trees (complete or failed
  /// already) are ignored. Reorders `updates`; one lock per shard touched.
  void Apply(std::vector<AckUpdate>* updates);
  /// Fails trees now (a bolt failed a tuple of each): their owners hear
  /// their messages failed, once per tree.
  void Fail(const uint64_t* roots, size_t n);
  /// Parks trees: from now on they neither time out nor count as pending,
  /// and their spouts may forget them (they are never replayed: a replay
  /// would count twice in the aggregator that holds them).
  void Park(const uint64_t* roots, size_t n);
  /// Fails the trees whose time is up; cheap when no rotation is due.
  void Sweep();

  /// Trees neither complete nor failed (parked ones included).
  size_t InFlight() const;
  /// Trees completed, failed (explicitly) and timed out so far.
  uint64_t completed() const { return completed_.load(std::memory_order_relaxed); }
  uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }
  uint64_t timed_out() const { return timed_out_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    uint64_t value = 0;
    SpoutAcks* owner = nullptr;
    uint64_t msg = 0;
    uint64_t gen = 0;
    bool parked = false;
  };
  static constexpr int kShardBits = 6;
  static constexpr int kBuckets = 3;
  struct Shard {
    mutable std::mutex mu;
    FlatMap64<Entry> trees;                               // by root
    std::array<std::vector<uint64_t>, kBuckets> buckets;  // roots by generation % kBuckets
  };
  static size_t ShardOf(uint64_t root) { return static_cast<size_t>(root >> (64 - kShardBits)); }
  // With the shard's lock held: tells tree `root`'s owner, removes the tree.
  void Finish(Shard& s, uint64_t root, bool ok);

  const TimeSource& time_;
  int64_t period_ns_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int64_t> next_rotation_ns_;
  std::mutex sweep_mu_;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<uint64_t> completed_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> timed_out_{0};
};

}  // namespace smc::rt
