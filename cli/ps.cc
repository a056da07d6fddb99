// smc ps [JOB]: the user's running jobs, or one job's components.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/jobs_cli.h"
#include "cli/queue_cli.h"
#include "cli/tasks_cli.h"
#include "runtime/channel.h"
#include "runtime/jobs.h"

namespace smc {

void SetupPs(CLI::App& app, PsOptions& opts) {
  app.add_option("job", opts.job, "a job's id or name: show its components");
  app.add_flag("--json", opts.json, "print JSON: one object per job");
  app.add_flag("--all", opts.all, "also list finished task-graph jobs");
}

std::string Uptime(int64_t started_ms) {
  int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  int64_t s = std::max<int64_t>(0, (now_ms - started_ms) / 1000);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60));
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  return buf;
}

int RunPs(const PsOptions& opts, std::ostream& out, std::ostream& err) {
  rt::JobRegistry jobs;
  if (!OpenJobs(&jobs, err)) return kExitIoErr;
  std::vector<rt::JobRecord> list = jobs.List();
  rt::CleanupStaleChannels();
  if (!opts.job.empty()) {
    if (int s = PsTaskJob(opts.job, opts.json, out, err); s >= 0) return s;  // a task-graph job
    if (IsQueuedTaskId(opts.job)) {
      if (int s = PsQueuedTask(opts.job, out, err); s >= 0) return s;  // a submitted task
    }
    std::vector<rt::JobRecord> found = FindJobs(list, opts.job, err);
    if (found.empty()) return kExitNoJob;
    for (const rt::JobRecord& r : found) {
      if (opts.json) {
        out << r.ToJson();
      } else {
        out << "job " << r.id << " (" << r.name << "), " << r.state << ", pid " << r.pid << ", up "
            << Uptime(r.started_ms) << ", " << r.path << "\n"
            << rt::MetricsText(r.metrics);
      }
    }
    return kExitOk;
  }
  if (opts.json) {
    out << "[";
    for (size_t i = 0; i < list.size(); ++i) {
      std::string j = list[i].ToJson();
      j.pop_back();
      out << (i ? ",\n " : "") << j;
    }
    out << "]\n";
    return kExitOk;
  }
  char line[256];
  std::snprintf(line, sizeof line, "%-8s %-16s %-9s %8s %10s %10s %10s %8s\n", "ID", "NAME", "STATE", "UPTIME", "IN",
                "OUT", "RATE/s", "ERRORS");
  out << line;
  for (const rt::JobRecord& r : list) {
    if (std::string row = PsTaskRow(r); !row.empty()) {
      out << row;
      continue;
    }
    std::snprintf(line, sizeof line, "%-8s %-16s %-9s %8s %10s %10s %10s %8llu\n", r.id.c_str(), r.name.c_str(),
                  r.state.c_str(), Uptime(r.started_ms).c_str(), rt::ShortCount(r.tuples_in).c_str(),
                  rt::ShortCount(r.tuples_out).c_str(), rt::ShortCount(r.rate).c_str(),
                  static_cast<unsigned long long>(r.errors));
    out << line;
  }
  if (opts.all) PsFinishedJobs(out);
  PsQueues(out);
  return kExitOk;
}

}  // namespace smc
