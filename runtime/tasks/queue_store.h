// The embedded task queue: the Broker (runtime/tasks/broker.h) in the
// user's SQLite job store (runtime/tasks/store.h: one file per user, mode
// 0600, checked on open; WAL, busy timeout).
//
// Claims run in BEGIN IMMEDIATE transactions, so two workers never claim
// one task while its lease holds; a finish is stored only when the row
// still names the finishing worker and attempt. Workers and waiting
// submitters are woken by SIGUSR1 (their pids are in the store); they also
// poll, so a lost signal only delays.
#pragma once

#include <memory>
#include <string>

#include "runtime/tasks/broker.h"
#include "runtime/tasks/store.h"

namespace smc::rt {

class EmbeddedBroker : public Broker {
 public:
  /// Opens (with `create`, makes) the store in `dir` (JobStore::DefaultDir()
  /// when empty). With `create` false a missing store is no error: false
  /// with error() empty.
  bool Open(bool create, const std::string& dir = "");
  JobStore& store() { return store_; }
  /// The folder of queued tasks' result and log files.
  std::string TaskDir(bool create);

  const std::string& error() const override { return error_; }
  bool Submit(std::vector<QueuedTask>* batch) override;
  using Broker::Submit;
  std::optional<QueuedTask> Find(const std::string& id) override;
  std::optional<std::string> Result(const std::string& id) override;
  bool RequestAbort(const std::string& id, bool* now) override;
  std::vector<QueueCounts> Counts() override;
  std::vector<WorkerInfo> Workers() override;
  bool Register(const WorkerInfo& w) override;
  bool Unregister(const WorkerInfo& w) override;
  std::vector<QueuedTask> Claim(const WorkerInfo& w, const std::vector<std::string>& tasks, int max,
                                int64_t lease_ms) override;
  std::vector<std::string> Renew(const WorkerInfo& w, const std::vector<std::string>& ids, int64_t lease_ms) override;
  bool Update(const WorkerInfo& w, const QueuedTask& t) override;
  bool Finish(const WorkerInfo& w, const QueuedTask& t, const std::optional<std::string>& result) override;
  std::vector<std::string> AbortsRequested(const std::vector<std::string>& running) override;

  // ---- the local record of tasks queued on a remote broker (RabbitMQ) ----
  /// Stores `t` as submitted (its id already set), state queued.
  bool Record(const QueuedTask& t);
  /// Applies what a remote worker reported: progress while the task is not
  /// final; its end (with `result`) only once: a second end of the same task
  /// is ignored (false in `*applied`).
  bool Apply(const QueuedTask& t, const std::optional<std::string>& result, bool* applied);

 private:
  bool Fail(const std::string& what);
  // Marks queued tasks after `id` (directly or not) skipped; inside a transaction.
  void SkipDependents(const std::string& id, const std::string& why);
  void Wake(int pid);
  void WakeWorkers(const std::string& queue);

  JobStore store_;
  std::string error_;
};

/// Lines, each with '\\' and newlines escaped, so a value may hold any byte.
std::string JoinEscaped(const std::vector<std::string>& lines);
std::vector<std::string> SplitEscaped(const std::string& text);
/// NAME=VALUE pairs in JoinEscaped form, and back.
std::string EncodeArgs(const std::vector<std::pair<std::string, std::string>>& args);
std::vector<std::pair<std::string, std::string>> DecodeArgs(const std::string& text);

/// A new task id: "q" and 10 hex digits.
std::string NewQueuedTaskId();
/// True for a queued task's id ("q" and ten hex digits).
bool IsQueuedTaskId(const std::string& key);

}  // namespace smc::rt
