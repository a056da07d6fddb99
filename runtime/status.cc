#include "runtime/status.h"

#include <algorithm>

namespace smc::rt {

ComponentMetrics Summarize(const PlanComponent& pc, const std::vector<InstanceCounts>& instances, double seconds) {
  ComponentMetrics cm;
  cm.name = pc.name;
  cm.kind = std::string(KindName(pc.kind));
  cm.impl = pc.impl;
  cm.location = pc.location;
  cm.parallelism = pc.parallelism;
  uint64_t busy = 0, max_busy = 0;
  for (const InstanceCounts& in : instances) {
    cm.emitted += in.emitted;
    cm.errors += in.errors;
    cm.executed += in.executed;
    busy += in.busy_ns;
    max_busy = std::max(max_busy, in.busy_ns);
  }
  cm.execute_latency_ms = cm.executed ? busy / 1e6 / cm.executed : 0;
  cm.capacity = seconds > 0 ? max_busy / 1e9 / seconds : 0;
  return cm;
}

std::string StatusLine::Next(const JobMetrics& m, double seconds) {
  std::string line = "smc: " + m.topology + " " + std::to_string(static_cast<int>(seconds)) + "s";
  counts_.resize(m.components.size(), 0);
  double interval = seconds - seconds_;
  for (size_t i = 0; i < m.components.size(); ++i) {
    const ComponentMetrics& c = m.components[i];
    uint64_t n = c.kind == "spout" ? c.emitted : c.executed;
    line += " | " + c.name + " " + ShortCount(interval > 0 ? (n - counts_[i]) / interval : 0) + "/s";
    counts_[i] = n;
  }
  seconds_ = seconds;
  return line.substr(0, kMaxWidth);
}

std::string UnreadErrorsWarning(const PlanComponent& pc, const ComponentMetrics& c, uint64_t shown) {
  if (c.errors == 0) return "";
  bool has_errors_stream = false, has_reader = false;
  for (const PlanStream& s : pc.streams) {
    if (s.name != "errors") continue;
    has_errors_stream = true;
    has_reader = !s.edges.empty();
  }
  if (has_reader) return "";
  std::string what = c.kind + " '" + c.name + "' (" + c.location + ") reported " + std::to_string(c.errors) + " error" +
                     (c.errors == 1 ? "" : "s");
  if (has_errors_stream) return "warning: " + what + "; read its 'errors' stream to see them";
  if (shown >= c.errors) return "warning: " + what + " (see above)";
  if (shown == 0) return "warning: " + what;
  return "warning: " + what + " (the first " + std::to_string(shown) + " above)";
}

}  // namespace smc::rt
