#include "runtime/tasks/report.h"

#include <cstdio>
#include <map>
#include <ostream>

namespace smc::rt {

std::string Seconds(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  return buf;
}

std::string StatusLineText(const std::vector<TaskRow>& rows, const std::vector<bool>& running, int done) {
  std::string line = "[" + std::to_string(done) + "/" + std::to_string(rows.size()) + "] running:";
  for (size_t i = 0; i < rows.size() && i < running.size() && line.size() < 150; ++i) {
    if (!running[i]) continue;
    line += " " + rows[i].name;
    if (rows[i].progress >= 0) line += " " + std::to_string(static_cast<int>(rows[i].progress * 100)) + "%";
    if (!rows[i].message.empty()) line += " " + rows[i].message.substr(0, 40);
    line += " ...";
  }
  return line.substr(0, 200);
}

int WriteSummary(const std::string& block, const std::string& job, const std::vector<TaskRow>& rows, double seconds,
                 std::ostream& err) {
  std::map<std::string, int> counts;
  for (const TaskRow& r : rows) counts[r.state]++;
  char head[256];
  std::snprintf(head, sizeof head, "smc: tasks %s (job %s): %d done, %d failed, %d skipped, %d aborted in %.2f s\n",
                block.c_str(), job.c_str(), counts["done"], counts["failed"], counts["skipped"], counts["aborted"],
                seconds);
  err << head;
  bool all = rows.size() <= 50;
  for (const TaskRow& r : rows) {
    if (!all && r.state == "done") continue;
    char line[512];
    double d = r.ended_ms > r.started_ms && r.started_ms > 0 ? (r.ended_ms - r.started_ms) / 1e3 : 0;
    std::string detail = r.state == "done" ? "" : r.reason;
    std::snprintf(line, sizeof line, "  %-16s %-8s attempt %d/%d  %7.2f s  %s\n", r.name.c_str(), r.state.c_str(),
                  r.attempt, r.max_attempts, d, detail.c_str());
    err << line;
  }
  return counts["done"] == static_cast<int>(rows.size()) ? 0 : 70;
}

}  // namespace smc::rt
