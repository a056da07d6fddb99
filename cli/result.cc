// smc result JOB TASK: print a task's result (its standard output), from the
// job store, of a running or finished job.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/jobs_cli.h"
#include "cli/tasks_cli.h"
#include "runtime/tasks/store.h"

namespace smc {

void SetupResult(CLI::App& app, ResultOptions& opts) {
  app.add_option("job", opts.job, "a task-graph job's id")->required();
  app.add_option("task", opts.task, "the task")->required();
}

int RunResult(const ResultOptions& opts, std::ostream& out, std::ostream& err) {
  rt::JobStore store;
  if (!store.Open(false)) {
    err << "smc: error: " << (store.error().empty() ? "no job '" + opts.job + "'" : store.error()) << "\n";
    return store.error().empty() ? kExitNoJob : kExitIoErr;
  }
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
