// smc rebalance, carried out on the job's clock thread (runtime/rebalance.h).
//
// 1. Every requested change is checked; one refused refuses them all, and
//    nothing is paused.
// 2. The spouts pause (each parks, with its own batches flushed) and the job
//    drains: nothing queued anywhere, nothing open in any router, no flush,
//    tick or wake-up pending, in two scans in a row between which no
//    instance took a turn. Only a parked spout or a message could start new
//    work, so the job then stays still until the spouts resume.
// 3. Each component changes: producers' routers retarget to the new
//    instances; consumers expect one more end-of-stream mark per instance
//    added (a removed one sends its own). Stateless components gain
//    instances, and the removed ones finish as at the end of their stream
//    (a subprocess ends). Keyed components get fresh instances for the new
//    count, and every old one moves its state into them by the routers' own
//    hash (Component::MoveState), so each key's state is where its tuples
//    now go; the removed ones only pass the end of the stream on.
// 4. The spouts resume.
#include "dsl/settings.h"
#include "runtime/job_internal.h"

namespace smc::rt::job_internal {

namespace {

using SteadyClock = std::chrono::steady_clock;

std::string Quoted(const std::string& s) {
  return "'" + s + "'";
}

// The grouping of input `k` of component `c`.
const GraphGrouping* InputGrouping(const PlanTopology& t, int c, int k) {
  const PlanInput& pi = t.components[c].inputs[k];
  for (const PlanEdge& e : t.components[pi.source].streams[pi.stream].edges) {
    if (e.consumer == c && e.input == k) return &e.grouping;
  }
  return nullptr;
}

}  // namespace

std::string Job::CheckRebalance(int c, int parallelism) {
  const PlanComponent& pc = topology_.components[c];
  const std::string name = Quoted(pc.name);
  if (StopSignal::Get().requested()) return "the job is stopping";
  if (pc.kind == ComponentKind::kSpout) {
    return name + " is a spout: rebalance changes the instances of bolts and sinks";
  }
  if (parallelism < 1 || parallelism > kMaxParallelism) {
    return "the parallelism of " + name + " must be between 1 and " + std::to_string(kMaxParallelism) + ", got " +
           std::to_string(parallelism);
  }
  for (size_t k = 0; k < pc.inputs.size(); ++k) {
    const PlanComponent& src = topology_.components[pc.inputs[k].source];
    const GraphGrouping* g = InputGrouping(topology_, c, static_cast<int>(k));
    if (g && g->kind == GroupingKind::kDirect) {
      return name + " reads " + Quoted(src.name) + " with 'direct': its emitters name task ids, which are fixed";
    }
    for (Instance* p : live_[pc.inputs[k].source]) {
      if (p->done.load()) return Quoted(src.name) + " has ended its stream into " + name;
    }
  }
  Rescaling r;
  for (Instance* in : live_[c]) {
    std::lock_guard<std::mutex> lock(in->mu);
    if (in->done.load() || in->finished || in->failed) return name + " has ended its input";
    r = in->component->Rescalable();
  }
  if (r.kind == Rescaling::kNone) {
    return name + " (" + pc.impl + ") keeps state that cannot move between instances";
  }
  if (r.kind == Rescaling::kKeyed) {
    for (size_t k = 0; k < pc.inputs.size(); ++k) {
      const GraphGrouping* g = InputGrouping(topology_, c, static_cast<int>(k));
      const int key = k < r.key.size() ? r.key[k] : -1;
      const bool by_key = g && (g->kind == GroupingKind::kFields || g->kind == GroupingKind::kPartial) &&
                          g->field_indices.size() == 1 && g->field_indices[0] == key;
      if (by_key) continue;
      const std::vector<std::string>& fields = pc.inputs[k].fields;
      const std::string field = key >= 0 && key < static_cast<int>(fields.size()) ? fields[key] : "its key";
      const std::string grouping = g ? std::string(GroupingName(g->kind)) : "?";
      return name + " (" + pc.impl + ") keeps its state per '" + field + "', but reads " +
             Quoted(topology_.components[pc.inputs[k].source].name) + " with '" + grouping +
             "': its state can move only when every input is grouped by fields(" + field + ")";
    }
  }
  return "";
}

bool Job::Idle(std::vector<uint64_t>* turns) {
  turns->clear();
  for (auto& owned : instances_) {
    Instance& in = *owned;
    if (in.done.load()) {
      turns->push_back(0);
      continue;
    }
    if (in.spout && !in.parked.load()) return false;
    std::lock_guard<std::mutex> lock(in.mu);
    if (in.router->HasOpen()) return false;
    if (in.node && (in.pending.load() != 0 || in.flush_posted.load() || in.wake_posted.load() ||
                    in.tick_posted.load() || in.finishing)) {
      return false;
    }
    turns->push_back(in.turns);
  }
  return true;
}

bool Job::Drain(int64_t wait_ns, std::string* why) {
  const auto deadline = SteadyClock::now() + std::chrono::nanoseconds(wait_ns);
  std::vector<uint64_t> before, now;
  bool idle_before = false;
  while (true) {
    // This thread flushes lingering batches, and it is here.
    for (auto& owned : instances_) {
      Instance& in = *owned;
      if (!in.node || in.done.load()) continue;
      if (in.dirty_since.load(std::memory_order_relaxed) != 0 && !in.flush_posted.exchange(true)) {
        Message m;
        m.kind = Message::Kind::kFlush;
        in.node->try_put(m);
      }
    }
    const bool idle = Idle(&now);
    if (idle && idle_before && now == before) return true;
    idle_before = idle;
    before.swap(now);
    if (StopSignal::Get().requested()) {
      *why = "the job began stopping";
      return false;
    }
    if (SteadyClock::now() >= deadline) {
      uint64_t queued = 0;
      for (auto& in : instances_) queued += static_cast<uint64_t>(std::max(0, in->pending.load()));
      *why = "it did not drain within the wait (" + std::to_string(queued) + " batches still queued)";
      return false;
    }
    std::this_thread::sleep_for(kDrainStep);
  }
}

void Job::Retire(Instance& in, bool finish) {
  std::lock_guard<std::mutex> lock(in.mu);
  in.eos_expected = in.eos_received;  // no producer sends it anything more
  in.batches_expected = in.batches_received;
  if (finish) {
    MaybeFinish(in);  // Finish, and the end passed on once Done (a subprocess may take a while)
  } else {
    in.finished = true;
    CompleteFinish(in);
  }
}

void Job::Resize(int c, int parallelism) {
  PlanComponent& pc = topology_.components[c];
  const int old_n = pc.parallelism;
  if (parallelism == old_n) return;
  std::vector<Instance*>& live = live_[c];
  const bool keyed = live[0]->component->Rescalable().kind == Rescaling::kKeyed;
  pc.parallelism = parallelism;  // what new instances' contexts and routers see

  std::vector<Instance*> added;
  for (int i = old_n; i < parallelism; ++i) {
    Instance* in = MakeInstance(c, i);
    added.push_back(in);
    unfinished_.fetch_add(1);
    if (!OpenInstance(*in)) {  // reported; the job fails and drains
      in->finished = true;
      CompleteFinish(*in);
    }
  }
  for (Instance* in : live) in->ctx.parallelism = parallelism;

  if (keyed) {
    // Fresh components in the surviving instances, then every old one's
    // state into the new set.
    std::vector<std::unique_ptr<Component>> fresh(std::min(old_n, parallelism));
    std::vector<Component*> to;
    for (size_t i = 0; i < fresh.size(); ++i) {
      Instance& in = *live[i];
      Guard(in, [&] {
        fresh[i] = (*registry_.FindComponent(pc.kind, pc.impl))();
        fresh[i]->Open(in.ctx);
      });
      to.push_back(fresh[i].get());
    }
    for (Instance* in : added) to.push_back(in->component.get());
    const size_t n = static_cast<size_t>(parallelism);
    KeyRoute route = [n](const Datum& key) {
      return ReduceHash(HashDatum(key), n);
    };  // fields(key) and partial's first
    bool complete = std::find(to.begin(), to.end(), nullptr) == to.end();
    for (int i = 0; i < old_n && complete; ++i) {
      Instance& in = *live[i];
      std::lock_guard<std::mutex> lock(in.mu);
      Guard(in, [&] { in.component->MoveState(to, route); });
    }
    for (size_t i = 0; i < fresh.size() && complete; ++i) {
      Instance& in = *live[i];
      std::lock_guard<std::mutex> lock(in.mu);
      Guard(in, [&] { in.component = std::move(fresh[i]); });  // the old one goes
      if (acker_ && in.component) in.ack_mode = in.component->Acking();
    }
  }

  // Producers send to the new instances only.
  std::vector<int> tasks;
  for (int i = 0; i < parallelism; ++i)
    tasks.push_back(i < old_n ? live[i]->ctx.task_id : added[i - old_n]->ctx.task_id);
  std::vector<bool> producer(topology_.components.size(), false);
  for (const PlanInput& pi : pc.inputs) producer[pi.source] = true;
  for (size_t p = 0; p < producer.size(); ++p) {
    if (!producer[p]) continue;
    for (Instance* in : live_[p]) {
      std::lock_guard<std::mutex> lock(in->mu);
      Guard(*in, [&] { in->router->Retarget(c, tasks); });
    }
  }
  // Consumers wait for an end-of-stream mark from each instance added.
  if (parallelism > old_n) {
    for (size_t d = 0; d < topology_.components.size(); ++d) {
      int reads = 0;
      for (const PlanInput& pi : topology_.components[d].inputs) reads += pi.source == c;
      for (Instance* in : live_[d]) {
        std::lock_guard<std::mutex> lock(in->mu);
        in->eos_expected += reads * (parallelism - old_n);
      }
    }
  }

  std::vector<Instance*> removed(live.begin() + std::min(old_n, parallelism), live.end());
  live.resize(std::min(old_n, parallelism));
  for (Instance* in : added) {
    live.push_back(in);
    ticks_.push_back(TickerOf(*in, Now()));
  }
  for (Instance* in : removed) {
    {
      std::scoped_lock lock(live[0]->mu, in->mu);
      live[0]->router->TakeHeld(*in->router);  // an aggregator's held trees, acked when instance 0 emits
      if (keyed) Guard(*in, [&] { in->component.reset(); });
    }
    Retire(*in, !keyed);
  }
  LinkDownstream();
}

std::string Job::Rebalance(const RebalanceRequest& request) {
  std::vector<std::pair<int, int>> changes;
  for (const auto& [name, parallelism] : request.changes) {
    int c = -1;
    for (size_t i = 0; i < topology_.components.size(); ++i) {
      if (topology_.components[i].name == name) c = static_cast<int>(i);
    }
    if (c < 0) {
      std::string names;
      for (const PlanComponent& pc : topology_.components) {
        if (pc.kind != ComponentKind::kSpout) names += (names.empty() ? "" : ", ") + pc.name;
      }
      return "refused: topology " + Quoted(topology_.name) + " has no component " + Quoted(name) +
             "; its bolts and sinks: " + names;
    }
    for (const auto& [other, n] : changes) {
      if (other == c) return "refused: " + Quoted(name) + " is named twice";
    }
    std::string why = CheckRebalance(c, parallelism);
    if (!why.empty()) return "refused: " + why;
    changes.emplace_back(c, parallelism);
  }
  paused_.store(true);
  std::string failed, refused;
  if (Drain(request.wait_ns, &failed)) {
    for (const auto& [c, parallelism] : changes) {  // something may have ended meanwhile
      refused = CheckRebalance(c, parallelism);
      if (!refused.empty()) break;
    }
    if (refused.empty()) {
      for (const auto& [c, parallelism] : changes) Resize(c, parallelism);
    }
  }
  {
    std::lock_guard<std::mutex> lock(activation_mu_);
    paused_.store(false);
  }
  activation_cv_.notify_all();
  if (!failed.empty()) return "failed: " + failed;
  if (!refused.empty()) return "refused: " + refused;
  std::string done;
  for (const auto& [c, parallelism] : changes) {
    done += (done.empty() ? "" : ", ") + topology_.components[c].name + "=" + std::to_string(parallelism);
  }
  if (opts_.interactive) Note("rebalanced: " + done);
  return "ok " + done;
}

}  // namespace smc::rt::job_internal
