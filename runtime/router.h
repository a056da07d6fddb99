// Routing what one instance emits: groupings and per-target batching.
//
// A Router belongs to one producing instance and is called by one thread at a
// time (the instance's own). Groupings choose the target instances inside the
// producer; tuples collect in one open batch per target; a batch goes out
// through Deliveries once it holds batch.size tuples, on FlushAll (linger,
// ticks, a spout's backpressure) and before the end-of-stream marks, which
// carry how many data batches went to each target so nothing is lost. The
// counters (emitted, errors) are relaxed atomics any thread may read.
//
// Nothing here knows about threads or the flow graph: a test builds a Router
// from a plan, feeds it tuples and records what Deliveries receives.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <tbb/concurrent_queue.h>

#include "runtime/acker.h"
#include "runtime/component.h"
#include "runtime/flat_map64.h"
#include "runtime/plan.h"
#include "runtime/registry.h"
#include "runtime/tuple.h"

namespace smc::rt {

/// What flows between instances: data batches, end-of-stream marks, and the
/// runtime's own wake-ups (linger flushes, ticks, Poll requests).
struct Message {
  enum class Kind : uint8_t { kData, kEos, kFlush, kTick, kWake };
  Kind kind = Kind::kData;
  int input = 0;           // kData, kEos: which input of the consumer
  Batch* batch = nullptr;  // kData: owned by the receiver (back to the BatchPool)
  uint64_t count = 0;      // kEos: data batches the sender sent on this input
};

/// Recycled batches: allocation is the main cost of moving small batches.
/// Thread-safe.
class BatchPool {
 public:
  ~BatchPool();
  Batch* Get(int width, int batch_size);
  void Put(Batch* b);

 private:
  static constexpr int kMaxFree = 4096;              // batches kept for reuse; more are freed
  static constexpr size_t kMaxKeptBytes = 1u << 20;  // a batch whose arena grew past this is freed
  tbb::concurrent_queue<Batch*> free_;
  std::atomic<int> size_{0};
};

/// Where a router's messages go.
class Deliveries {
 public:
  virtual ~Deliveries() = default;
  /// Hands `m` to instance `instance` of component `component`. A kData
  /// message's batch belongs to the receiver from then on.
  virtual void Deliver(int component, int instance, const Message& m) = 0;
};

/// Routes what one instance emits (see the file comment).
class Router final : public Emitter {
 public:
  /// The router of instance `instance` of component `component` of `t`;
  /// `first_task[c]` is the Storm task id of component c's first instance.
  Router(const PlanTopology& t, int component, int instance, std::vector<int> first_task, BatchPool* pool,
         Deliveries* out);
  ~Router() override;

  /// Creates the custom groupings; throws if one has no implementation.
  void PrepareCustom(const Registry& registry);

  // ---- acking (only after EnableAcking; see runtime/acker.h) ----
  /// From now on every tuple sent carries its edge and roots, and the acker
  /// hears of every edge.
  void EnableAcking(Acker* acker) { acker_ = acker; }
  bool acking() const { return acker_ != nullptr; }
  void Anchor(const Batch& batch, size_t t) override;
  void PassAll(int stream, const Batch& batch) override;
  void AnchorAlso(const Batch& batch, size_t t) override;
  /// Anchors to tuples kept with Batch::AckOf (replacing the current anchors).
  void AnchorTo(const std::vector<const TupleAck*>& anchors);
  void ClearAnchors() override { roots_.clear(); }
  /// Starts a spout tuple's tree for `owner`'s message `msg`: what is
  /// emitted until EndTree belongs to it.
  void BeginTree(SpoutAcks* owner, uint64_t msg);
  void EndTree() { roots_.clear(); }
  /// Around Execute of a kAuto bolt: each input tuple is acked when it is
  /// first anchored to (its update then merges with its children's), the
  /// rest at the end.
  void BeginAutoAck(const Batch& batch);
  void EndAutoAck();
  /// Acks tuple `t` (or every tuple) of a batch; Ack of a kept tuple.
  void AckTuple(const Batch& batch, size_t t);
  void AckAll(const Batch& batch);
  void Ack(const TupleAck& tuple);
  /// Fails the trees of a kept tuple now.
  void Fail(const TupleAck& tuple);
  /// Holds every tuple of a batch (kHold): its trees are parked, its acks
  /// kept until ReleaseHeld.
  void HoldAll(const Batch& batch);
  void ReleaseHeld() { Release(&held_); }
  void AckInput(const Batch& batch, size_t t) override { AckTuple(batch, t); }
  void Hold(const Batch& batch, size_t t, HeldTrees* group) override;
  void Release(HeldTrees* group) override;
  /// Hands what was gathered (edges, acks, parks) to the acker.
  void FlushAcks();

  void Emit(int stream, const Datum* v) override;
  void EmitAll(int stream, const Batch& batch) override;
  void EmitDirect(int stream, int instance, const Datum* v) override;
  void Error(std::string_view input, std::string_view reason) override;

  /// Emit, appending the task ids the tuple goes to to `tasks`.
  void EmitRecording(int stream, const Datum* v, std::vector<int>* tasks);
  /// EmitDirect by Storm task id instead of instance index. A direct emit on
  /// a stream that a reader reads with another grouping, and an emit without
  /// a task on a stream read with 'direct', throw (never a silent loss).
  void EmitDirectTask(int stream, int task, const Datum* v);

  /// The number of fields of output stream `stream`.
  size_t stream_width(int stream) const { return static_cast<size_t>(streams_[stream].width); }
  /// True while some target has a partly filled batch.
  bool HasOpen() const { return open_ > 0; }
  /// Sends every partly filled batch.
  void FlushAll();
  /// Flushes, then sends an end-of-stream mark to every target.
  void SendEos();
  /// Rebalance: component `consumer` now has one instance per entry of
  /// `task_ids` (their Storm task ids). Its surviving targets keep their
  /// counts of batches sent; custom groupings are prepared again. Call only
  /// with nothing open for it.
  void Retarget(int consumer, const std::vector<int>& task_ids);
  /// Rebalance: takes over the trees `from` holds for its aggregator (kHold).
  void TakeHeld(Router& from);

  /// Tuples emitted on every output stream but `errors` (counted by errors()).
  uint64_t emitted() const {
    uint64_t n = 0;
    for (size_t i = 0; i < streams_.size(); ++i) {
      if (static_cast<int>(i) != errors_stream_) n += stream_emitted(static_cast<int>(i));
    }
    return n;
  }
  /// Tuples emitted on output stream `stream` (the `errors` stream's are errors).
  uint64_t stream_emitted(int stream) const { return stream_emitted_[stream].load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  /// Counts a failure of the instance among its errors.
  void CountError() { errors_.fetch_add(1, std::memory_order_relaxed); }
  /// Index of the `errors` stream; -1 when the component has none.
  int errors_stream() const { return errors_stream_; }
  /// Called with each error when the component has no `errors` stream (so
  /// that what no stream can carry is at least shown).
  void set_unrouted(std::function<void(std::string_view input, std::string_view reason)> f) {
    unrouted_ = std::move(f);
  }

 private:
  struct Target {
    int component;
    int index;
    int task_id;
    Batch* open = nullptr;
    uint64_t sent = 0;
  };
  struct Edge {
    const PlanEdge* plan = nullptr;
    std::vector<Target> targets;
    uint64_t rr = 0;
    std::vector<uint64_t> load;
    std::unique_ptr<CustomGrouping> custom;
    std::vector<int> chosen;
  };
  struct Stream {
    int width = 0;
    std::vector<Edge> edges;
  };

  // Throws when a direct emit (to `target`: "task 3") reaches a stream that
  // a reader reads with another grouping: it would lose the tuple.
  void CheckDirect(int stream, const std::string& target) const;
  void Put(Edge& e, int width, size_t t, const Datum* v);
  void Send(Edge& e, Target& t);
  // Counters written by the owning instance only and read by others: a
  // relaxed load and store, without a locked read-modify-write per tuple.
  static void Bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  void AddRoots(const uint64_t* roots, uint32_t n);
  // The held entry of the last root a hold touched (valid until the next insert into its group).
  struct HoldCursor {
    uint64_t root = 0;
    uint64_t* value = nullptr;
  };
  // Adds tuple `t`'s edge to `group` per root, parking the roots new to it.
  void HoldTuple(const Batch& batch, size_t t, HeldTrees* group, HoldCursor* c);
  // Gathers one XOR for the acker, merged with the last one of the same tree.
  void Xor(uint64_t root, uint64_t x) {
    if (!updates_.empty() && updates_.back().root == root) {
      updates_.back().value ^= x;
    } else {
      updates_.push_back({root, x});
    }
  }

  const PlanTopology& topology_;
  int component_;
  int instance_;
  Acker* acker_ = nullptr;
  std::vector<uint64_t> roots_;        // the current anchors' roots (acking)
  std::vector<AckUpdate> updates_;     // gathered for the acker
  std::vector<TreeStart> starts_;      // trees begun, started in the acker before a batch leaves
  std::vector<uint64_t> parks_;        // trees to park
  const Batch* auto_batch_ = nullptr;  // the input of a kAuto Execute
  std::vector<bool> auto_acked_;       // its tuples acked already
  HeldTrees held_;                     // kHold: what HoldAll holds
  std::vector<int> first_task_;
  BatchPool* pool_;
  Deliveries* out_;
  std::function<void(std::string_view, std::string_view)> unrouted_;
  std::vector<int>* record_ = nullptr;  // when set, Put appends each target's task id
  int batch_size_ = 256;
  int errors_stream_ = -1;
  size_t open_ = 0;  // targets with a partly filled batch
  std::vector<Stream> streams_;
  std::atomic<uint64_t> errors_{0};
  std::unique_ptr<std::atomic<uint64_t>[]> stream_emitted_;  // per output stream; emitted() sums them
};

/// Maps a hash to [0, n) without a division.
size_t ReduceHash(uint64_t h, size_t n);

/// The two candidate instances of a partial-key grouping for key hash `h`
/// among `n`: always distinct when n >= 2 (both 0 when n is 1).
std::pair<size_t, size_t> PartialKeyCandidates(uint64_t h, size_t n);

}  // namespace smc::rt
