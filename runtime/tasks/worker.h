// A queue worker: takes submitted tasks from a Broker and runs them.
//
// Contract: at most `parallelism` tasks run at once, each as its own process
// group (runtime/tasks/launch.h), stdout to its result file, stderr to its
// log, progress on fd 3. The lease of every running task is renewed every
// lease/3; a task whose lease was lost (another worker took it over) is
// killed and not finished here. On success the result is stored, then the
// task is marked done (one Broker::Finish); a failure is retried up to the
// task's retries after its backoff, else it is failed. An abort request
// sends SIGTERM to the task's group, SIGKILL after its kill.grace.
// SIGTERM/SIGINT stop the worker: it claims no more, stops its running
// tasks and hands them back to the queue (state queued), then returns 0.
// SIGUSR1 wakes it (a task was queued, an abort requested). Single-threaded;
// owns SIGCHLD, SIGINT, SIGTERM, SIGHUP and SIGUSR1 while it runs.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "runtime/tasks/broker.h"
#include "runtime/tasks/scheduler.h"

namespace smc::rt {

/// Turns a claimed task into what to run (argv, stdin, retries, ...);
/// false with `*error` when its arguments do not fit its template.
using TaskResolver = std::function<bool(const QueuedTask& t, TaskSpec* spec, std::string* error)>;

struct WorkerOptions {
  std::vector<std::string> queues{"default"};
  std::vector<std::string> tasks;      // the task names it serves
  std::vector<std::string> templates;  // WorkerInfo::templates
  int parallelism = 1;
  int64_t lease_ms = 30'000;
  std::string dir;       // where tasks run (the .topo file's folder)
  std::string task_dir;  // where result and log files go (mode 0700)
  bool verbose = true;   // a line per task started and ended
};

/// Serves until stopped by a signal (0), or the broker fails (70).
int RunWorker(Broker& broker, const WorkerOptions& opts, const TaskResolver& resolve, std::ostream& err);

}  // namespace smc::rt
