// Collecting a running job's metrics, and the lines smc shows about them:
// the live status line and the end-of-run warning about unread errors.
//
// Pure functions of counts and the plan; the job samples its instances'
// counters (relaxed atomics) and passes them in, from any one thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/metrics.h"
#include "runtime/plan.h"

namespace smc::rt {

/// One instance's counters at a moment.
struct InstanceCounts {
  uint64_t emitted = 0;
  uint64_t errors = 0;
  uint64_t executed = 0;  // tuples processed
  uint64_t busy_ns = 0;   // time it was busy with them (see ActiveTime)
};

/// The time an instance was busy: executing a batch, or holding batches it
/// took (a subprocess component's batches in flight in its child, a channel
/// sink's batches not yet written), counted once where the two overlap.
/// Add(+n) when work starts, Add(-n) when it ends; busy while the sum is
/// above zero. Thread-safe (a small lock: called per batch, not per tuple).
class ActiveTime {
 public:
  void Add(int n, int64_t now_ns);
  /// The busy time up to `now_ns` (an interval still open counts up to now).
  uint64_t Total(int64_t now_ns) const;

 private:
  mutable std::mutex mu_;
  int64_t count_ = 0;
  int64_t since_ = 0;
  uint64_t total_ = 0;
};

/// A component's metrics from its instances' counts after `seconds` of running:
/// latency is busy time per tuple over all instances; capacity the busiest
/// instance's busy fraction of the run (at most 1).
ComponentMetrics Summarize(const PlanComponent& pc, const std::vector<InstanceCounts>& instances, double seconds);

/// The live status line: each component's rate over the last interval (what
/// is happening now, not the average). One per job, one thread.
class StatusLine {
 public:
  /// `terminal_fd`: where the line is drawn, for its width (-1: none known).
  explicit StatusLine(int terminal_fd = 2) : terminal_fd_(terminal_fd) {}
  /// "smc: TOPOLOGY 12s | s 35k/s | c 1.2M/s", at most kMaxWidth characters
  /// and shorter than the terminal is wide (a line that wraps cannot be
  /// cleared with \r and would leave a line behind at every redraw).
  std::string Next(const JobMetrics& m, double seconds);
  static constexpr size_t kMaxWidth = 200;

 private:
  int terminal_fd_;
  std::vector<uint64_t> counts_;  // per component, at the last line
  double seconds_ = 0;
};

/// `line` cut to fit in `columns - 1` columns ("..." at the end when cut;
/// never inside a UTF-8 sequence); unchanged when `columns` is 0 (unknown).
std::string FitToWidth(const std::string& line, size_t columns);

/// The width of the terminal on `fd`, or 0 when it is not one.
size_t TerminalColumns(int fd);

/// What smc says on a terminal when a first SIGINT or SIGTERM starts draining.
std::string DrainingNote(int signal_number);

/// The warning for a component whose errors no stream took (so that bad
/// input is never lost silently); "" when none is due. `shown` is how many of
/// its errors were written to standard error as they came.
std::string UnreadErrorsWarning(const PlanComponent& pc, const ComponentMetrics& c, uint64_t shown);

}  // namespace smc::rt
