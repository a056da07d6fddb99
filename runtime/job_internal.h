// The running job's private pieces, shared by job.cc (building, processing,
// the end), job_loops.cc (spout loops, the clock thread, metrics) and
// job_rebalance.cc (smc rebalance): one
// Instance per component instance, the Job that owns them, and Shared, the
// runtime's side of SharedEmitter. Not for use outside runtime/job*.cc.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <ostream>
#include <thread>
#include <vector>

#include <tbb/flow_graph.h>
#include <tbb/global_control.h>

#include "runtime/acker.h"
#include "runtime/activation.h"
#include "runtime/clock.h"
#include "runtime/guard.h"
#include "runtime/job.h"
#include "runtime/outputs.h"
#include "runtime/rebalance.h"
#include "runtime/router.h"
#include "runtime/spout_acking.h"
#include "runtime/status.h"
#include "runtime/stop.h"

namespace smc::rt::job_internal {

// Policy numbers of the job, in one place.
// Spouts wait while this much output is queued for writers (stdout, files):
// enough to keep a slow disk busy, bounded so a stalled reader cannot take
// all memory.
constexpr size_t kOutputQueueLimitBytes = size_t{64} << 20;
// A spout waiting on backpressure sleeps this long first, doubling up to the
// maximum: short enough to refill a queue before it runs dry, long enough not
// to spin a core while a slow bolt drains.
constexpr int64_t kThrottleFirstWaitNs = 20'000;
constexpr int64_t kThrottleMaxWaitNs = 1'000'000;
// The clock thread's step: the resolution of linger flushes and ticks
// (batch.linger defaults to 1 ms).
constexpr auto kClockStep = std::chrono::microseconds(250);
// How often the live status line and the job registry are updated.
constexpr int64_t kStatusPeriodNs = 1'000'000'000;
// Errors of a component without an `errors` stream are shown on standard
// error as they come, up to this many per component (then only counted).
constexpr uint64_t kShownErrors = 5;
// How much of an input is shown with its error.
constexpr size_t kShownInputBytes = 200;
// A spout waiting for its trees (max.spout.pending, or its end) looks again
// after this long at first, as acks come a batch at a time; doubled while
// nothing comes, up to the maximum, so a long wait does not spin a core.
constexpr int64_t kAckFirstWaitNs = 20'000;
constexpr int64_t kAckMaxWaitNs = 1'000'000;
// A deactivated spout looks again this often whether it was activated (it
// is woken at once when it is; this bounds a missed wake-up), and, with
// acking on, hands its spout the acks and fails that came meanwhile.
constexpr auto kInactiveWait = std::chrono::milliseconds(50);
// The clock thread's step while the job is deactivated: coarser, so that a
// paused job costs next to no CPU (linger flushes and ticks still come).
constexpr auto kInactiveClockStep = std::chrono::milliseconds(5);
// While a rebalance waits for the job to drain, it looks this often.
constexpr auto kDrainStep = std::chrono::microseconds(200);

using Node = tbb::flow::function_node<Message, tbb::flow::continue_msg, tbb::flow::queueing>;

class Shared;

// One instance of a component (a Storm executor).
struct Instance {
  const PlanComponent* comp = nullptr;
  int index = 0;  // among the component's instances
  std::mutex mu;  // held while the instance runs; components' own threads take it to emit
  std::unique_ptr<Shared> shared;
  std::atomic<bool> wake_posted{false};
  bool finishing = false;  // Finish was called, Done() said not yet
  std::unique_ptr<Component> component;
  std::unique_ptr<Spout> spout;
  Context ctx;
  std::unique_ptr<Router> router;
  std::unique_ptr<Node> node;
  std::unique_ptr<SpoutAcking> acking;  // a spout's, with acking on
  AckMode ack_mode = AckMode::kAuto;    // a bolt's, with acking on

  // Touched only by the instance's own (serial) body.
  int eos_expected = 0;
  int eos_received = 0;
  uint64_t batches_expected = 0;
  uint64_t batches_received = 0;
  bool finished = false;
  int64_t ack_wait_ns = kAckFirstWaitNs;  // a spout's, waiting for its trees
  bool told_inactive = false;             // a spout's: Activate(false) was called
  bool failed = false;
  uint64_t turns = 0;  // messages processed (a rebalance sees that nothing moved)

  // Shared with the clock thread and with producers.
  std::atomic<int> pending{0};                          // data batches queued, not yet processed
  std::unique_ptr<std::atomic<int>[]> queued_by_input;  // the same per input (the edges' queue depths)
  std::atomic<int64_t> dirty_since{0};                  // when output started waiting in partial batches; 0: none
  std::atomic<bool> flush_posted{false};
  std::atomic<bool> tick_posted{false};
  std::atomic<bool> done{false};
  std::atomic<bool> parked{false};  // a spout's: paused, with nothing of its own in flight
  std::atomic<uint64_t> executed{0};
  ActiveTime active;         // executing, or holding batches (Shared::Hold): its capacity
  ReportedMetrics reported;  // multi-lang "metrics" messages
  std::atomic<bool> reported_warned{false};
  std::vector<Instance*> downstream;  // every instance this one's output can reach
};

// Notes when output started waiting in partly filled batches, so that the
// clock thread flushes it after batch.linger.
inline void MarkDirty(Instance& in, int64_t now) {
  if (in.router->HasOpen() && in.dirty_since.load(std::memory_order_relaxed) == 0) {
    in.dirty_since.store(now, std::memory_order_relaxed);
  }
}

// After a turn of a bolt or sink: its partial output batches go at once
// when no more input is queued for it (nothing would fill them soon: a hop
// costs no linger) or with batch.linger = 0; otherwise, while input keeps
// coming, they wait at most the linger (the clock thread flushes them).
inline void FlushOrMarkDirty(Instance& in, int64_t now) {
  if ((in.comp->linger_ns <= 0 || in.pending.load(std::memory_order_relaxed) <= 1) && in.router->HasOpen()) {
    in.dirty_since.store(0, std::memory_order_relaxed);
    in.router->FlushAll();
    return;
  }
  MarkDirty(in, now);
}

class Control final : public SpoutControl {
 public:
  bool Stopping() const override { return StopSignal::Get().requested(); }
  int WakeFd() const override { return StopSignal::Get().wake_fd(); }
};

class Job final : public Deliveries {
 public:
  Job(const Plan& plan, const PlanTopology& topology, const Registry& registry, const JobOptions& opts,
      std::ostream& diag)
      : plan_(plan),
        topology_(topology),
        registry_(registry),
        opts_(opts),
        time_(opts.time ? *opts.time : SteadyTime()),
        diag_(diag) {}

  JobResult Run();

  void Deliver(int component, int instance, const Message& m) override { Deliver(InstanceOf(component, instance), m); }
  void Deliver(Instance* to, const Message& m) {
    if (m.kind == Message::Kind::kData) {
      to->pending.fetch_add(1, std::memory_order_relaxed);
      to->queued_by_input[m.input].fetch_add(1, std::memory_order_relaxed);
    }
    to->node->try_put(m);
  }
  Instance* InstanceOf(int component, int index) { return live_[component][index]; }
  int64_t Now() const { return time_.NowNs(); }
  // Runs a call into the instance's component; what escapes fails the job.
  template <typename F>
  bool Guard(Instance& in, F&& body) {
    Escaped e = Guarded(std::forward<F>(body));
    if (!e) return true;
    in.failed = true;
    Fail(in, e.what, e.io);
    return false;
  }
  // Reports a failure of `in`; `io`: an IoError (the run's outcome is then
  // an I/O error, unless some failure was not).
  void Fail(const Instance& in, const std::string& what, bool io = false);
  void Note(const std::string& line) { Say("smc: " + line); }
  // A spout message past max.replays: counted, the first few shown.
  void GaveUp(const Instance& in, const std::string& what) {
    if (given_up_.fetch_add(1) >= kShownErrors) return;
    Note("error: spout '" + in.comp->name + "' (" + in.comp->location + "): gave up on " + what + " after " +
         std::to_string(topology_.acking.max_replays) + " replays");
  }
  void Say(const std::string& line) {
    std::lock_guard<std::mutex> lock(diag_mu_);
    ClearStatusLocked();
    diag_ << line << "\n" << std::flush;
  }

 private:
  bool Build();
  // A new instance `index` of component `c`, with its context, router and
  // node (none for a spout); owned by instances_, not yet live.
  Instance* MakeInstance(int c, int index);
  // Makes and opens its component or spout; false when that failed (reported).
  bool OpenInstance(Instance& in);
  // Recomputes every instance's `downstream` (after Build, and a rebalance).
  void LinkDownstream();
  void Process(Instance& in, const Message& m);
  void MaybeFinish(Instance& in);
  void CompleteFinish(Instance& in);
  void SpoutLoop(Instance& in);
  bool SpoutStep(Instance& in, Control& control, bool* more);
  // A deactivated spout's turn: what it holds goes out, it hears that it
  // is deactivated (once), acks and fails still reach it, and it waits to
  // be activated or stopped.
  void InactiveStep(Instance& in, bool* more);
  // The clock thread: carries out what smc deactivate/activate asked.
  // True when the state changed.
  bool FollowActivation();
  bool active() const { return active_.load(std::memory_order_relaxed); }
  bool paused() const { return paused_.load(); }
  JobState State() const {
    return StopSignal::Get().requested() ? JobState::kStopping : active() ? JobState::kRunning : JobState::kInactive;
  }
  // The clock's ticker of an instance (its `tick`, or what its component asks for).
  static Ticker TickerOf(const Instance& in, int64_t start_ns) {
    int64_t period = 0;
    if (in.component) period = in.comp->tick_ns > 0 ? in.comp->tick_ns : in.component->DefaultTickNs();
    return Ticker(start_ns, period);
  }
  // smc rebalance (job_rebalance.cc), on the clock thread: checks the
  // request, pauses the spouts, waits until nothing is in flight, changes
  // the instances, resumes. The reply: "ok ..." or "refused: ..." or "failed: ...".
  std::string Rebalance(const RebalanceRequest& request);
  std::string CheckRebalance(int c, int parallelism);
  bool Drain(int64_t wait_ns, std::string* why);
  bool Idle(std::vector<uint64_t>* turns);
  void Resize(int c, int parallelism);
  // Ends a removed instance: stateless ones finish as at the end of their
  // stream; keyed ones, whose state moved, only pass the end on.
  void Retire(Instance& in, bool finish);
  void AfterCall(Instance& in, bool release);
  void Throttle(Instance& in);
  void ClockLoop();
  void ReleaseComponents();
  void ShowStatus(double seconds);
  void ClearStatusLocked();
  JobMetrics Collect(double seconds);

  const Plan& plan_;
  PlanTopology topology_;  // the job's own copy: rebalance changes parallelisms
  const Registry& registry_;
  JobOptions opts_;
  const TimeSource& time_;
  std::ostream& diag_;
  std::mutex diag_mu_;
  bool status_shown_ = false;
  StatusLine status_line_;

  tbb::flow::graph graph_;
  BatchPool pool_;
  std::unique_ptr<Acker> acker_;  // with acking on; outlives outputs_, whose writers ack sinks' tuples
  Outputs outputs_;
  std::vector<std::unique_ptr<Instance>> instances_;       // every instance there has been
  std::vector<std::vector<Instance*>> live_;               // per component, its instances now
  std::vector<std::vector<Instance*>> all_;                // per component, every one (metrics)
  std::vector<int> first_task_;                            // Storm task id of each component's first instance
  int next_task_ = 1;                                      // the next Storm task id
  std::vector<Ticker> ticks_;                              // per instance in instances_ (the clock thread's)
  std::unique_ptr<std::atomic<uint64_t>[]> shown_errors_;  // per component
  std::atomic<int> unfinished_{0};
  std::atomic<bool> failed_{false};
  std::atomic<bool> failed_not_io_{false};  // some failure was not an IoError
  int64_t start_ns_ = 0;
  std::atomic<uint64_t> given_up_{0};  // spout messages past max.replays
  std::atomic<bool> active_{true};     // false: deactivated (smc deactivate)
  std::atomic<bool> paused_{false};    // spouts paused for a rebalance
  std::mutex activation_mu_;
  std::condition_variable activation_cv_;  // a deactivated spout waits on it
};

// The runtime side of SharedEmitter: every call takes the instance's lock.
class Shared final : public SharedEmitter {
 public:
  // Warns once when the instance reports more metrics than are kept.
  void Kept(bool kept);
  Shared(Job* job, Instance* in) : job_(job), in_(in) {}
  void Emit(int stream, const Datum* values, std::vector<int>* tasks) override {
    std::lock_guard<std::mutex> lock(in_->mu);
    if (in_->done.load()) return;  // after the end of its stream nothing more goes out
    in_->router->EmitRecording(stream, values, tasks);
    MarkDirty(*in_, job_->Now());
  }
  void EmitDirect(int stream, int task, const Datum* values) override {
    std::lock_guard<std::mutex> lock(in_->mu);
    if (in_->done.load()) return;
    in_->router->EmitDirectTask(stream, task, values);
    MarkDirty(*in_, job_->Now());
  }
  void Error(std::string_view input, std::string_view reason) override {
    std::lock_guard<std::mutex> lock(in_->mu);
    if (in_->done.load()) return;
    in_->router->Error(input, reason);
    MarkDirty(*in_, job_->Now());
  }
  void Wake() override {
    if (in_->done.load() || !in_->node) return;
    if (!in_->wake_posted.exchange(true)) {
      Message m;
      m.kind = Message::Kind::kWake;
      in_->node->try_put(m);
    }
  }
  void EmitAnchored(int stream, const Datum* values, std::vector<int>* tasks, int direct_task,
                    const std::vector<const TupleAck*>& anchors) override {
    std::lock_guard<std::mutex> lock(in_->mu);
    if (in_->done.load()) return;
    in_->router->AnchorTo(anchors);
    if (direct_task >= 0) {
      in_->router->EmitDirectTask(stream, direct_task, values);
    } else {
      in_->router->EmitRecording(stream, values, tasks);
    }
    in_->router->ClearAnchors();
    in_->router->FlushAcks();
    MarkDirty(*in_, job_->Now());
  }
  void Ack(const TupleAck& tuple) override {
    std::lock_guard<std::mutex> lock(in_->mu);
    in_->router->Ack(tuple);
    in_->router->FlushAcks();
  }
  void FailTuple(const TupleAck& tuple) override {
    std::lock_guard<std::mutex> lock(in_->mu);
    in_->router->Fail(tuple);
  }
  void EmitWithId(int stream, const Datum* values, std::vector<int>* tasks, int direct_task, uint64_t msg) override {
    std::lock_guard<std::mutex> lock(in_->mu);
    if (in_->done.load()) return;
    if (in_->acking) in_->router->BeginTree(in_->acking->acks(), msg);
    if (direct_task >= 0) {
      in_->router->EmitDirectTask(stream, direct_task, values);
    } else {
      in_->router->EmitRecording(stream, values, tasks);
    }
    in_->router->EndTree();
    MarkDirty(*in_, job_->Now());
  }
  void Hold(int batches) override {
    in_->pending.fetch_add(batches, std::memory_order_relaxed);
    in_->active.Add(batches, job_->Now());  // held batches are work in flight (in a child, a channel)
  }
  void Fail(const std::string& what) override { job_->Fail(*in_, what); }
  void Log(const std::string& line) override { job_->Say(line); }
  void AddMetric(const std::string& name, double amount) override { Kept(in_->reported.Add(name, amount)); }
  void SetMetric(const std::string& name, std::string_view json) override { Kept(in_->reported.Set(name, json)); }

 private:
  Job* job_;
  Instance* in_;
};

}  // namespace smc::rt::job_internal
