// smc result JOB TASK: print a task's result (its standard output), from the
// job store, of a running or finished job.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/jobs_cli.h"
#include "cli/queue_cli.h"
#include "cli/tasks_cli.h"
#include "runtime/tasks/store.h"

namespace smc {

void SetupResult(CLI::App& app, ResultOptions& opts) {
  app.add_option("job", opts.job, "a task-graph job's id, or a submitted task's id")->required();
  app.add_option("task", opts.task, "the task (of a task-graph job)");
  app.add_flag("--wait", opts.wait, "wait for a submitted task to end");
  app.add_option("--broker", opts.broker, "the broker of a submitted task (default: $SMC_BROKER, else embedded)");
}

bool OpenStoreFor(const std::string& key, rt::JobStore& store, std::ostream& err, int* status) {
  if (store.Open(false)) return true;
  err << "smc: error: " << (store.error().empty() ? "no job '" + key + "'" : store.error()) << "\n";
  *status = store.error().empty() ? kExitNoJob : kExitIoErr;
  return false;
}

int RunResult(const ResultOptions& opts, std::ostream& out, std::ostream& err) {
  if (opts.task.empty()) {
    if (IsQueuedTaskId(opts.job)) return QueuedResult(opts.job, opts.wait, opts.broker, out, err);
    err << "smc: error: '" << opts.job
        << "' is not a submitted task's id; for a task-graph job give a task: smc result " << opts.job << " TASK\n";
    return kExitUsage;
  }
  if (opts.wait) {
    err << "smc: error: --wait is for submitted tasks (smc result ID --wait)\n";
    return kExitUsage;
  }
  rt::JobStore store;
  if (int status = kExitOk; !OpenStoreFor(opts.job, store, err, &status)) return status;
  std::optional<rt::JobRow> job = store.FindJob(opts.job);
  if (!job) {
    err << "smc: error: no job '" << opts.job << "'\n";
    return kExitNoJob;
  }
  for (const rt::TaskRow& t : store.Tasks(job->id)) {
    if (t.name != opts.task) continue;
    if (t.state != "done") {
      err << "smc: error: task " << job->id << "/" << t.name << " has no result: it is " << t.state
          << (t.reason.empty() ? "" : " (" + t.reason + ")") << "\n";
      return kExitNoJob;
    }
    if (std::optional<std::string> blob = store.ReadResultBlob(job->id, t.name)) {
      out << *blob << std::flush;
      return out ? kExitOk : kExitIoErr;
    }
    std::ifstream in(t.result_path, std::ios::binary);  // a big result, spilled to its file
    if (!in) {
      err << "smc: error: cannot open the result file '" << t.result_path << "'\n";
      return kExitNoInput;
    }
    out << in.rdbuf() << std::flush;
    return out ? kExitOk : kExitIoErr;
  }
  err << "smc: error: no task '" << opts.task << "' in job " << job->id << "\n";
  return kExitNoJob;
}

}  // namespace smc
