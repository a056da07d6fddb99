#include "runtime/job.h"

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <ostream>
#include <thread>
#include <vector>

#include <tbb/concurrent_queue.h>
#include <tbb/flow_graph.h>
#include <tbb/global_control.h>

#include "runtime/outputs.h"
#include "runtime/stop.h"

namespace smc::rt {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Message {
  enum class Kind : uint8_t { kData, kEos, kFlush, kTick, kWake };
  Kind kind = Kind::kData;
  int input = 0;           // kData, kEos: which input of the consumer
  Batch* batch = nullptr;  // kData: owned by the receiver
  uint64_t count = 0;      // kEos: data batches the sender sent on this input
};

using Node = tbb::flow::function_node<Message, tbb::flow::continue_msg, tbb::flow::queueing>;

class Job;
class Router;
struct Instance;
void MarkDirty(Instance& in, int64_t now);

// One instance of a component (a Storm executor).
class Shared;

struct Instance {
  const PlanComponent* comp = nullptr;
  int index = 0;  // among the component's instances
  int task_id = 1;
  std::mutex mu;  // held while the instance runs; components' own threads take it to emit
  std::unique_ptr<Shared> shared;
  std::atomic<bool> wake_posted{false};
  bool finishing = false;  // Finish was called, Done() said not yet
  std::unique_ptr<Component> component;
  std::unique_ptr<Spout> spout;
  Context ctx;
  std::unique_ptr<Router> router;
  std::unique_ptr<Node> node;

  // Touched only by the instance's own (serial) body.
  int eos_expected = 0;
  int eos_received = 0;
  uint64_t batches_expected = 0;
  uint64_t batches_received = 0;
  bool finished = false;
  bool failed = false;

  // Shared with the clock thread and with producers.
  std::atomic<int> pending{0};            // data batches queued, not yet processed
  std::atomic<int64_t> dirty_since{0};    // when output started waiting in partial batches; 0: none
  std::atomic<bool> flush_posted{false};
  std::atomic<bool> tick_posted{false};
  std::atomic<bool> done{false};
  std::atomic<uint64_t> executed{0};
  std::atomic<uint64_t> busy_ns{0};
  int64_t tick_ns = 0;                    // tick period; 0: none
  int64_t next_tick_ns = 0;               // clock thread only
  std::vector<Instance*> downstream;      // every instance this one's output can reach
};

// Batches are recycled: allocation is the main cost of moving small batches.
class BatchPool {
 public:
  ~BatchPool() {
    Batch* b;
    while (free_.try_pop(b)) delete b;
  }
  Batch* Get(int width, int batch_size) {
    Batch* b;
    if (free_.try_pop(b)) {
      size_.fetch_sub(1, std::memory_order_relaxed);
      b->Reset(width);
      return b;
    }
    b = new Batch(width);
    b->Reserve(batch_size, static_cast<size_t>(batch_size) * 16);
    return b;
  }
  void Put(Batch* b) {
    if (size_.load(std::memory_order_relaxed) > kMaxFree || b->bytes() > (1u << 20)) {
      delete b;
      return;
    }
    size_.fetch_add(1, std::memory_order_relaxed);
    free_.push(b);
  }

 private:
  static constexpr int kMaxFree = 4096;
  tbb::concurrent_queue<Batch*> free_;
  std::atomic<int> size_{0};
};

class Job {
 public:
  Job(const Plan& plan, const PlanTopology& topology, const Registry& registry, const JobOptions& opts,
      std::ostream& diag)
      : plan_(plan), topology_(topology), registry_(registry), opts_(opts), diag_(diag) {}

  JobResult Run();

  void Deliver(Instance* to, Message m) {
    if (m.kind == Message::Kind::kData) to->pending.fetch_add(1, std::memory_order_relaxed);
    to->node->try_put(m);
  }
  Batch* NewBatch(int width, int batch_size) { return pool_.Get(width, batch_size); }
  Instance* InstanceOf(int component, int index) { return instances_[first_[component] + index].get(); }
  void Fail(const Instance& in, const std::string& what);
  void Note(const std::string& line) { Say("smc: " + line); }
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
  void Throttle(Instance& in);
  void ClockLoop();
  void ReleaseComponents();
  void PrintStatus(double seconds);
  void ClearStatusLocked();
  JobMetrics Collect(double seconds);

  const Plan& plan_;
  const PlanTopology& topology_;
  const Registry& registry_;
  JobOptions opts_;
  std::ostream& diag_;
  std::mutex diag_mu_;
  bool status_shown_ = false;
  std::vector<uint64_t> status_counts_;  // per component, at the last status line
  double status_seconds_ = 0;

  tbb::flow::graph graph_;
  BatchPool pool_;
  Outputs outputs_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::vector<int> first_;  // index of each component's first instance
  std::atomic<int> unfinished_{0};
  std::atomic<bool> failed_{false};
  int64_t start_ns_ = 0;
};

// Routes what one instance emits: groupings choose target instances inside
// the producer, tuples collect in per-target batches, full batches go out.
class Router final : public Emitter {
 public:
  Router(Job* job, Instance* self, const PlanTopology& t) : job_(job), self_(self) {
    const PlanComponent& c = *self->comp;
    batch_size_ = c.batch_size;
    errors_stream_ = self->ctx.Stream("errors");
    for (const PlanStream& s : c.streams) {
      Stream& out = streams_.emplace_back();
      out.width = static_cast<int>(s.fields.size());
      for (const PlanEdge& e : s.edges) {
        Edge& edge = out.edges.emplace_back();
        edge.plan = &e;
        const PlanComponent& consumer = t.components[e.consumer];
        for (int i = 0; i < consumer.parallelism; ++i) edge.targets.push_back({job->InstanceOf(e.consumer, i)});
        edge.rr = static_cast<uint64_t>(self->index) % edge.targets.size();  // spread producers' first picks
        edge.load.assign(edge.targets.size(), 0);
      }
    }
  }

  ~Router() override {
    for (Stream& s : streams_) {
      for (Edge& e : s.edges) {
        for (Target& t : e.targets) delete t.open;
      }
    }
  }

  // Creates custom groupings; throws if one is unknown (checked before).
  void PrepareCustom(const Registry& registry) {
    for (size_t si = 0; si < streams_.size(); ++si) {
      for (Edge& e : streams_[si].edges) {
        if (e.plan->grouping.kind != GroupingKind::kCustom) continue;
        e.custom = (*registry.FindGrouping(e.plan->grouping.custom))();
        e.custom->Prepare(static_cast<int>(e.targets.size()), e.plan->grouping.custom_args,
                          self_->comp->streams[si].fields);
      }
    }
  }

  void Emit(int stream, const Datum* v) override {
    Bump(emitted_);
    Stream& s = streams_[stream];
    for (Edge& e : s.edges) {
      const size_t n = e.targets.size();
      switch (e.plan->grouping.kind) {
        case GroupingKind::kShuffle:
        case GroupingKind::kLocal:
        case GroupingKind::kNone:
          Put(e, s.width, e.rr, v);
          if (++e.rr == n) e.rr = 0;
          break;
        case GroupingKind::kFields:
          Put(e, s.width, Reduce(KeyHash(e, v), n), v);
          break;
        case GroupingKind::kPartial: {
          // Storm's partial-key grouping: two candidates per key, the less loaded wins.
          uint64_t h = KeyHash(e, v);
          size_t a = Reduce(h, n), b = Reduce(h * 0x9e3779b97f4a7c15ULL, n);
          size_t t = e.load[a] <= e.load[b] ? a : b;
          ++e.load[t];
          Put(e, s.width, t, v);
          break;
        }
        case GroupingKind::kAll:
          for (size_t t = 0; t < n; ++t) Put(e, s.width, t, v);
          break;
        case GroupingKind::kGlobal:
          Put(e, s.width, 0, v);
          break;
        case GroupingKind::kDirect:
          break;  // only EmitDirect reaches direct subscribers
        case GroupingKind::kCustom:
          e.chosen.clear();
          e.custom->Choose(v, &e.chosen);
          for (int t : e.chosen) {
            if (t < 0 || static_cast<size_t>(t) >= n) {
              throw std::runtime_error("custom grouping '" + e.plan->grouping.custom + "' chose instance " +
                                       std::to_string(t) + " of " + std::to_string(n));
            }
            Put(e, s.width, static_cast<size_t>(t), v);
          }
          break;
      }
    }
  }

  void EmitAll(int stream, const Batch& batch) override {
    Stream& s = streams_[stream];
    bool all_shuffled = true;
    for (const Edge& e : s.edges) {
      GroupingKind k = e.plan->grouping.kind;
      all_shuffled &= k == GroupingKind::kShuffle || k == GroupingKind::kLocal || k == GroupingKind::kNone;
    }
    if (!all_shuffled || batch.empty()) {
      Emitter::EmitAll(stream, batch);
      return;
    }
    // Shuffled subscribers: the batch goes whole to the next instance in turn.
    emitted_.store(emitted_.load(std::memory_order_relaxed) + batch.size(), std::memory_order_relaxed);
    for (Edge& e : s.edges) {
      Target& target = e.targets[e.rr];
      if (++e.rr == e.targets.size()) e.rr = 0;
      if (!target.open) {
        target.open = job_->NewBatch(s.width, batch_size_);
        ++open_;
      }
      target.open->AppendAll(batch);
      if (target.open->size() >= static_cast<size_t>(batch_size_)) Send(e, target);
    }
  }

  void EmitDirect(int stream, int instance, const Datum* v) override {
    Bump(emitted_);
    Stream& s = streams_[stream];
    for (Edge& e : s.edges) {
      if (e.plan->grouping.kind != GroupingKind::kDirect) continue;
      if (instance < 0 || static_cast<size_t>(instance) >= e.targets.size()) {
        throw std::runtime_error("direct emit to instance " + std::to_string(instance) + " of '" +
                                 job_->InstanceOf(e.plan->consumer, 0)->comp->name + "', which has " +
                                 std::to_string(e.targets.size()));
      }
      Put(e, s.width, static_cast<size_t>(instance), v);
    }
  }

  void Error(std::string_view input, std::string_view reason) override {
    Bump(errors_);
    if (errors_stream_ >= 0) {
      Datum v[2] = {Datum::Str(input), Datum::Str(reason)};
      Emit(errors_stream_, v);
      emitted_.store(emitted_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);  // an error, not an emit
    }
  }

  bool HasOpen() const { return open_ > 0; }

  /// Emit, recording the task ids the tuple goes to.
  void EmitRecording(int stream, const Datum* v, std::vector<int>* tasks) {
    record_ = tasks;
    try {
      Emit(stream, v);
    } catch (...) {
      record_ = nullptr;
      throw;
    }
    record_ = nullptr;
  }

  /// EmitDirect by Storm task id instead of instance index.
  void EmitDirectTask(int stream, int task, const Datum* v, const std::vector<int>& first_task) {
    for (Edge& e : streams_[stream].edges) {
      if (e.plan->grouping.kind != GroupingKind::kDirect) continue;
      int index = task - first_task[e.plan->consumer];
      if (index < 0 || static_cast<size_t>(index) >= e.targets.size()) {
        throw std::runtime_error("direct emit to task " + std::to_string(task) + ", which is not an instance of '" +
                                 e.targets[0].inst->comp->name + "'");
      }
      Bump(emitted_);
      Put(e, streams_[stream].width, static_cast<size_t>(index), v);
    }
  }

  void FlushAll() {
    if (open_ == 0) return;
    for (Stream& s : streams_) {
      for (Edge& e : s.edges) {
        for (Target& t : e.targets) {
          if (t.open) Send(e, t);
        }
      }
    }
  }

  void SendEos() {
    FlushAll();
    for (Stream& s : streams_) {
      for (Edge& e : s.edges) {
        for (Target& t : e.targets) {
          Message m;
          m.kind = Message::Kind::kEos;
          m.input = e.plan->input;
          m.count = t.sent;
          job_->Deliver(t.inst, m);
        }
      }
    }
  }

  uint64_t emitted() const { return emitted_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  void CountError() { errors_.fetch_add(1, std::memory_order_relaxed); }

  // Counters written by the owning instance only and read by others: a
  // relaxed load and store, without a locked read-modify-write per tuple.
  static void Bump(std::atomic<uint64_t>& c) { c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }

 private:
  struct Target {
    Instance* inst;
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

  // Maps a hash to [0, n) without a division.
  static size_t Reduce(uint64_t h, size_t n) {
    return static_cast<size_t>((static_cast<__uint128_t>(h) * n) >> 64);
  }

  static uint64_t KeyHash(const Edge& e, const Datum* v) {
    const std::vector<int>& idx = e.plan->grouping.field_indices;
    uint64_t h = HashDatum(v[idx[0]]);
    for (size_t k = 1; k < idx.size(); ++k) h = (h ^ HashDatum(v[idx[k]])) * 0x100000001b3ULL;
    return h;
  }

  void Put(Edge& e, int width, size_t t, const Datum* v) {
    Target& target = e.targets[t];
    if (record_) record_->push_back(target.inst->task_id);
    if (!target.open) {
      target.open = job_->NewBatch(width, batch_size_);
      ++open_;
    }
    target.open->Append(v);
    if (target.open->size() >= static_cast<size_t>(batch_size_)) Send(e, target);
  }

  void Send(Edge& e, Target& t) {
    Message m;
    m.kind = Message::Kind::kData;
    m.input = e.plan->input;
    m.batch = t.open;
    t.open = nullptr;
    --open_;
    ++t.sent;
    job_->Deliver(t.inst, m);
  }

  Job* job_;
  Instance* self_;
  std::vector<int>* record_ = nullptr;  // when set, Put appends each target's task id
  int batch_size_ = 256;
  int errors_stream_ = -1;
  size_t open_ = 0;  // targets with a partly filled batch
  std::vector<Stream> streams_;
  std::atomic<uint64_t> emitted_{0};
  std::atomic<uint64_t> errors_{0};
};

class Control final : public SpoutControl {
 public:
  bool Stopping() const override { return StopSignal::Get().requested(); }
  int WakeFd() const override { return StopSignal::Get().wake_fd(); }
};

// Notes when output started waiting in partly filled batches, so that the
// clock thread flushes it after batch.linger.
void MarkDirty(Instance& in, int64_t now) {
  if (in.router->HasOpen() && in.dirty_since.load(std::memory_order_relaxed) == 0) {
    in.dirty_since.store(now, std::memory_order_relaxed);
  }
}

// The runtime side of SharedEmitter: every call takes the instance's lock.
class Shared final : public SharedEmitter {
 public:
  Shared(Job* job, Instance* in) : job_(job), in_(in) {}
  void Emit(int stream, const Datum* values, std::vector<int>* tasks) override {
    std::lock_guard<std::mutex> lock(in_->mu);
    if (in_->done.load()) return;  // after the end of its stream nothing more goes out
    in_->router->EmitRecording(stream, values, tasks);
    MarkDirty();
  }
  void EmitDirect(int stream, int task, const Datum* values) override {
    std::lock_guard<std::mutex> lock(in_->mu);
    if (in_->done.load()) return;
    in_->router->EmitDirectTask(stream, task, values, in_->ctx.first_task);
    MarkDirty();
  }
  void Error(std::string_view input, std::string_view reason) override {
    std::lock_guard<std::mutex> lock(in_->mu);
    if (in_->done.load()) return;
    in_->router->Error(input, reason);
    MarkDirty();
  }
  void Wake() override {
    if (in_->done.load() || !in_->node) return;
    if (!in_->wake_posted.exchange(true)) {
      Message m;
      m.kind = Message::Kind::kWake;
      in_->node->try_put(m);
    }
  }
  void Hold(int batches) override { in_->pending.fetch_add(batches, std::memory_order_relaxed); }
  void Fail(const std::string& what) override;
  void Log(const std::string& line) override;

 private:
  void MarkDirty() { ::smc::rt::MarkDirty(*in_, NowNs()); }
  Job* job_;
  Instance* in_;
};

void Shared::Fail(const std::string& what) { job_->Fail(*in_, what); }
void Shared::Log(const std::string& line) { job_->Say(line); }

void Job::Fail(const Instance& in, const std::string& what) {
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
      in->task_id = static_cast<int>(instances_.size()) + 1;
      in->ctx.task_id = in->task_id;
      instances_.push_back(std::move(in));
    }
  }
  std::vector<int> first_task;
  for (int f : first_) first_task.push_back(f + 1);
  for (auto& in : instances_) {
    in->ctx.first_task = first_task;
    in->shared = std::make_unique<Shared>(this, in.get());
    in->ctx.shared = in->shared.get();
  }
  // Every instance gets its router, component and node before any is opened,
  // so a failing Open leaves a whole job that can still report its metrics.
  for (auto& in : instances_) {
    const PlanComponent& c = *in->comp;
    in->router = std::make_unique<Router>(this, in.get(), topology_);
    in->eos_expected = c.UpstreamInstances(comps);
    if (c.kind == ComponentKind::kSpout) {
      in->spout = (*registry_.FindSpout(c.impl))();
    } else {
      in->component = (*registry_.FindComponent(c.kind, c.impl))();
      Instance* self = in.get();
      in->node = std::make_unique<Node>(graph_, tbb::flow::serial, [this, self](const Message& m) {
        Process(*self, m);
        return tbb::flow::continue_msg();
      });
    }
  }
  for (auto& in : instances_) {
    try {
      in->router->PrepareCustom(registry_);
      if (in->spout) {
        in->spout->Open(in->ctx);
      } else {
        in->component->Open(in->ctx);
        in->tick_ns = in->comp->tick_ns > 0 ? in->comp->tick_ns : in->component->DefaultTickNs();
      }
    } catch (const std::exception& e) {
      Fail(*in, e.what());
      return false;
    }
  }
  // What each instance's output can reach, for the spouts' backpressure.
  for (size_t c = 0; c < comps.size(); ++c) {
    std::vector<bool> seen(comps.size(), false);
    std::vector<int> stack = {static_cast<int>(c)};
    while (!stack.empty()) {
      int cur = stack.back();
      stack.pop_back();
      for (const PlanStream& s : comps[cur].streams) {
        for (const PlanEdge& e : s.edges) {
          if (!seen[e.consumer]) {
            seen[e.consumer] = true;
            stack.push_back(e.consumer);
          }
        }
      }
    }
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
        int64_t t0 = NowNs();
        try {
          in.component->Execute(*m.batch, m.input, *in.router);
        } catch (const std::exception& e) {
          in.failed = true;
          Fail(in, e.what());
        }
        in.busy_ns.fetch_add(static_cast<uint64_t>(NowNs() - t0), std::memory_order_relaxed);
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
        if (!in.failed) {
          try {
            in.component->Poll(*in.router);
          } catch (const std::exception& e) {
            in.failed = true;
            Fail(in, e.what());
          }
        }
        MarkDirty(in, NowNs());
        if (in.finishing && (in.failed || in.component->Done())) CompleteFinish(in);
      }
      return;
    case Message::Kind::kTick:
      in.tick_posted.store(false);
      if (!in.finished && !in.failed) {
        try {
          in.component->Tick(*in.router);
        } catch (const std::exception& e) {
          in.failed = true;
          Fail(in, e.what());
        }
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
  if (!in.failed) {
    try {
      in.component->Finish(*in.router);
    } catch (const std::exception& e) {
      in.failed = true;
      Fail(in, e.what());
    }
  }
  if (!in.failed && !in.component->Done()) {
    in.finishing = true;  // a Wake will ask again
    return;
  }
  CompleteFinish(in);
}

void Job::CompleteFinish(Instance& in) {
  in.finishing = false;
  in.router->SendEos();
  in.done.store(true);
  unfinished_.fetch_sub(1);
}

void Job::Throttle(Instance& in) {
  int64_t wait_ns = 20'000;
  while (!StopSignal::Get().requested()) {
    bool full = outputs_.queued_bytes() > (64u << 20);
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
    wait_ns = std::min<int64_t>(wait_ns * 2, 1'000'000);
  }
}

void Job::SpoutLoop(Instance& in) {
  Control control;
  int64_t dirty_since = 0;
  const int64_t linger = in.comp->linger_ns;
  try {
    while (!control.Stopping()) {
      Throttle(in);
      bool more = in.spout->Next(*in.router, control);
      if (in.router->HasOpen()) {
        int64_t now = NowNs();
        if (dirty_since == 0) dirty_since = now;
        if (now - dirty_since >= linger) {
          in.router->FlushAll();
          dirty_since = 0;
        }
      } else {
        dirty_since = 0;
      }
      if (!more) break;
    }
  } catch (const std::exception& e) {
    Fail(in, e.what());
  }
  in.router->SendEos();
  in.done.store(true);
  unfinished_.fetch_sub(1);
  graph_.release_wait();
}

void Job::ClockLoop() {
  int64_t next_status = NowNs() + 1'000'000'000;
  int64_t deadline = opts_.run_for_ns > 0 ? start_ns_ + opts_.run_for_ns : 0;
  while (unfinished_.load() > 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(250));
    int64_t now = NowNs();
    if (deadline && now >= deadline) {
      StopSignal::Get().Request(StopReason::kDeadline);
      deadline = 0;
    }
    if (Writer* w = outputs_.Failed()) {
      StopSignal::Get().Request(w->error() == EPIPE ? StopReason::kBrokenPipe : StopReason::kOutputError);
    }
    for (auto& in : instances_) {
      if (!in->node || in->done.load(std::memory_order_relaxed)) continue;
      int64_t dirty = in->dirty_since.load(std::memory_order_relaxed);
      if (dirty && now - dirty >= in->comp->linger_ns && !in->flush_posted.exchange(true)) {
        Message m;
        m.kind = Message::Kind::kFlush;
        in->node->try_put(m);
      }
      if (in->tick_ns > 0) {
        if (in->next_tick_ns == 0) in->next_tick_ns = start_ns_ + in->tick_ns;
        if (now >= in->next_tick_ns) {
          in->next_tick_ns += in->tick_ns;
          if (in->next_tick_ns < now) in->next_tick_ns = now + in->tick_ns;
          if (!in->tick_posted.exchange(true)) {
            Message m;
            m.kind = Message::Kind::kTick;
            in->node->try_put(m);
          }
        }
      }
    }
    if (now >= next_status) {
      double seconds = (now - start_ns_) / 1e9;
      if (opts_.live_status) PrintStatus(seconds);
      if (opts_.on_status) opts_.on_status(Collect(seconds), StopSignal::Get().requested());
      next_status = now + 1'000'000'000;
    }
  }
  graph_.release_wait();
}

// Components go first, while the instances and contexts they report to still
// exist (a subprocess component stops its child and threads here).
void Job::ReleaseComponents() {
  for (auto& in : instances_) {
    in->component.reset();
    in->spout.reset();
  }
}

void Job::PrintStatus(double seconds) {
  // Rates over the last interval: what is happening now, not the average.
  JobMetrics m = Collect(seconds);
  std::string line = "smc: " + topology_.name + " " + std::to_string(static_cast<int>(seconds)) + "s";
  status_counts_.resize(m.components.size(), 0);
  double interval = seconds - status_seconds_;
  for (size_t i = 0; i < m.components.size(); ++i) {
    const ComponentMetrics& c = m.components[i];
    uint64_t n = c.kind == "spout" ? c.emitted : c.executed;
    line += " | " + c.name + " " + ShortCount(interval > 0 ? (n - status_counts_[i]) / interval : 0) + "/s";
    status_counts_[i] = n;
  }
  status_seconds_ = seconds;
  std::lock_guard<std::mutex> lock(diag_mu_);
  diag_ << "\r\033[K" << line.substr(0, 200) << std::flush;
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
    ComponentMetrics cm;
    cm.name = pc.name;
    cm.kind = std::string(KindName(pc.kind));
    cm.impl = pc.impl;
    cm.location = pc.location;
    cm.parallelism = pc.parallelism;
    uint64_t busy = 0, max_busy = 0;
    for (int i = 0; i < pc.parallelism; ++i) {
      Instance* in = InstanceOf(static_cast<int>(c), i);
      cm.emitted += in->router->emitted();
      cm.errors += in->router->errors();
      cm.executed += in->executed.load(std::memory_order_relaxed);
      uint64_t b = in->busy_ns.load(std::memory_order_relaxed);
      busy += b;
      max_busy = std::max(max_busy, b);
    }
    cm.execute_latency_ms = cm.executed ? busy / 1e6 / cm.executed : 0;
    cm.capacity = seconds > 0 ? max_busy / 1e9 / seconds : 0;
    m.components.push_back(std::move(cm));
  }
  return m;
}

JobResult Job::Run() {
  JobResult result;
  start_ns_ = NowNs();
  if (!Build()) {
    result.exit_status = 70;
    result.metrics = Collect(0);
    ReleaseComponents();
    return result;
  }
  unfinished_.store(static_cast<int>(instances_.size()));
  // Instances without inputs below a spout would never start: none exist in
  // a validated graph, but an instance with no upstream finishes at once.
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
  double seconds = (NowNs() - start_ns_) / 1e9;
  {
    std::lock_guard<std::mutex> lock(diag_mu_);
    ClearStatusLocked();
  }
  result.metrics = Collect(seconds);
  for (const ComponentMetrics& c : result.metrics.components) {
    // Bad input is never lost silently: if no stream took it, say how much there was.
    const PlanComponent* pc = nullptr;
    for (const PlanComponent& x : topology_.components) {
      if (x.name == c.name) pc = &x;
    }
    bool has_reader = false;
    for (const PlanStream& s : pc->streams) {
      if (s.name == "errors") has_reader = !s.edges.empty();
    }
    bool has_errors_stream = false;
    for (const PlanStream& s : pc->streams) has_errors_stream |= s.name == "errors";
    if (c.errors > 0 && !has_reader && !failed_.load()) {
      Note("warning: " + c.kind + " '" + c.name + "' (" + c.location + ") reported " + std::to_string(c.errors) +
           " error" + (c.errors == 1 ? "" : "s") +
           (has_errors_stream ? "; read its 'errors' stream to see them" : " (see above)"));
    }
  }
  StopSignal& stop = StopSignal::Get();
  if (failed_.load()) {
    result.exit_status = 70;
  } else if (Writer* w = outputs_.Failed()) {
    if (w->error() == EPIPE) {
      result.exit_status = 141;  // like any tool whose reader went away: quietly
    } else {
      Note("error: cannot write to " + w->name() + ": " + std::strerror(w->error()));
      result.exit_status = 74;
    }
  } else if (stop.reason() == StopReason::kSignal) {
    result.exit_status = 128 + stop.signal_number();
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
