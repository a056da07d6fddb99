// Running one topology of a plan on a oneTBB flow graph.
//
// Every bolt and sink instance is a serial flow-graph node: it processes one
// batch at a time, so its state needs no lock, while the graph runs many
// instances at once on the worker threads. Spouts run on threads of their
// own (they may block on input); producers route their output by grouping
// into per-target batches and deliver full batches, or partly filled ones
// after batch.linger. When every spout is exhausted, end-of-stream marks flow
// through; an instance finishes once every upstream instance has, flushes
// and passes the mark on, so nothing is lost. Spouts wait while any instance
// downstream has max.pending batches queued (backpressure), so memory stays
// bounded. A component that throws is reported with its name and location,
// and the job drains and fails.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "runtime/clock.h"
#include "runtime/metrics.h"
#include "runtime/outcome.h"
#include "runtime/plan.h"
#include "runtime/rebalance.h"
#include "runtime/registry.h"

namespace smc::rt {

/// What `smc ps` shows of a running job: running, inactive (deactivated:
/// its spouts are paused) or stopping (draining after a stop).
enum class JobState { kRunning, kInactive, kStopping };
inline const char* JobStateName(JobState s) {
  return s == JobState::kRunning ? "running" : s == JobState::kInactive ? "inactive" : "stopping";
}

struct JobOptions {
  int threads = 0;           // worker threads; 0: one per core
  int64_t run_for_ns = 0;    // stop gracefully after this long; 0: when the input ends
  bool live_status = false;  // a one-line status on stderr while running
  bool interactive = false;  // stderr is a terminal: say so when a signal starts draining
  /// Called about once a second from a runtime thread with the metrics so
  /// far, and whether the job is stopping (for the job registry).
  std::function<void(const JobMetrics&, JobState state)> on_status;
  /// Called every `metrics_every_ns` (0: never) from a runtime thread with
  /// the metrics so far (`smc run --metrics-every`).
  int64_t metrics_every_ns = 0;
  std::function<void(const JobMetrics&)> on_metrics;
  /// Where the job reads the time (ticks, linger, --for, status); null: the
  /// steady clock. Tests pass a ManualTime.
  const TimeSource* time = nullptr;
  /// smc rebalance (runtime/rebalance.h): called from the clock thread
  /// after a SIGURG, for the request waiting (if any); and with the reply
  /// to a request taken, once it is carried out or refused. A request
  /// refused unread sets `warning`, which the job shows.
  std::function<std::optional<RebalanceRequest>(std::string* warning)> take_rebalance;
  std::function<void(const RebalanceRequest&, const std::string& reply)> answer_rebalance;
};

struct JobResult : RunResult {
  JobMetrics metrics;
};

/// Runs `plan.topologies[topology]` to completion. Runtime errors are written
/// to `diag`, one line each, prefixed "smc: ".
JobResult RunTopology(const Plan& plan, int topology, const Registry& registry, const JobOptions& opts,
                      std::ostream& diag);

/// Checks that every component and custom grouping of the topology has an
/// implementation; returns the first that has not ("" when all have).
std::string MissingImplementation(const Plan& plan, int topology, const Registry& registry);

}  // namespace smc::rt
