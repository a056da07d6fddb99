// Task queues by name: what a submitter and a worker need from a broker.
//
// A submitted task (a QueuedTask: a template name, its arguments, a queue)
// waits until a worker serving that queue and that task claims it. The
// worker holds it under a lease that it renews while the task runs; when
// the lease runs out (the worker was killed), the task is claimed again:
// at-least-once, like the acknowledgement after the result in RabbitMQ. A
// result is stored before the task is marked done, in one step, and only by
// the worker that still holds the lease (a completion is never counted
// twice). Two implementations: the embedded queue in the SQLite job store
// (runtime/tasks/queue_store.h) and RabbitMQ.
//
// Not thread-safe: one Broker per thread. Failures: false / nullopt with
// error().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace smc::rt {

/// The states of a queued task; queued and running are not final.
inline constexpr const char* kQueuedStates[] = {"queued", "running", "done", "failed", "skipped", "aborted"};

struct QueuedTask {
  std::string id;
  std::string queue = "default";
  std::string task;                                       // the template's name
  std::vector<std::pair<std::string, std::string>> args;  // NAME=VALUE, as given
  std::vector<std::string> after;                         // ids it runs after
  std::string state = "queued";
  int attempt = 0;  // attempts claimed so far
  int max_attempts = 1;
  std::string worker;  // "PID:START_TICKS" of the worker holding it
  int64_t lease_until_ms = 0;
  int64_t not_before_ms = 0;  // a retry waits until then
  int pgid = 0;               // of the running attempt
  double progress = -1;
  std::string message;
  int exit_status = -1;
  int signal = 0;
  bool timed_out = false;
  int64_t submitted_ms = 0;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  std::string reason;
  int64_t result_size = -1;
  std::string result_path;  // a result too big for the store, in its own file
  bool abort_requested = false;
  std::string waiter;           // "PID:START_TICKS" of a `smc submit --wait` to wake (SIGUSR1) when it ends
  std::string previous_worker;  // set by Claim when the task was taken over from an expired lease
};

/// A worker as submitters see it: its queues and the templates it serves.
struct WorkerInfo {
  std::string id;  // "PID:START_TICKS"
  int pid = 0;
  uint64_t start_ticks = 0;
  std::vector<std::string> queues;
  /// One line per template: NAME, then its parameters, tab-separated, each
  /// "P" (required) or "P=DEFAULT".
  std::vector<std::string> templates;
  int parallelism = 1;
  int64_t seen_ms = 0;
};

/// Counts of one queue, for `smc ps`.
struct QueueCounts {
  std::string queue;
  int queued = 0, running = 0, done = 0, failed = 0, skipped = 0, aborted = 0;
  int workers = 0;
  /// RabbitMQ: messages waiting in the broker's queue, from every client
  /// (the other counts are this client's); -1 where the broker is embedded.
  int ready = -1;
};

/// True for done, failed, skipped and aborted.
bool IsFinalQueuedState(const std::string& state);

class Broker {
 public:
  virtual ~Broker() = default;
  virtual const std::string& error() const = 0;
  /// A descriptor that becomes readable when there may be work (a worker
  /// polls it besides its own wake-ups); -1 when there is none.
  virtual int wake_fd() const { return -1; }

  // ---- submitters and `smc ps` / `smc result` / `smc abort` ----
  /// Enqueues every task of `*batch` in one step, all or none (ids, states
  /// and times filled in). A task after one that already failed, was
  /// skipped or aborted is stored skipped.
  virtual bool Submit(std::vector<QueuedTask>* batch) = 0;
  bool Submit(QueuedTask* t) {
    std::vector<QueuedTask> one{std::move(*t)};
    bool ok = Submit(&one);
    *t = std::move(one.front());
    return ok;
  }
  virtual std::optional<QueuedTask> Find(const std::string& id) = 0;
  /// The stored result of a done task (nullopt: none in the store; see result_path).
  virtual std::optional<std::string> Result(const std::string& id) = 0;
  /// A queued task becomes aborted at once (true in `*now`); a running one
  /// is marked for its worker to stop.
  virtual bool RequestAbort(const std::string& id, bool* now) = 0;
  virtual std::vector<QueueCounts> Counts() = 0;
  /// Live workers (those whose process still runs).
  virtual std::vector<WorkerInfo> Workers() = 0;
  /// Whether Workers() knows them all (RabbitMQ's workers are not listed:
  /// they check submitted arguments themselves).
  virtual bool lists_workers() const { return true; }

  // ---- workers ----
  virtual bool Register(const WorkerInfo& w) = 0;
  virtual bool Unregister(const WorkerInfo& w) = 0;
  /// Up to `max` tasks of `w`'s queues among `tasks` whose dependencies are
  /// done, claimed for `lease_ms`: queued ones, and running ones whose lease
  /// ran out. Each claimed task's attempt is counted.
  virtual std::vector<QueuedTask> Claim(const WorkerInfo& w, const std::vector<std::string>& tasks, int max,
                                        int64_t lease_ms) = 0;
  /// Extends the leases of `ids` held by `w`; the ids whose lease `w` no
  /// longer holds are returned (their tasks were claimed by another worker).
  virtual std::vector<std::string> Renew(const WorkerInfo& w, const std::vector<std::string>& ids,
                                         int64_t lease_ms) = 0;
  /// Stores progress, pgid and the like of a running task held by `w`.
  virtual bool Update(const WorkerInfo& w, const QueuedTask& t) = 0;
  /// Stores the end of an attempt: `t.state` done (with `result`, stored
  /// first), failed, aborted, or queued again (a retry, or released by a
  /// stopping worker). False when `w` no longer holds the task: then
  /// nothing is stored (another worker completes it).
  virtual bool Finish(const WorkerInfo& w, const QueuedTask& t, const std::optional<std::string>& result) = 0;
  /// The ids among `running` whose abort was requested.
  virtual std::vector<std::string> AbortsRequested(const std::vector<std::string>& running) = 0;
};

}  // namespace smc::rt
