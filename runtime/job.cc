#include "runtime/job.h"

#include <tbb/global_control.h>

#include "dsl/settings.h"
#include "runtime/job_internal.h"

namespace smc::rt {
namespace job_internal {

void Shared::Kept(bool kept) {
  if (kept || in_->reported_warned.exchange(true)) return;
  job_->Note("warning: " + std::string(KindName(in_->comp->kind)) + " '" + in_->comp->name +
             "' reports more metrics than are kept (" + std::to_string(ReportedMetrics::kMaxNames) +
             " names, values up to " + std::to_string(ReportedMetrics::kMaxValueBytes) + " bytes)");
}

void Job::Fail(const Instance& in, const std::string& what, bool io) {
  if (!io) failed_not_io_.store(true);
  failed_.store(true);
  in.router->CountError();
  Note("error: " + std::string(KindName(in.comp->kind)) + " '" + in.comp->name + "' (" + in.comp->location +
       (in.comp->parallelism > 1 ? ", instance " + std::to_string(in.index) : "") + ") failed: " + what);
  StopSignal::Get().Request(StopReason::kFailure);
}

Instance* Job::MakeInstance(int c, int index) {
  const PlanComponent& pc = topology_.components[c];
  auto owned = std::make_unique<Instance>();
  Instance* in = owned.get();
  in->comp = &pc;
  in->index = index;
  in->ctx.component = pc.name;
  in->ctx.location = pc.location;
  in->ctx.instance = index;
  in->ctx.parallelism = pc.parallelism;
  in->ctx.args = &pc.args;
  for (const PlanInput& pi : pc.inputs) in->ctx.input_fields.push_back(pi.fields);
  for (const PlanStream& s : pc.streams) {
    in->ctx.stream_names.push_back(s.name);
    in->ctx.stream_fields.push_back(s.fields);
  }
  in->ctx.base_dir = plan_.base_dir;
  in->ctx.outputs = &outputs_;
  in->ctx.tick_ns = pc.tick_ns;
  in->ctx.batch_size = pc.batch_size;
  in->ctx.linger_ns = pc.linger_ns;
  in->ctx.subprocess_timeout_ns = pc.subprocess_timeout_ns;
  in->ctx.on_failure = pc.on_failure;
  in->ctx.max_restarts = pc.max_restarts;
  in->ctx.topology = ViewOf(topology_, c);
  in->ctx.component_index = c;
  in->ctx.task_id = next_task_++;
  in->ctx.first_task = first_task_;
  in->ctx.acking = topology_.acking.on;
  in->ctx.acker = acker_.get();
  in->ctx.message_timeout_ns = topology_.acking.message_timeout_ns;
  in->queued_by_input = std::make_unique<std::atomic<int>[]>(pc.inputs.size());
  for (size_t k = 0; k < pc.inputs.size(); ++k) in->queued_by_input[k].store(0);
  in->shared = std::make_unique<Shared>(this, in);
  in->ctx.shared = in->shared.get();
  in->router = std::make_unique<Router>(topology_, c, index, first_task_, &pool_, this);
  if (acker_) in->router->EnableAcking(acker_.get());
  in->eos_expected = pc.UpstreamInstances(topology_.components);
  in->router->set_unrouted([this, c, &pc](std::string_view input, std::string_view reason) {
    if (shown_errors_[c].fetch_add(1) >= kShownErrors) return;
    std::string line =
        "error: " + std::string(KindName(pc.kind)) + " '" + pc.name + "' (" + pc.location + "): " + std::string(reason);
    if (!input.empty()) {
      line += " (input: " + std::string(input.substr(0, kShownInputBytes)) +
              (input.size() > kShownInputBytes ? "...)" : ")");
    }
    Note(line);
  });
  if (pc.kind != ComponentKind::kSpout) {
    in->node = std::make_unique<Node>(graph_, tbb::flow::serial, [this, in](const Message& m) {
      Process(*in, m);
      return tbb::flow::continue_msg();
    });
  }
  instances_.push_back(std::move(owned));
  all_[c].push_back(in);
  return in;
}

bool Job::OpenInstance(Instance& in) {
  const PlanComponent& c = *in.comp;
  bool ok = Guard(in, [&] {
    if (c.kind == ComponentKind::kSpout) {
      in.spout = (*registry_.FindSpout(c.impl))();
    } else {
      in.component = (*registry_.FindComponent(c.kind, c.impl))();
    }
    in.router->PrepareCustom(registry_);
    if (in.spout) {
      in.spout->Open(in.ctx);
    } else {
      in.component->Open(in.ctx);
    }
  });
  if (!ok || !acker_) return ok;
  if (in.spout) {
    Instance* self = &in;
    in.acking = std::make_unique<SpoutAcking>(in.router.get(), in.spout.get(), topology_.acking,
                                              [this, self](const std::string& what) { GaveUp(*self, what); });
  } else {
    in.ack_mode = in.component->Acking();
  }
  return true;
}

void Job::LinkDownstream() {
  const auto& comps = topology_.components;
  for (size_t c = 0; c < comps.size(); ++c) {
    std::vector<bool> seen = topology_.Downstream(static_cast<int>(c));
    for (Instance* in : live_[c]) {
      in->downstream.clear();
      for (size_t d = 0; d < comps.size(); ++d) {
        if (seen[d]) in->downstream.insert(in->downstream.end(), live_[d].begin(), live_[d].end());
      }
    }
  }
}

bool Job::Build() {
  const auto& comps = topology_.components;
  live_.resize(comps.size());
  all_.resize(comps.size());
  for (const PlanComponent& pc : comps) {
    first_task_.push_back(next_task_);
    next_task_ += pc.parallelism;
  }
  next_task_ = 1;
  shown_errors_ = std::make_unique<std::atomic<uint64_t>[]>(comps.size());
  for (size_t c = 0; c < comps.size(); ++c) shown_errors_[c].store(0);
  // Every instance gets its router and node before any component is made
  // or opened, so a failure leaves a whole job that can still report its
  // metrics. The live lists never reallocate (a rebalance adds to them
  // while producers may look: Deliver).
  for (size_t c = 0; c < comps.size(); ++c) {
    live_[c].reserve(kMaxParallelism);
    for (int i = 0; i < comps[c].parallelism; ++i) live_[c].push_back(MakeInstance(static_cast<int>(c), i));
  }
  // Components are made and opened in order, and the first that fails ends the build.
  for (auto& in : instances_) {
    if (!OpenInstance(*in)) return false;
  }
  LinkDownstream();  // for the spouts' backpressure
  return true;
}

void Job::Process(Instance& in, const Message& m) {
  std::lock_guard<std::mutex> lock(in.mu);
  ++in.turns;
  switch (m.kind) {
    case Message::Kind::kData: {
      ++in.batches_received;
      if (!in.failed && !in.finished) {
        int64_t t0 = Now();
        in.active.Add(1, t0);
        in.router->ClearAnchors();
        if (in.ack_mode == AckMode::kAuto) in.router->BeginAutoAck(*m.batch);
        Guard(in, [&] { in.component->Execute(*m.batch, m.input, *in.router); });
        if (in.router->acking()) {
          in.router->ClearAnchors();
          in.router->EndAutoAck();
          if (in.ack_mode == AckMode::kHold) in.router->HoldAll(*m.batch);
          in.router->FlushAcks();
        }
        in.active.Add(-1, Now());
        in.executed.fetch_add(m.batch->size(), std::memory_order_relaxed);
        FlushOrMarkDirty(in, t0);
      }
      pool_.Put(m.batch);
      in.pending.fetch_sub(1, std::memory_order_relaxed);
      in.queued_by_input[m.input].fetch_sub(1, std::memory_order_relaxed);
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
        FlushOrMarkDirty(in, Now());
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

JobResult Job::Run() {
  JobResult result;
  start_ns_ = Now();
  if (topology_.acking.on) acker_ = std::make_unique<Acker>(time_, topology_.acking.message_timeout_ns);
  if (opts_.live_status) {  // data written to the same terminal first clears the status line
    outputs_.set_terminal_guard([this](const std::function<void()>& write) {
      std::lock_guard<std::mutex> lock(diag_mu_);
      ClearStatusLocked();
      write();
    });
  }
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
  } else if (acker_ && stop.reason() == StopReason::kNone && acker_->InFlight() > 0) {
    // Cannot happen by design (spouts wait for their trees, aggregators
    // release theirs at the end): say so rather than end quietly.
    Note("error: " + std::to_string(acker_->InFlight()) + " tuple trees were not complete at the end");
    result.outcome = Outcome::kComponentFailed;
  } else if (uint64_t n = given_up_.load(); n > 0) {
    Note("error: " + std::to_string(n) + " spout tuple" + (n == 1 ? " was" : "s were") + " given up after " +
         std::to_string(topology_.acking.max_replays) + " replays (max.replays)");
    result.outcome = Outcome::kReplaysExhausted;
  }
  return result;
}

}  // namespace job_internal

using job_internal::Job;

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
