#include "runtime/status.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace smc::rt {

void ActiveTime::Add(int n, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool was_busy = count_ > 0;
  count_ = std::max<int64_t>(0, count_ + n);  // a stray release never makes it negative
  if (!was_busy && count_ > 0) since_ = now_ns;
  if (was_busy && count_ == 0 && now_ns > since_) total_ += static_cast<uint64_t>(now_ns - since_);
}

uint64_t ActiveTime::Total(int64_t now_ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_ + (count_ > 0 && now_ns > since_ ? static_cast<uint64_t>(now_ns - since_) : 0);
}

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
  cm.capacity = seconds > 0 ? std::min(1.0, max_busy / 1e9 / seconds) : 0;
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
  line = FitToWidth(line, kMaxWidth + 1);
  return terminal_fd_ >= 0 ? FitToWidth(line, TerminalColumns(terminal_fd_)) : line;
}

std::string FitToWidth(const std::string& line, size_t columns) {
  if (columns == 0) return line;
  // Columns counted as UTF-8 sequences (names are mostly ASCII).
  auto starts = [](unsigned char c) { return (c & 0xC0) != 0x80; };
  size_t width = 0;
  for (unsigned char c : line) width += starts(c);
  if (width < columns) return line;
  const size_t keep = columns > 4 ? columns - 4 : 0;  // then "...": columns - 1 in all
  size_t i = 0, n = 0;
  while (i < line.size() && (n < keep || !starts(static_cast<unsigned char>(line[i])))) {
    if (starts(static_cast<unsigned char>(line[i]))) ++n;
    ++i;
  }
  return line.substr(0, i) + (columns > 4 ? "..." : "");
}

size_t TerminalColumns(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_col;
}

std::string DrainingNote(int signal_number) {
  return std::string("draining: finishing what is in flight (") +
         (signal_number == SIGINT ? "Ctrl-C again stops now)" : "a second signal stops now)");
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
