// The task-graph scheduler: runs the tasks of one job on this machine.
//
// Contract: a task starts once every task it runs after is done, while at
// most `parallelism` run; each runs as its own process group (argv, in
// `dir`, stdin from a file or /dev/null, stdout to its result file, stderr
// to its log file, progress lines on fd 3 = $SMC_PROGRESS_FD). A failed
// attempt is retried up to `retries` times after an exponential backoff
// with jitter (capped by backoff.max); a timeout or an abort sends SIGTERM
// to the group, then SIGKILL after the grace. A task that fails for good
// makes its dependents `skipped`; the others go on. Every state change is
// committed to the JobStore before it is acted on; a task is `done` only
// after its result is stored (fsync, then commit). SIGINT/SIGTERM stop the
// whole graph the same way; SIGUSR1 makes it read abort requests from the
// store. Single-threaded; owns SIGCHLD, SIGINT, SIGTERM and SIGUSR1 while
// it runs (and makes the process a child subreaper, so that nothing a task
// started outlives it unseen).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "runtime/tasks/store.h"

namespace smc::rt {

struct TaskSpec {
  std::string name;
  std::vector<std::string> argv;  // what to execute
  std::string stdin_path;         // relative to the graph's dir; empty: /dev/null
  std::string result_path;        // where its stdout goes (absolute); empty: JOBDIR/NAME.out
  std::vector<int> after;         // indices of the tasks it runs after
  std::vector<int> ancestors;     // every task it runs after, directly or not: $SMC_RESULT_x of each
  int retries = 0;
  int64_t backoff_ns = 1'000'000'000;
  int64_t backoff_max_ns = 300'000'000'000;
  int64_t timeout_ns = 0;  // 0: none
  int64_t kill_grace_ns = 5'000'000'000;
};

/// The default result file of task `name` in the store's folder of a job.
inline std::string DefaultResultPath(const std::string& job_dir, const std::string& name) {
  return job_dir + "/" + name + ".out";
}

struct GraphSpec {
  std::string job;
  std::string block;
  std::string dir;  // where the tasks run (the .topo file's folder)
  int parallelism = 1;
  std::vector<TaskSpec> tasks;
  std::vector<std::string> env;  // NAME=VALUE added to every task's environment
};

struct SchedulerOptions {
  bool status_line = false;  // a live ninja-like line on standard error
};

/// The delay before retry `n` (1 for the first): backoff * 2^(n-1), times a
/// random factor in [0.8, 1.2), never more than backoff.max.
int64_t BackoffDelay(const TaskSpec& t, int n, double random01);

/// Runs the graph. `rows` are the tasks' stored rows (same order as
/// spec.tasks); rows already `done` are not run again. Returns the exit
/// status: 0 when every task is done, 70 when one failed, was skipped or
/// aborted, 128+N when stopped by signal N.
int RunTaskGraph(JobStore& store, const GraphSpec& spec, std::vector<TaskRow>& rows, const SchedulerOptions& opts,
                 std::ostream& err);

/// The environment-variable name of a task's result path: SMC_RESULT_<name>,
/// with every character but letters, digits and '_' made '_'.
std::string ResultVariable(const std::string& task);

}  // namespace smc::rt
