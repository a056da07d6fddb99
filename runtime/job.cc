#include "runtime/job.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <ostream>
#include <thread>
#include <vector>

#include <tbb/flow_graph.h>
#include <tbb/global_control.h>

#include "runtime/acker.h"
#include "runtime/clock.h"
#include "runtime/guard.h"
#include "runtime/outputs.h"
#include "runtime/router.h"
#include "runtime/spout_acking.h"
#include "runtime/status.h"
#include "runtime/stop.h"

namespace smc::rt {
namespace {

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
  bool failed = false;

  // Shared with the clock thread and with producers.
  std::atomic<int> pending{0};          // data batches queued, not yet processed
  std::atomic<int64_t> dirty_since{0};  // when output started waiting in partial batches; 0: none
  std::atomic<bool> flush_posted{false};
  std::atomic<bool> tick_posted{false};
  std::atomic<bool> done{false};
  std::atomic<uint64_t> executed{0};
  std::atomic<uint64_t> busy_ns{0};
  std::vector<Instance*> downstream;  // every instance this one's output can reach
};

// Notes when output started waiting in partly filled batches, so that the
// clock thread flushes it after batch.linger.
void MarkDirty(Instance& in, int64_t now) {
  if (in.router->HasOpen() && in.dirty_since.load(std::memory_order_relaxed) == 0) {
    in.dirty_since.store(now, std::memory_order_relaxed);
  }
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
    if (m.kind == Message::Kind::kData) to->pending.fetch_add(1, std::memory_order_relaxed);
    to->node->try_put(m);
  }
  Instance* InstanceOf(int component, int index) { return instances_[first_[component] + index].get(); }
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
  void Process(Instance& in, const Message& m);
  void MaybeFinish(Instance& in);
  void CompleteFinish(Instance& in);
  void SpoutLoop(Instance& in);
  bool SpoutStep(Instance& in, Control& control, bool* more);
  void AfterCall(Instance& in, bool release);
  void Throttle(Instance& in);
  void ClockLoop();
  void ReleaseComponents();
  void ShowStatus(double seconds);
  void ClearStatusLocked();
  JobMetrics Collect(double seconds);

  const Plan& plan_;
  const PlanTopology& topology_;
  const Registry& registry_;
  JobOptions opts_;
  const TimeSource& time_;
  std::ostream& diag_;
  std::mutex diag_mu_;
  bool status_shown_ = false;
  StatusLine status_line_;

  tbb::flow::graph graph_;
  BatchPool pool_;
  Outputs outputs_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::vector<int> first_;                                 // index of each component's first instance
  std::unique_ptr<std::atomic<uint64_t>[]> shown_errors_;  // per component
  std::atomic<int> unfinished_{0};
  std::atomic<bool> failed_{false};
  std::atomic<bool> failed_not_io_{false};  // some failure was not an IoError
  int64_t start_ns_ = 0;
  std::unique_ptr<Acker> acker_;       // with acking on
  std::atomic<uint64_t> given_up_{0};  // spout messages past max.replays
};

// The runtime side of SharedEmitter: every call takes the instance's lock.
class Shared final : public SharedEmitter {
 public:
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
  void Hold(int batches) override { in_->pending.fetch_add(batches, std::memory_order_relaxed); }
  void Fail(const std::string& what) override { job_->Fail(*in_, what); }
  void Log(const std::string& line) override { job_->Say(line); }

 private:
  Job* job_;
  Instance* in_;
};

void Job::Fail(const Instance& in, const std::string& what, bool io) {
  if (!io) failed_not_io_.store(true);
  failed_.store(true);
  in.router->CountError();
  Note("error: " + std::string(KindName(in.comp->kind)) + " '" + in.comp->name + "' (" + in.comp->location +
       (in.comp->parallelism > 1 ? ", instance " + std::to_string(in.index) : "") + ") failed: " + what);
  StopSignal::Get().Request(StopReason::kFailure);
}

bool Job::Build() {
  const auto& comps = topology_.components;
  for (size_t c = 0; c < comps.size(); ++c) {
    first_.push_back(static_cast<int>(instances_.size()));
    for (int i = 0; i < comps[c].parallelism; ++i) {
      auto in = std::make_unique<Instance>();
      in->comp = &comps[c];
      in->index = i;
      in->ctx.component = comps[c].name;
      in->ctx.location = comps[c].location;
      in->ctx.instance = i;
      in->ctx.parallelism = comps[c].parallelism;
      in->ctx.args = &comps[c].args;
      for (const PlanInput& pi : comps[c].inputs) in->ctx.input_fields.push_back(pi.fields);
      for (const PlanStream& s : comps[c].streams) {
        in->ctx.stream_names.push_back(s.name);
        in->ctx.stream_fields.push_back(s.fields);
      }
      in->ctx.base_dir = plan_.base_dir;
      in->ctx.outputs = &outputs_;
      in->ctx.tick_ns = comps[c].tick_ns;
      in->ctx.batch_size = comps[c].batch_size;
      in->ctx.subprocess_timeout_ns = comps[c].subprocess_timeout_ns;
      in->ctx.on_failure = comps[c].on_failure;
      in->ctx.max_restarts = comps[c].max_restarts;
      in->ctx.topology = &topology_;
      in->ctx.component_index = static_cast<int>(c);
      in->ctx.task_id = static_cast<int>(instances_.size()) + 1;
      in->ctx.acking = topology_.acking.on;
      in->ctx.message_timeout_ns = topology_.acking.message_timeout_ns;
      instances_.push_back(std::move(in));
    }
  }
  std::vector<int> first_task;
  for (int f : first_) first_task.push_back(f + 1);
  shown_errors_ = std::make_unique<std::atomic<uint64_t>[]>(comps.size());
  for (size_t c = 0; c < comps.size(); ++c) shown_errors_[c].store(0);
  for (auto& in : instances_) {
    in->ctx.first_task = first_task;
    in->shared = std::make_unique<Shared>(this, in.get());
    in->ctx.shared = in->shared.get();
  }
  // Every instance gets its router and node before any component is made
  // or opened, so a failure leaves a whole job that can still report its metrics.
  for (auto& in : instances_) {
    const PlanComponent& c = *in->comp;
    in->router = std::make_unique<Router>(topology_, in->ctx.component_index, in->index, first_task, &pool_, this);
    if (acker_) in->router->EnableAcking(acker_.get());
    in->eos_expected = c.UpstreamInstances(comps);
    const int ci = in->ctx.component_index;
    in->router->set_unrouted([this, ci, &c](std::string_view input, std::string_view reason) {
      if (shown_errors_[ci].fetch_add(1) >= kShownErrors) return;
      std::string line =
          "error: " + std::string(KindName(c.kind)) + " '" + c.name + "' (" + c.location + "): " + std::string(reason);
      if (!input.empty()) {
        line += " (input: " + std::string(input.substr(0, kShownInputBytes)) +
                (input.size() > kShownInputBytes ? "...)" : ")");
      }
      Note(line);
    });
    if (c.kind != ComponentKind::kSpout) {
      Instance* self = in.get();
      in->node = std::make_unique<Node>(graph_, tbb::flow::serial, [this, self](const Message& m) {
        Process(*self, m);
        return tbb::flow::continue_msg();
      });
    }
  }
  for (auto& in : instances_) {
    const PlanComponent& c = *in->comp;
    bool ok = Guard(*in, [&] {
      if (c.kind == ComponentKind::kSpout) {
        in->spout = (*registry_.FindSpout(c.impl))();
      } else {
        in->component = (*registry_.FindComponent(c.kind, c.impl))();
      }
    });
    if (!ok) return false;
  }
  for (auto& in : instances_) {
    bool ok = Guard(*in, [&] {
      in->router->PrepareCustom(registry_);
      if (in->spout) {
        in->spout->Open(in->ctx);
      } else {
        in->component->Open(in->ctx);
      }
    });
    if (!ok) return false;
  }
  for (auto& in : instances_) {
    if (!acker_) break;
    if (in->spout) {
      Instance* self = in.get();
      in->acking = std::make_unique<SpoutAcking>(in->router.get(), in->spout.get(), topology_.acking,
                                                 [this, self](const std::string& what) { GaveUp(*self, what); });
    } else {
      in->ack_mode = in->component->Acking();
    }
  }
  // What each instance's output can reach, for the spouts' backpressure.
  for (size_t c = 0; c < comps.size(); ++c) {
    std::vector<bool> seen = topology_.Downstream(static_cast<int>(c));
    for (int i = 0; i < comps[c].parallelism; ++i) {
      Instance* in = InstanceOf(static_cast<int>(c), i);
      for (size_t d = 0; d < comps.size(); ++d) {
        if (!seen[d]) continue;
        for (int k = 0; k < comps[d].parallelism; ++k) in->downstream.push_back(InstanceOf(static_cast<int>(d), k));
      }
    }
  }
  return true;
}

void Job::Process(Instance& in, const Message& m) {
  std::lock_guard<std::mutex> lock(in.mu);
  switch (m.kind) {
    case Message::Kind::kData: {
      ++in.batches_received;
      if (!in.failed && !in.finished) {
        int64_t t0 = Now();
        in.router->ClearAnchors();
        Guard(in, [&] { in.component->Execute(*m.batch, m.input, *in.router); });
        if (in.router->acking()) {
          in.router->ClearAnchors();
          if (in.ack_mode == AckMode::kAuto) in.router->AckAll(*m.batch);
          if (in.ack_mode == AckMode::kHold) in.router->HoldAll(*m.batch);
          in.router->FlushAcks();
        }
        in.busy_ns.fetch_add(static_cast<uint64_t>(Now() - t0), std::memory_order_relaxed);
        in.executed.fetch_add(m.batch->size(), std::memory_order_relaxed);
        MarkDirty(in, t0);
      }
      pool_.Put(m.batch);
      in.pending.fetch_sub(1, std::memory_order_relaxed);
      break;
    }
    case Message::Kind::kEos:
      ++in.eos_received;
      in.batches_expected += m.count;
      break;
    case Message::Kind::kFlush:
      in.flush_posted.store(false);
      if (!in.finished || in.finishing) {
        in.dirty_since.store(0, std::memory_order_relaxed);
        in.router->FlushAll();
      }
      break;
    case Message::Kind::kWake:
      in.wake_posted.store(false);
      if (!in.finished || in.finishing) {
        if (!in.failed) Guard(in, [&] { in.component->Poll(*in.router); });
        AfterCall(in, false);
        MarkDirty(in, Now());
        if (in.finishing) {
          bool done = in.failed;
          if (!done) Guard(in, [&] { done = in.component->Done(); });
          if (done || in.failed) CompleteFinish(in);
        }
      }
      return;
    case Message::Kind::kTick:
      in.tick_posted.store(false);
      if (!in.finished && !in.failed) {
        in.router->ClearAnchors();
        Guard(in, [&] { in.component->Tick(*in.router); });
        AfterCall(in, true);
        in.dirty_since.store(0, std::memory_order_relaxed);
        in.router->FlushAll();
      }
      break;
  }
  MaybeFinish(in);
}

void Job::MaybeFinish(Instance& in) {
  if (in.finished || in.eos_received < in.eos_expected || in.batches_received < in.batches_expected) return;
  in.finished = true;
  in.router->ClearAnchors();
  if (!in.failed) Guard(in, [&] { in.component->Finish(*in.router); });
  AfterCall(in, true);
  bool done = in.failed;
  if (!done) Guard(in, [&] { done = in.component->Done(); });
  if (!done && !in.failed) {
    in.finishing = true;  // a Wake will ask again
    return;
  }
  CompleteFinish(in);
}

// After a call that may have emitted: what it gathered goes to the acker; an
// aggregator's held trees are acked after it had its chance to emit.
void Job::AfterCall(Instance& in, bool release) {
  if (!in.router->acking()) return;
  in.router->ClearAnchors();
  if (release && in.ack_mode == AckMode::kHold) in.router->ReleaseHeld();
  in.router->FlushAcks();
}

void Job::CompleteFinish(Instance& in) {
  in.finishing = false;
  in.router->SendEos();
  in.done.store(true);
  unfinished_.fetch_sub(1);
}

void Job::Throttle(Instance& in) {
  int64_t wait_ns = kThrottleFirstWaitNs;
  while (!StopSignal::Get().requested()) {
    bool full = outputs_.queued_bytes() > kOutputQueueLimitBytes;
    for (Instance* d : in.downstream) {
      if (d->pending.load(std::memory_order_relaxed) >= d->comp->max_pending) {
        full = true;
        break;
      }
    }
    if (!full) return;
    // A full queue downstream: let it drain. Flush what this spout holds so
    // the instances below are never waiting on a partly filled batch.
    in.router->FlushAll();
    std::this_thread::sleep_for(std::chrono::nanoseconds(wait_ns));
    wait_ns = std::min(wait_ns * 2, kThrottleMaxWaitNs);
  }
}

// One turn of a spout with acking on: hands it what the acker reported,
// and asks for more unless max.spout.pending trees are pending. False when
// its stream has ended: exhausted, with every tree complete or given up.
bool Job::SpoutStep(Instance& in, Control& control, bool* more) {
  SpoutAcking& acking = *in.acking;
  const bool none_pending = acking.pending() == 0;  // read before draining (see acker.cc)
  bool failed = false;
  size_t reports = acking.Drain(&failed);
  if (failed) *more = true;  // a reliable spout emits its failed message again
  if (*more && !acking.Full()) {
    Throttle(in);
    *more = in.spout->Next(acking.emitter(), control);
    in.router->FlushAcks();
    return true;
  }
  if (!*more && none_pending && reports == 0) return false;
  // Waiting for trees: what this spout holds goes out now, so none waits on it.
  in.router->FlushAll();
  std::this_thread::sleep_for(std::chrono::microseconds(reports ? 0 : 200));
  return true;
}

void Job::SpoutLoop(Instance& in) {
  Control control;
  Linger linger(in.comp->linger_ns);
  Guard(in, [&] {
    bool more = true;
    while (!control.Stopping()) {
      if (in.acking) {
        if (!SpoutStep(in, control, &more)) break;
      } else {
        Throttle(in);
        more = in.spout->Next(*in.router, control);
      }
      if (linger.Due(in.router->HasOpen(), Now())) in.router->FlushAll();
      if (!more && !in.acking) break;
    }
  });
  in.router->SendEos();
  in.done.store(true);
  unfinished_.fetch_sub(1);
  graph_.release_wait();
}

void Job::ClockLoop() {
  Ticker status(start_ns_, kStatusPeriodNs);
  Deadline deadline(opts_.run_for_ns > 0 ? start_ns_ + opts_.run_for_ns : 0);
  std::vector<Ticker> ticks;
  for (auto& in : instances_) {
    int64_t period = 0;
    if (in->component) period = in->comp->tick_ns > 0 ? in->comp->tick_ns : in->component->DefaultTickNs();
    ticks.emplace_back(start_ns_, period);
  }
  while (unfinished_.load() > 0) {
    std::this_thread::sleep_for(kClockStep);
    int64_t now = Now();
    if (deadline.Passed(now)) StopSignal::Get().Request(StopReason::kDeadline);
    if (acker_) acker_->Sweep();
    if (Writer* w = outputs_.Failed()) {
      StopSignal::Get().Request(w->error() == EPIPE ? StopReason::kBrokenPipe : StopReason::kOutputError);
    }
    for (size_t i = 0; i < instances_.size(); ++i) {
      Instance& in = *instances_[i];
      if (!in.node || in.done.load(std::memory_order_relaxed)) continue;
      if (LingerDue(in.dirty_since.load(std::memory_order_relaxed), now, in.comp->linger_ns) &&
          !in.flush_posted.exchange(true)) {
        Message m;
        m.kind = Message::Kind::kFlush;
        in.node->try_put(m);
      }
      if (ticks[i].Due(now) && !in.tick_posted.exchange(true)) {
        Message m;
        m.kind = Message::Kind::kTick;
        in.node->try_put(m);
      }
    }
    if (status.Due(now)) {
      double seconds = (now - start_ns_) / 1e9;
      if (opts_.live_status) ShowStatus(seconds);
      if (opts_.on_status) opts_.on_status(Collect(seconds), StopSignal::Get().requested());
    }
  }
  graph_.release_wait();
}

// Components go first, while the instances and contexts they report to still
// exist (a subprocess component stops its child and threads here).
void Job::ReleaseComponents() {
  for (auto& in : instances_) {
    Guard(*in, [&] {
      in->component.reset();
      in->spout.reset();
    });
  }
}

void Job::ShowStatus(double seconds) {
  std::string line = status_line_.Next(Collect(seconds), seconds);
  std::lock_guard<std::mutex> lock(diag_mu_);
  diag_ << "\r\033[K" << line << std::flush;
  status_shown_ = true;
}

void Job::ClearStatusLocked() {
  if (status_shown_) diag_ << "\r\033[K" << std::flush;
  status_shown_ = false;
}

JobMetrics Job::Collect(double seconds) {
  JobMetrics m;
  m.topology = topology_.name;
  m.seconds = seconds;
  for (size_t c = 0; c < topology_.components.size(); ++c) {
    const PlanComponent& pc = topology_.components[c];
    std::vector<InstanceCounts> counts;
    for (int i = 0; i < pc.parallelism; ++i) {
      Instance* in = InstanceOf(static_cast<int>(c), i);
      counts.push_back({in->router->emitted(), in->router->errors(), in->executed.load(std::memory_order_relaxed),
                        in->busy_ns.load(std::memory_order_relaxed)});
    }
    m.components.push_back(Summarize(pc, counts, seconds));
  }
  return m;
}

JobResult Job::Run() {
  JobResult result;
  start_ns_ = Now();
  if (topology_.acking.on) acker_ = std::make_unique<Acker>(time_, topology_.acking.message_timeout_ns);
  if (!Build()) {
    result.outcome = failed_not_io_.load() ? Outcome::kComponentFailed : Outcome::kIoError;
    result.metrics = Collect(0);
    ReleaseComponents();
    return result;
  }
  unfinished_.store(static_cast<int>(instances_.size()));
  std::vector<std::thread> spouts;
  graph_.reserve_wait();  // the clock thread
  for (auto& in : instances_) {
    if (in->spout) {
      graph_.reserve_wait();
      Instance* self = in.get();
      spouts.emplace_back([this, self] { SpoutLoop(*self); });
    }
  }
  std::thread clock([this] { ClockLoop(); });
  graph_.wait_for_all();
  clock.join();
  for (auto& t : spouts) t.join();
  ReleaseComponents();
  outputs_.CloseAll();
  double seconds = (Now() - start_ns_) / 1e9;
  {
    std::lock_guard<std::mutex> lock(diag_mu_);
    ClearStatusLocked();
  }
  result.metrics = Collect(seconds);
  if (!failed_.load()) {
    // Bad input is never lost silently: if no stream took it, say how much there was.
    for (size_t c = 0; c < topology_.components.size(); ++c) {
      uint64_t shown = std::min(shown_errors_[c].load(), kShownErrors);
      std::string warning = UnreadErrorsWarning(topology_.components[c], result.metrics.components[c], shown);
      if (!warning.empty()) Note(warning);
    }
  }
  StopSignal& stop = StopSignal::Get();
  if (failed_.load()) {
    result.outcome = failed_not_io_.load() ? Outcome::kComponentFailed : Outcome::kIoError;
  } else if (Writer* w = outputs_.Failed()) {
    if (w->error() == EPIPE) {
      result.outcome = Outcome::kBrokenPipe;  // like any tool whose reader went away: quietly
    } else {
      Note("error: cannot write to " + w->name() + ": " + std::strerror(w->error()));
      result.outcome = Outcome::kIoError;
    }
  } else if (stop.reason() == StopReason::kSignal) {
    result.outcome = Outcome::kStopped;
    result.signal = stop.signal_number();
  } else if (uint64_t n = given_up_.load(); n > 0) {
    Note("error: " + std::to_string(n) + " spout tuple" + (n == 1 ? " was" : "s were") + " given up after " +
         std::to_string(topology_.acking.max_replays) + " replays (max.replays)");
    result.outcome = Outcome::kReplaysExhausted;
  }
  return result;
}

}  // namespace

std::string MissingImplementation(const Plan& plan, int topology, const Registry& registry) {
  for (const PlanComponent& c : plan.topologies[topology].components) {
    bool ok = c.kind == ComponentKind::kSpout ? registry.FindSpout(c.impl) != nullptr
                                              : registry.FindComponent(c.kind, c.impl) != nullptr;
    if (!ok) return std::string(KindName(c.kind)) + " '" + c.name + "' (" + c.location + "): '" + c.impl + "'";
    for (const PlanStream& s : c.streams) {
      for (const PlanEdge& e : s.edges) {
        if (e.grouping.kind == GroupingKind::kCustom && !registry.FindGrouping(e.grouping.custom)) {
          return "custom grouping '" + e.grouping.custom + "'";
        }
      }
    }
  }
  return "";
}

JobResult RunTopology(const Plan& plan, int topology, const Registry& registry, const JobOptions& opts,
                      std::ostream& diag) {
  std::unique_ptr<tbb::global_control> threads;
  if (opts.threads > 0) {
    threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, opts.threads);
  }
  StopSignal::Get().Reset();
  Job job(plan, plan.topologies[topology], registry, opts, diag);
  return job.Run();
}

}  // namespace smc::rt
