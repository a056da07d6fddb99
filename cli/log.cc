// smc log JOB [TASK]: a task-graph job's tasks, outcomes, attempts and
// durations (running or finished), or one task's log (its standard error).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/jobs_cli.h"
#include "cli/tasks_cli.h"
#include "runtime/tasks/store.h"

namespace smc {

void SetupLog(CLI::App& app, LogOptions& opts) {
  app.add_option("job", opts.job, "a task-graph job's id")->required();
  app.add_option("task", opts.task, "print this task's log (its standard error) instead");
}

namespace {

std::string Duration(int64_t from_ms, int64_t to_ms) {
  if (from_ms == 0 || to_ms < from_ms) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", (to_ms - from_ms) / 1e3);
  return buf;
}

std::string Outcome(const rt::AttemptRow& a) {
  if (a.aborted) return "aborted";
  if (a.timed_out) return "timed out";
  if (a.signal) return "killed by signal " + std::to_string(a.signal);
  return a.exit_status == 0 ? "ok" : "exit status " + std::to_string(a.exit_status);
}

}  // namespace

int RunLog(const LogOptions& opts, std::ostream& out, std::ostream& err) {
  rt::JobStore store;
  if (int status = kExitOk; !OpenStoreFor(opts.job, store, err, &status)) return status;
  std::optional<rt::JobRow> job = store.FindJob(opts.job);
  if (!job) {
    err << "smc: error: no job '" << opts.job << "'\n";
    return kExitNoJob;
  }
  std::vector<rt::TaskRow> tasks = store.Tasks(job->id);
  if (!opts.task.empty()) {
    for (const rt::TaskRow& t : tasks) {
      if (t.name != opts.task) continue;
      std::ifstream in(store.JobDir(job->id, false) + "/" + t.name + ".log", std::ios::binary);
      out << in.rdbuf();
      return kExitOk;
    }
    err << "smc: error: no task '" << opts.task << "' in job " << job->id << "\n";
    return kExitNoJob;
  }
  out << "job " << job->id << " (tasks " << job->block << "): " << job->state << ", " << job->path << ", "
      << Duration(job->started_ms, job->ended_ms ? job->ended_ms : rt::NowMs());
  if (job->exit_status >= 0) out << ", exit status " << job->exit_status;
  out << "\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-16s %-8s %7s %9s  %s\n", "TASK", "OUTCOME", "ATTEMPT", "DURATION", "DETAIL");
  out << line;
  for (const rt::TaskRow& t : tasks) {
    std::string attempt = std::to_string(t.attempt) + "/" + std::to_string(t.max_attempts);
    std::string detail = t.reason;
    if (t.state == "done") detail = t.result_size >= 0 ? std::to_string(t.result_size) + " bytes of result" : "";
    std::snprintf(line, sizeof line, "%-16s %-8s %7s %9s  %s\n", t.name.c_str(), t.state.c_str(), attempt.c_str(),
                  Duration(t.started_ms, t.ended_ms).c_str(), detail.c_str());
    out << line;
  }
  std::vector<rt::AttemptRow> attempts = store.Attempts(job->id);
  if (!attempts.empty()) out << "attempts:\n";
  for (const rt::AttemptRow& a : attempts) {
    std::snprintf(line, sizeof line, "  %-16s #%-3d %9s  %s\n", a.task.c_str(), a.attempt,
                  Duration(a.started_ms, a.ended_ms).c_str(), Outcome(a).c_str());
    out << line;
  }
  return kExitOk;
}

}  // namespace smc
