// The durable job store of task graphs: one SQLite database per user.
//
// Contract: every state change of a task-graph job is committed here before
// smc acts on it (a task is marked `running` before it is started, `done`
// only after its result is stored), so that after a crash `smc run --resume`
// knows exactly which tasks finished. The file lives in $XDG_STATE_HOME/smc/
// (or ~/.local/state/smc/), folder mode 0700, file mode 0600, both owned by
// the user (checked on every open); WAL mode with synchronous=FULL.
//
// The schema serves task queues too: `tasks` rows carry a state, an attempt
// count and a lease (owner, expiry) so that several workers could claim
// queued rows; `attempts` keeps the history of every attempt.
//
// Thread-compatible: one JobStore per thread. Every method reports failure
// by its return value and error().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace smc::rt {

/// A task's states, as stored.
inline constexpr const char* kTaskStates[] = {"queued", "running", "done", "failed", "skipped", "aborted"};

/// True for the states a task never leaves (done, failed, skipped, aborted).
bool IsFinalTaskState(const std::string& state);

/// One task of one job.
struct TaskRow {
  std::string job;
  std::string name;
  int index = 0;                 // declaration order
  std::string state = "queued";  // kTaskStates
  int attempt = 0;               // attempts started so far
  int max_attempts = 1;          // retries + 1
  int exit_status = -1;          // of the last attempt; -1: none or killed
  int signal = 0;                // the signal that ended the last attempt
  bool timed_out = false;        // the last attempt ran out of time
  double progress = -1;          // 0..1; -1: never reported
  std::string message;           // the last progress message
  int64_t started_ms = 0;        // of the last attempt (Unix time)
  int64_t ended_ms = 0;
  std::string result_path;   // the result file (stdout), absolute
  int64_t result_size = -1;  // bytes; -1: no result
  std::string reason;        // why it was skipped, failed or aborted
  int pgid = 0;              // of the running attempt
  std::string lease_owner;   // "PID:START_TICKS" of the process running it
};

/// One job: one run of one tasks block.
struct JobRow {
  std::string id;
  std::string block;                // the tasks block's name
  std::string path;                 // the .topo file, absolute
  std::vector<std::string> params;  // NAME=VALUE overrides given to smc run
  std::string state = "running";    // running, done, failed, aborted
  int pid = 0;
  uint64_t start_ticks = 0;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  int exit_status = -1;
};

/// One finished attempt.
struct AttemptRow {
  std::string task;
  int attempt = 0;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  int exit_status = -1;
  int signal = 0;
  bool timed_out = false;
  bool aborted = false;
};

/// A request, written by `smc abort`, to stop a task ("" for the whole job).
struct AbortRequest {
  std::string task;
  int64_t grace_ns = 0;
};

class JobStore {
 public:
  JobStore() = default;
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;
  ~JobStore();

  /// The user's store folder: $XDG_STATE_HOME/smc or $HOME/.local/state/smc.
  static std::string DefaultDir();
  /// Opens the store in `dir` (DefaultDir() when empty). With `create`
  /// false, a missing store is not an error: false with error() empty.
  bool Open(bool create, const std::string& dir = "");
  bool is_open() const { return db_ != nullptr; }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }
  /// The folder holding a job's result and log files (made with mode 0700).
  std::string JobDir(const std::string& job, bool create);

  bool Begin();
  bool Commit();
  bool Rollback();
  /// The open database, for the embedded queue (runtime/tasks/queue_store.h).
  sqlite3* db() const { return db_; }
  /// Runs SQL without results; false with error().
  bool Exec(const char* sql);
  /// Runs `sql` that sets up the store (in one immediate transaction unless
  /// `transaction` is false), trying again while another process holds it.
  bool Setup(const char* sql, bool transaction = true);
  bool Fail(const std::string& what);

  bool CreateJob(const JobRow& job, const std::vector<TaskRow>& tasks);
  bool UpdateJob(const JobRow& job);
  std::optional<JobRow> FindJob(const std::string& id);
  /// Jobs, newest first.
  std::vector<JobRow> Jobs();
  /// The newest job of `path` and `block` that did not finish.
  std::optional<JobRow> LastUnfinished(const std::string& path, const std::string& block);

  bool InsertTask(const TaskRow& t);
  bool UpdateTask(const TaskRow& t);
  bool UpdateProgress(const TaskRow& t);
  std::vector<TaskRow> Tasks(const std::string& job);
  bool StoreResult(const std::string& job, const std::string& task, const std::string& bytes);
  std::optional<std::string> ReadResultBlob(const std::string& job, const std::string& task);

  bool AddAttempt(const std::string& job, const AttemptRow& a);
  std::vector<AttemptRow> Attempts(const std::string& job);

  bool RequestAbort(const std::string& job, const std::string& task, int64_t grace_ns);
  std::vector<AbortRequest> TakeAbortRequests(const std::string& job);

  /// Deletes finished jobs that ended before `before_ms`, with their files; their ids.
  std::vector<std::string> Prune(int64_t before_ms);
  /// PRAGMA integrity_check says "ok".
  bool IntegrityOk();

 private:
  sqlite3* db_ = nullptr;
  std::string dir_;
  std::string error_;
};

/// Milliseconds since the Unix epoch.
int64_t NowMs();

}  // namespace smc::rt
