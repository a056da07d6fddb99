// The job's threads: spout loops (with acking's turns), the clock thread
// (linger flushes, ticks, deadlines, the acker's timeouts, status), and
// metrics (see job_internal.h).
#include "runtime/job_internal.h"

namespace smc::rt::job_internal {

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
  if (reports) {
    in.ack_wait_ns = kAckFirstWaitNs;
  } else {
    std::this_thread::sleep_for(std::chrono::nanoseconds(in.ack_wait_ns));
    in.ack_wait_ns = std::min(in.ack_wait_ns * 2, kAckMaxWaitNs);
  }
  return true;
}

void Job::InactiveStep(Instance& in, bool* more) {
  {
    // Under the instance's lock: a rebalance may change this router meanwhile.
    std::lock_guard<std::mutex> lock(in.mu);
    in.router->FlushAll();  // nothing waits in this spout's batches meanwhile
    if (!active() && !in.told_inactive) {
      in.told_inactive = true;
      in.spout->Activate(false);
    }
    if (in.acking) {
      bool failed = false;
      if (in.acking->Drain(&failed)) in.router->FlushAcks();
      if (failed) *more = true;  // emitted again once activated
    }
  }
  in.parked.store(true);  // nothing more goes out until it runs again
  std::unique_lock<std::mutex> lock(activation_mu_);
  activation_cv_.wait_for(lock, kInactiveWait,
                          [&] { return (active() && !paused()) || StopSignal::Get().requested(); });
}

bool Job::FollowActivation() {
  const bool wanted = Activation::Get().wanted();
  if (wanted == active()) return false;
  {
    std::lock_guard<std::mutex> lock(activation_mu_);
    active_.store(wanted);
  }
  activation_cv_.notify_all();
  if (opts_.interactive) Note(wanted ? "activated: the spouts run again" : "deactivated: the spouts are paused");
  return true;
}

void Job::SpoutLoop(Instance& in) {
  Control control;
  Linger linger(in.comp->linger_ns);
  Guard(in, [&] {
    bool more = true;
    while (!control.Stopping()) {
      // A spout with nothing more to emit has nothing to deactivate (with
      // acking, it still waits for its trees as usual). A rebalance pauses
      // it whatever it does: a replay would emit. `parked` is cleared before
      // `paused` is read, so a rebalance that reads it set knows this spout
      // will see its pause.
      in.parked.store(false);
      if ((more && !active()) || (paused() && (more || in.acking))) {
        InactiveStep(in, &more);
        continue;
      }
      if (in.told_inactive) {
        in.told_inactive = false;
        in.spout->Activate(true);
      }
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
  {
    std::lock_guard<std::mutex> lock(in.mu);  // a rebalance may be changing its targets
    in.router->SendEos();
    in.done.store(true);
  }
  unfinished_.fetch_sub(1);
  graph_.release_wait();
}

void Job::ClockLoop() {
  Ticker status(start_ns_, kStatusPeriodNs);
  Ticker every(start_ns_, opts_.on_metrics ? opts_.metrics_every_ns : 0);
  Deadline deadline(opts_.run_for_ns > 0 ? start_ns_ + opts_.run_for_ns : 0);
  bool said_draining = false;
  for (auto& in : instances_) ticks_.push_back(TickerOf(*in, start_ns_));
  bool said_stop = false;
  while (unfinished_.load() > 0) {
    std::this_thread::sleep_for(active() ? kClockStep : kInactiveClockStep);
    bool status_now = FollowActivation();  // the registry shows the new state at once
    if (RebalanceSignal::Get().Take() && opts_.take_rebalance) {
      std::string warning;
      std::optional<RebalanceRequest> request = opts_.take_rebalance(&warning);
      if (!warning.empty()) Note("warning: " + warning);
      if (request) {
        std::string reply = Rebalance(*request);
        if (opts_.on_status) opts_.on_status(Collect((Now() - start_ns_) / 1e9), State());  // shows the new parallelism
        if (opts_.answer_rebalance) opts_.answer_rebalance(*request, reply);
      }
    }
    int64_t now = Now();
    if (!said_stop && StopSignal::Get().requested()) {
      said_stop = true;
      activation_cv_.notify_all();  // deactivated spouts stop now
    }
    if (deadline.Passed(now)) StopSignal::Get().Request(StopReason::kDeadline);
    if (opts_.interactive && !said_draining && StopSignal::Get().reason() == StopReason::kSignal) {
      said_draining = true;
      Note(DrainingNote(StopSignal::Get().signal_number()));
    }
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
      if (ticks_[i].Due(now) && !in.tick_posted.exchange(true)) {
        Message m;
        m.kind = Message::Kind::kTick;
        in.node->try_put(m);
      }
    }
    if (status.Due(now) || status_now) {
      double seconds = (now - start_ns_) / 1e9;
      if (opts_.live_status) ShowStatus(seconds);
      if (opts_.on_status) opts_.on_status(Collect(seconds), State());
    }
    if (every.Due(now)) opts_.on_metrics(Collect((now - start_ns_) / 1e9));
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
  const int64_t now = Now();
  m.topology = topology_.name;
  m.seconds = seconds;
  for (size_t c = 0; c < topology_.components.size(); ++c) {
    const PlanComponent& pc = topology_.components[c];
    // Counters over every instance there has been (a rebalance removes some).
    std::vector<InstanceCounts> counts;
    for (Instance* in : all_[c]) {
      counts.push_back({in->router->emitted(), in->router->errors(), in->executed.load(std::memory_order_relaxed),
                        in->active.Total(now)});
    }
    m.components.push_back(Summarize(pc, counts, seconds));
    ComponentMetrics& cm = m.components.back();
    for (size_t s = 0; s < pc.streams.size(); ++s) {
      StreamMetrics st{pc.streams[s].name, 0};
      for (Instance* in : all_[c]) st.emitted += in->router->stream_emitted(static_cast<int>(s));
      cm.streams.push_back(std::move(st));
    }
    for (Instance* in : all_[c]) in->reported.MergeInto(&cm.reported);
  }
  // Edges by consumer and input: what waits in each consumer's queues.
  for (size_t c = 0; c < topology_.components.size(); ++c) {
    const PlanComponent& pc = topology_.components[c];
    for (size_t k = 0; k < pc.inputs.size(); ++k) {
      const PlanInput& pi = pc.inputs[k];
      const PlanComponent& from = topology_.components[pi.source];
      EdgeMetrics e;
      e.from = from.name;
      e.stream = from.streams[pi.stream].name;
      e.to = pc.name;
      e.max_pending = pc.max_pending;
      for (const PlanEdge& pe : from.streams[pi.stream].edges) {
        if (pe.consumer == static_cast<int>(c) && pe.input == static_cast<int>(k)) {
          e.grouping = std::string(GroupingName(pe.grouping.kind));
        }
      }
      for (Instance* in : live_[c]) {
        int q = in->queued_by_input[k].load(std::memory_order_relaxed);
        e.queued += static_cast<uint64_t>(std::max(0, q));
      }
      m.edges.push_back(std::move(e));
    }
  }
  return m;
}

}  // namespace smc::rt::job_internal
