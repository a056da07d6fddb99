// The command line of task queues: `smc worker`, `smc submit`, and the
// queue parts of `smc result`, `smc ps` and `smc abort`.
//
// A queue lives in a broker (runtime/tasks/broker.h): the embedded one in
// the user's job store by default, RabbitMQ with --broker amqp://... or
// $SMC_BROKER. Queued task ids are "q" and ten hex digits.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/tasks/broker.h"
#include "runtime/tasks/queue_store.h"  // IsQueuedTaskId

namespace CLI {
class App;
}

namespace smc {

using rt::IsQueuedTaskId;

struct WorkerCmdOptions {
  std::string file;
  std::string tasks;  // the tasks block whose templates and tasks it serves
  int parallelism = 0;
  std::vector<std::string> queues;
  std::string lease;  // a duration; default $SMC_QUEUE_LEASE or 30s
  std::string broker;
  bool quiet = false;
};
int RunWorkerCmd(const WorkerCmdOptions& opts, std::ostream& out, std::ostream& err);
void SetupWorker(CLI::App& app, WorkerCmdOptions& opts);

struct SubmitOptions {
  std::string task;
  std::vector<std::string> args;  // NAME=VALUE
  std::string queue = "default";
  std::vector<std::string> after;
  bool wait = false;
  bool from_stdin = false;  // one task a line
  std::string broker;
};
int RunSubmit(const SubmitOptions& opts, std::ostream& out, std::ostream& err);
void SetupSubmit(CLI::App& app, SubmitOptions& opts);

/// The broker named by `url` (or $SMC_BROKER when empty; the embedded queue
/// when both are empty). nullptr with `*error` (never holding a password),
/// or with `*error` empty when `create` is false and there is no store.
std::unique_ptr<rt::Broker> OpenBroker(const std::string& url, bool create, std::string* error);

/// `smc result ID [--wait]`.
int QueuedResult(const std::string& id, bool wait, const std::string& broker, std::ostream& out, std::ostream& err);
/// `smc ps ID` for a queued task; -1 when there is no such task.
int PsQueuedTask(const std::string& id, std::ostream& out, std::ostream& err);
/// The `smc ps` table of queues (nothing when there are none).
void PsQueues(std::ostream& out);
/// `smc abort ID` for a queued task; -1 when there is no such task.
int AbortQueued(const std::string& id, int64_t wait_ns, std::ostream& out, std::ostream& err);

/// The exit status a finished queued task stands for (its own exit status
/// when it failed with one).
int QueuedExitStatus(const rt::QueuedTask& t);

}  // namespace smc
