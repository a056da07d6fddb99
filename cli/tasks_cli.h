// The command line of task graphs: `smc run` on a tasks block, `smc log`,
// `smc result`, `smc gc`, and the task-graph parts of `smc ps` and `smc abort`.
//
// The job store (runtime/tasks/store.h) holds every task-graph job, running
// or finished; the job registry (runtime/jobs.h) lists the running ones.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/frontend.h"
#include "runtime/jobs.h"
#include "runtime/tasks/store.h"

namespace CLI {
class App;
}

namespace smc {

/// Whether `smc run` with `opts` on this graph runs a tasks block.
bool ChoosesTasks(const RunOptions& opts, const Graph& graph);
/// Runs the chosen tasks block of a loaded, valid file.
int RunTasks(const RunOptions& opts, const Loaded& loaded, std::ostream& out, std::ostream& err);
/// `smc run --resume JOB|FILE`.
int ResumeTasks(const RunOptions& opts, std::ostream& out, std::ostream& err);

/// `smc ps JOB` for a task-graph job (running or finished): one row per
/// task. -1 when `key` names no task-graph job.
int PsTaskJob(const std::string& key, bool json, std::ostream& out, std::ostream& err);
/// The `smc ps` row of a running job, or "" when it is not a task-graph job.
std::string PsTaskRow(const rt::JobRecord& r);
/// `smc ps --all`: the finished task-graph jobs.
void PsFinishedJobs(std::ostream& out);

/// `smc abort JOB/TASK`, or `smc abort JOB` for a task-graph job. Sets
/// `*handled` false when `key` is neither.
int AbortTasks(const std::string& key, int64_t wait_ns, bool force, std::ostream& out, std::ostream& err,
               bool* handled);

/// Opens the job store for reading the job `key`: false with the message
/// printed and `*status` set (no store: kExitNoJob; a bad one: kExitIoErr).
bool OpenStoreFor(const std::string& key, rt::JobStore& store, std::ostream& err, int* status);

struct LogOptions {
  std::string job;
  std::string task;
};
int RunLog(const LogOptions& opts, std::ostream& out, std::ostream& err);
void SetupLog(CLI::App& app, LogOptions& opts);

struct ResultOptions {
  std::string job;   // a task-graph job, or a queued task's id (cli/queue_cli.h)
  std::string task;  // empty for a queued task
  bool wait = false;
  std::string broker;
};
int RunResult(const ResultOptions& opts, std::ostream& out, std::ostream& err);
void SetupResult(CLI::App& app, ResultOptions& opts);

struct GcOptions {
  std::string older_than = "7d";
  bool dry_run = false;
};
int RunGc(const GcOptions& opts, std::ostream& out, std::ostream& err);
void SetupGc(CLI::App& app, GcOptions& opts);

}  // namespace smc
