#include "runtime/tasks/queue_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cctype>

#include <map>
#include <random>
#include <set>

#include "runtime/jobs.h"
#include "runtime/tasks/sqlite_stmt.h"

namespace smc::rt {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS queue (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL, queue TEXT NOT NULL, task TEXT NOT NULL, args TEXT NOT NULL,
  state TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL DEFAULT 1,
  worker TEXT NOT NULL DEFAULT '', lease_until_ms INTEGER NOT NULL DEFAULT 0, not_before_ms INTEGER NOT NULL DEFAULT 0,
  pgid INTEGER NOT NULL DEFAULT 0, progress REAL NOT NULL DEFAULT -1, message TEXT NOT NULL DEFAULT '',
  exit_status INTEGER NOT NULL DEFAULT -1, signal INTEGER NOT NULL DEFAULT 0, timed_out INTEGER NOT NULL DEFAULT 0,
  submitted_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL DEFAULT 0, ended_ms INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '', result BLOB, result_size INTEGER NOT NULL DEFAULT -1,
  result_path TEXT NOT NULL DEFAULT '', abort_requested INTEGER NOT NULL DEFAULT 0, waiter TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS queue_claim ON queue(queue, state, seq);
CREATE TABLE IF NOT EXISTS queue_after (id TEXT NOT NULL, dep TEXT NOT NULL, PRIMARY KEY (id, dep));
CREATE INDEX IF NOT EXISTS queue_after_dep ON queue_after(dep);
CREATE TABLE IF NOT EXISTS queue_workers (
  id TEXT PRIMARY KEY, pid INTEGER NOT NULL, start_ticks INTEGER NOT NULL, queues TEXT NOT NULL,
  templates TEXT NOT NULL, parallelism INTEGER NOT NULL, seen_ms INTEGER NOT NULL);
)sql";

constexpr const char* kColumns =
    "id, queue, task, args, state, attempt, max_attempts, worker, lease_until_ms, not_before_ms, pgid, progress, "
    "message, exit_status, signal, timed_out, submitted_ms, started_ms, ended_ms, reason, result_size, result_path, "
    "abort_requested, waiter";

QueuedTask ReadRow(Stmt& s) {
  QueuedTask t;
  t.id = s.Text(0);
  t.queue = s.Text(1);
  t.task = s.Text(2);
  t.args = DecodeArgs(s.Text(3));
  t.state = s.Text(4);
  t.attempt = static_cast<int>(s.Int(5));
  t.max_attempts = static_cast<int>(s.Int(6));
  t.worker = s.Text(7);
  t.lease_until_ms = s.Int(8);
  t.not_before_ms = s.Int(9);
  t.pgid = static_cast<int>(s.Int(10));
  t.progress = s.Double(11);
  t.message = s.Text(12);
  t.exit_status = static_cast<int>(s.Int(13));
  t.signal = static_cast<int>(s.Int(14));
  t.timed_out = s.Int(15) != 0;
  t.submitted_ms = s.Int(16);
  t.started_ms = s.Int(17);
  t.ended_ms = s.Int(18);
  t.reason = s.Text(19);
  t.result_size = s.Int(20);
  t.result_path = s.Text(21);
  t.abort_requested = s.Int(22) != 0;
  t.waiter = s.Text(23);
  return t;
}

// "PID:START_TICKS" of a process that still runs: its pid; else 0.
int LivePid(const std::string& owner) {
  size_t colon = owner.find(':');
  if (colon == std::string::npos) return 0;
  int pid = std::atoi(owner.substr(0, colon).c_str());
  uint64_t ticks = std::strtoull(owner.c_str() + colon + 1, nullptr, 10);
  return pid > 0 && JobRegistry::Alive(pid, ticks) ? pid : 0;
}

std::string Placeholders(size_t n, int first) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i ? ", ?" : "?") + std::to_string(first + static_cast<int>(i));
  return s;
}

}  // namespace

// Lines with '\\' and newlines escaped, so a value may hold any byte.
static std::string Escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '\\')
      o += "\\\\";
    else if (c == '\n')
      o += "\\n";
    else
      o += c;
  }
  return o;
}

static std::string Unescape(const std::string& s) {
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      o += s[i] == 'n' ? '\n' : s[i];
    } else {
      o += s[i];
    }
  }
  return o;
}

std::string JoinEscaped(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += Escape(x) + "\n";
  return s;
}

std::vector<std::string> SplitEscaped(const std::string& s) {
  std::vector<std::string> v;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    v.push_back(Unescape(s.substr(start, nl - start)));
    start = nl + 1;
  }
  return v;
}

std::string EncodeArgs(const std::vector<std::pair<std::string, std::string>>& args) {
  std::vector<std::string> v;
  for (const auto& [k, val] : args) v.push_back(k + "=" + val);
  return JoinEscaped(v);
}

std::vector<std::pair<std::string, std::string>> DecodeArgs(const std::string& s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& line : SplitEscaped(s)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

bool IsFinalQueuedState(const std::string& s) {
  return s == "done" || s == "failed" || s == "skipped" || s == "aborted";
}

bool IsQueuedTaskId(const std::string& key) {
  if (key.size() != 11 || key[0] != 'q') return false;
  for (size_t i = 1; i < key.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(key[i]))) return false;
  }
  return true;
}

std::string NewQueuedTaskId() {
  static std::mt19937_64 rng(std::random_device{}() ^ (static_cast<uint64_t>(::getpid()) << 32) ^
                             static_cast<uint64_t>(NowMs()));
  char buf[16];
  std::snprintf(buf, sizeof buf, "q%010llx", static_cast<unsigned long long>(rng() & 0xffffffffffULL));
  return buf;
}

bool EmbeddedBroker::Fail(const std::string& what) {
  error_ = what + ": " + sqlite3_errmsg(store_.db());
  return false;
}

bool EmbeddedBroker::Open(bool create, const std::string& dir) {
  if (!store_.Open(create, dir)) {
    error_ = store_.error();
    return false;
  }
  if (!store_.Setup(kSchema)) {
    error_ = store_.error();
    return false;
  }
  return true;
}

std::string EmbeddedBroker::TaskDir(bool create) {
  std::string d = store_.dir() + "/queue";
  if (create) ::mkdir(d.c_str(), 0700);
  return d;
}

void EmbeddedBroker::Wake(int pid) {
  if (pid > 0 && pid != ::getpid()) ::kill(pid, SIGUSR1);
}

void EmbeddedBroker::WakeWorkers(const std::string& queue) {
  for (const WorkerInfo& w : Workers()) {
    for (const std::string& q : w.queues) {
      if (q == queue) {
        Wake(w.pid);
        break;
      }
    }
  }
}

bool EmbeddedBroker::Submit(std::vector<QueuedTask>* batch) {
  error_.clear();
  if (!store_.Begin()) return Fail("job store");
  auto fail = [&](const std::string& what) {
    Fail(what);
    store_.Rollback();
    return false;
  };
  std::set<std::string> queues;
  for (QueuedTask& task : *batch) {
    QueuedTask* t = &task;
    std::string skip_reason;
    for (const std::string& dep : t->after) {
      Stmt s(store_.db(), "SELECT state FROM queue WHERE id = ?1");
      s.Bind(1, dep);
      if (s.Step() != SQLITE_ROW) {
        store_.Rollback();
        error_ = "no task '" + dep + "' to run after";
        return false;
      }
      std::string st = s.Text(0);
      if (skip_reason.empty() && (st == "failed" || st == "aborted" || st == "skipped"))
        skip_reason = "after " + st + " task '" + dep + "'";
    }
    t->submitted_ms = NowMs();
    t->state = skip_reason.empty() ? "queued" : "skipped";
    t->reason = skip_reason;
    if (!skip_reason.empty()) t->ended_ms = t->submitted_ms;
    for (int tries = 0;; ++tries) {
      t->id = NewQueuedTaskId();
      Stmt s(store_.db(),
             "INSERT INTO queue (id, seq, queue, task, args, state, submitted_ms, ended_ms, reason, waiter) "
             "VALUES (?1, (SELECT IFNULL(MAX(seq), 0) + 1 FROM queue), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
      s.Bind(1, t->id).Bind(2, t->queue).Bind(3, t->task).Bind(4, EncodeArgs(t->args)).Bind(5, t->state);
      s.Bind(6, t->submitted_ms).Bind(7, t->ended_ms).Bind(8, t->reason).Bind(9, t->waiter);
      if (s.Run()) break;
      if (tries == 5 || sqlite3_extended_errcode(store_.db()) != SQLITE_CONSTRAINT_PRIMARYKEY)
        return fail("job store: cannot queue the task");
    }
    for (const std::string& dep : t->after) {
      Stmt s(store_.db(), "INSERT OR IGNORE INTO queue_after (id, dep) VALUES (?1, ?2)");
      s.Bind(1, t->id).Bind(2, dep);
      if (!s.Run()) return fail("job store: cannot queue the task");
    }
    if (t->state == "queued") queues.insert(t->queue);
  }
  if (!store_.Commit()) return Fail("job store: cannot queue the task");
  for (const std::string& q : queues) WakeWorkers(q);
  return true;
}

std::optional<QueuedTask> EmbeddedBroker::Find(const std::string& id) {
  Stmt s(store_.db(), (std::string("SELECT ") + kColumns + " FROM queue WHERE id = ?1").c_str());
  s.Bind(1, id);
  if (s.Step() != SQLITE_ROW) return std::nullopt;
  QueuedTask t = ReadRow(s);
  Stmt a(store_.db(), "SELECT dep FROM queue_after WHERE id = ?1 ORDER BY rowid");
  a.Bind(1, id);
  while (a.Step() == SQLITE_ROW) t.after.push_back(a.Text(0));
  return t;
}

std::optional<std::string> EmbeddedBroker::Result(const std::string& id) {
  Stmt s(store_.db(), "SELECT result FROM queue WHERE id = ?1 AND state = 'done'");
  s.Bind(1, id);
  if (s.Step() != SQLITE_ROW || s.IsNull(0)) return std::nullopt;
  return s.Blob(0);
}

void EmbeddedBroker::SkipDependents(const std::string& id, const std::string& why) {
  std::vector<std::pair<std::string, std::string>> todo{{id, why}};
  std::set<std::string> seen{id};
  while (!todo.empty()) {  // iterative: chains of any length
    auto [from, state] = todo.back();
    todo.pop_back();
    std::vector<std::string> deps;
    {
      Stmt s(store_.db(),
             "SELECT a.id FROM queue_after a JOIN queue q ON q.id = a.id WHERE a.dep = ?1 AND q.state = 'queued'");
      s.Bind(1, from);
      while (s.Step() == SQLITE_ROW) deps.push_back(s.Text(0));
    }
    for (const std::string& d : deps) {
      if (!seen.insert(d).second) continue;
      Stmt u(store_.db(), "UPDATE queue SET state = 'skipped', reason = ?2, ended_ms = ?3 WHERE id = ?1");
      u.Bind(1, d).Bind(2, "after " + state + " task '" + from + "'").Bind(3, NowMs());
      u.Run();
      if (std::optional<QueuedTask> t = Find(d)) Wake(LivePid(t->waiter));
      todo.emplace_back(d, "skipped");
    }
  }
}

bool EmbeddedBroker::RequestAbort(const std::string& id, bool* now) {
  error_.clear();
  *now = false;
  if (!store_.Begin()) return Fail("job store");
  std::optional<QueuedTask> t = Find(id);
  if (!t) {
    store_.Rollback();
    error_ = "no task '" + id + "'";
    return false;
  }
  if (IsFinalQueuedState(t->state)) {
    store_.Rollback();
    error_ = "task " + id + " (" + t->task + ") already ended: " + t->state;
    return false;
  }
  if (t->state == "queued") {
    Stmt u(store_.db(),
           "UPDATE queue SET state = 'aborted', reason = 'aborted by smc abort before it started', ended_ms = ?2 "
           "WHERE id = ?1");
    u.Bind(1, id).Bind(2, NowMs());
    if (!u.Run()) {
      Fail("job store");
      store_.Rollback();
      return false;
    }
    SkipDependents(id, "aborted");
    *now = true;
  } else {
    Stmt u(store_.db(), "UPDATE queue SET abort_requested = 1 WHERE id = ?1");
    u.Bind(1, id);
    if (!u.Run()) {
      Fail("job store");
      store_.Rollback();
      return false;
    }
  }
  if (!store_.Commit()) return Fail("job store");
  Wake(LivePid(*now ? t->waiter : t->worker));
  return true;
}

std::vector<QueueCounts> EmbeddedBroker::Counts() {
  std::map<std::string, QueueCounts> m;
  Stmt s(store_.db(), "SELECT queue, state, COUNT(*) FROM queue GROUP BY queue, state");
  while (s.Step() == SQLITE_ROW) {
    QueueCounts& c = m[s.Text(0)];
    c.queue = s.Text(0);
    std::string st = s.Text(1);
    int n = static_cast<int>(s.Int(2));
    (st == "queued"    ? c.queued
     : st == "running" ? c.running
     : st == "done"    ? c.done
     : st == "failed"  ? c.failed
     : st == "skipped" ? c.skipped
                       : c.aborted) += n;
  }
  for (const WorkerInfo& w : Workers()) {
    for (const std::string& q : w.queues) {
      m[q].queue = q;
      m[q].workers++;
    }
  }
  std::vector<QueueCounts> v;
  for (auto& [k, c] : m) v.push_back(c);
  return v;
}

std::vector<WorkerInfo> EmbeddedBroker::Workers() {
  std::vector<WorkerInfo> v;
  Stmt s(store_.db(), "SELECT id, pid, start_ticks, queues, templates, parallelism, seen_ms FROM queue_workers");
  while (s.Step() == SQLITE_ROW) {
    WorkerInfo w;
    w.id = s.Text(0);
    w.pid = static_cast<int>(s.Int(1));
    w.start_ticks = static_cast<uint64_t>(s.Int(2));
    w.queues = SplitEscaped(s.Text(3));
    w.templates = SplitEscaped(s.Text(4));
    w.parallelism = static_cast<int>(s.Int(5));
    w.seen_ms = s.Int(6);
    if (JobRegistry::Alive(w.pid, w.start_ticks)) v.push_back(std::move(w));
  }
  return v;
}

bool EmbeddedBroker::Register(const WorkerInfo& w) {
  Stmt s(store_.db(),
         "INSERT OR REPLACE INTO queue_workers (id, pid, start_ticks, queues, templates, parallelism, seen_ms) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.Bind(1, w.id).Bind(2, int64_t{w.pid}).Bind(3, static_cast<int64_t>(w.start_ticks)).Bind(4, JoinEscaped(w.queues));
  s.Bind(5, JoinEscaped(w.templates)).Bind(6, int64_t{w.parallelism}).Bind(7, NowMs());
  if (!s.Run()) return Fail("job store: cannot register the worker");
  // Workers that died without unregistering.
  std::vector<std::string> dead;
  {
    Stmt d(store_.db(), "SELECT id, pid, start_ticks FROM queue_workers");
    while (d.Step() == SQLITE_ROW) {
      if (!JobRegistry::Alive(static_cast<int>(d.Int(1)), static_cast<uint64_t>(d.Int(2)))) dead.push_back(d.Text(0));
    }
  }
  for (const std::string& id : dead) {
    Stmt d(store_.db(), "DELETE FROM queue_workers WHERE id = ?1");
    d.Bind(1, id);
    d.Run();
  }
  return true;
}

bool EmbeddedBroker::Unregister(const WorkerInfo& w) {
  Stmt s(store_.db(), "DELETE FROM queue_workers WHERE id = ?1");
  s.Bind(1, w.id);
  return s.Run() || Fail("job store: cannot unregister the worker");
}

std::vector<QueuedTask> EmbeddedBroker::Claim(const WorkerInfo& w, const std::vector<std::string>& tasks, int max,
                                              int64_t lease_ms) {
  std::vector<QueuedTask> out;
  if (max <= 0 || w.queues.empty() || tasks.empty()) return out;
  if (!store_.Begin()) {
    Fail("job store");
    return out;
  }
  int64_t now = NowMs();
  std::string sql = std::string("SELECT ") + kColumns + " FROM queue q WHERE q.queue IN (" +
                    Placeholders(w.queues.size(), 3) + ") AND q.task IN (" +
                    Placeholders(tasks.size(), 3 + static_cast<int>(w.queues.size())) +
                    ") AND ((q.state = 'queued' AND q.not_before_ms <= ?1) OR "
                    "(q.state = 'running' AND q.lease_until_ms < ?1)) AND NOT EXISTS (SELECT 1 FROM queue_after a "
                    "JOIN queue d ON d.id = a.dep WHERE a.id = q.id AND d.state != 'done') ORDER BY q.seq LIMIT ?2";
  {
    Stmt s(store_.db(), sql.c_str());
    s.Bind(1, now).Bind(2, int64_t{max});
    int i = 3;
    for (const std::string& q : w.queues) s.Bind(i++, q);
    for (const std::string& t : tasks) s.Bind(i++, t);
    while (s.Step() == SQLITE_ROW) out.push_back(ReadRow(s));
  }
  for (QueuedTask& t : out) {
    if (t.state == "running") t.previous_worker = t.worker;
    t.state = "running";
    t.attempt += 1;
    t.worker = w.id;
    t.lease_until_ms = now + lease_ms;
    t.started_ms = now;
    t.progress = -1;
    t.message.clear();
    t.pgid = 0;
    Stmt u(store_.db(),
           "UPDATE queue SET state = 'running', attempt = ?2, worker = ?3, lease_until_ms = ?4, started_ms = ?5, "
           "progress = -1, message = '', pgid = 0 WHERE id = ?1");
    u.Bind(1, t.id).Bind(2, int64_t{t.attempt}).Bind(3, t.worker).Bind(4, t.lease_until_ms).Bind(5, now);
    if (!u.Run()) {
      Fail("job store: cannot claim a task");
      store_.Rollback();
      return {};
    }
  }
  if (!store_.Commit()) {
    Fail("job store: cannot claim a task");
    return {};
  }
  for (QueuedTask& t : out) {
    Stmt a(store_.db(), "SELECT dep FROM queue_after WHERE id = ?1 ORDER BY rowid");
    a.Bind(1, t.id);
    while (a.Step() == SQLITE_ROW) t.after.push_back(a.Text(0));
  }
  return out;
}

std::vector<std::string> EmbeddedBroker::Renew(const WorkerInfo& w, const std::vector<std::string>& ids,
                                               int64_t lease_ms) {
  std::vector<std::string> lost;
  if (ids.empty()) return lost;
  if (!store_.Begin()) return lost;  // a busy store: the next renewal tries again
  int64_t until = NowMs() + lease_ms;
  for (const std::string& id : ids) {
    Stmt u(store_.db(), "UPDATE queue SET lease_until_ms = ?3 WHERE id = ?1 AND worker = ?2 AND state = 'running'");
    u.Bind(1, id).Bind(2, w.id).Bind(3, until);
    if (u.Run() && sqlite3_changes(store_.db()) == 0) lost.push_back(id);
  }
  Stmt seen(store_.db(), "UPDATE queue_workers SET seen_ms = ?2 WHERE id = ?1");
  seen.Bind(1, w.id).Bind(2, NowMs());
  seen.Run();
  if (!store_.Commit()) return {};
  return lost;
}

bool EmbeddedBroker::Update(const WorkerInfo& w, const QueuedTask& t) {
  Stmt u(store_.db(),
         "UPDATE queue SET progress = ?3, message = ?4, pgid = ?5 WHERE id = ?1 AND worker = ?2 AND state = 'running'");
  u.Bind(1, t.id).Bind(2, w.id).BindDouble(3, t.progress).Bind(4, t.message).Bind(5, int64_t{t.pgid});
  return u.Run() || Fail("job store: cannot update task " + t.id);
}

bool EmbeddedBroker::Finish(const WorkerInfo& w, const QueuedTask& t, const std::optional<std::string>& result) {
  error_.clear();
  if (!store_.Begin()) return Fail("job store");
  std::string waiter;
  {
    Stmt s(store_.db(), "SELECT worker, attempt, state, waiter FROM queue WHERE id = ?1");
    s.Bind(1, t.id);
    if (s.Step() != SQLITE_ROW || s.Text(0) != w.id || s.Int(1) != t.attempt || s.Text(2) != "running") {
      store_.Rollback();
      return false;  // another worker holds it now
    }
    waiter = s.Text(3);
  }
  Stmt u(store_.db(),
         "UPDATE queue SET state = ?2, exit_status = ?3, signal = ?4, timed_out = ?5, ended_ms = ?6, reason = ?7, "
         "result = ?8, result_size = ?9, result_path = ?10, progress = ?11, message = ?12, pgid = 0, "
         "not_before_ms = ?13, max_attempts = ?14, abort_requested = 0, "
         "worker = CASE WHEN ?2 = 'queued' THEN '' ELSE worker END WHERE id = ?1");
  u.Bind(1, t.id).Bind(2, t.state).Bind(3, int64_t{t.exit_status}).Bind(4, int64_t{t.signal});
  u.Bind(5, int64_t{t.timed_out}).Bind(6, t.ended_ms).Bind(7, t.reason);
  if (result) u.BindBlob(8, *result);  // else NULL
  u.Bind(9, t.result_size).Bind(10, t.result_path).BindDouble(11, t.progress).Bind(12, t.message);
  u.Bind(13, t.not_before_ms).Bind(14, int64_t{t.max_attempts});
  if (!u.Run()) {
    Fail("job store: cannot store the end of task " + t.id);
    store_.Rollback();
    return false;
  }
  bool dependents = false;
  if (t.state == "failed" || t.state == "aborted") SkipDependents(t.id, t.state);
  if (t.state == "done") {
    Stmt d(store_.db(), "SELECT 1 FROM queue_after WHERE dep = ?1 LIMIT 1");
    d.Bind(1, t.id);
    dependents = d.Step() == SQLITE_ROW;
  }
  if (!store_.Commit()) {
    Fail("job store: cannot store the end of task " + t.id);
    return false;
  }
  if (IsFinalQueuedState(t.state)) Wake(LivePid(waiter));
  if (dependents || t.state == "queued") WakeWorkers(t.queue);
  return true;
}

std::vector<std::string> EmbeddedBroker::AbortsRequested(const std::vector<std::string>& running) {
  std::vector<std::string> v;
  if (running.empty()) return v;
  std::string sql =
      "SELECT id FROM queue WHERE abort_requested = 1 AND id IN (" + Placeholders(running.size(), 1) + ")";
  Stmt s(store_.db(), sql.c_str());
  int i = 1;
  for (const std::string& id : running) s.Bind(i++, id);
  while (s.Step() == SQLITE_ROW) v.push_back(s.Text(0));
  return v;
}

bool EmbeddedBroker::Record(const QueuedTask& t) {
  Stmt s(store_.db(),
         "INSERT OR IGNORE INTO queue (id, seq, queue, task, args, state, submitted_ms, waiter) "
         "VALUES (?1, (SELECT IFNULL(MAX(seq), 0) + 1 FROM queue), ?2, ?3, ?4, 'queued', ?5, ?6)");
  s.Bind(1, t.id).Bind(2, t.queue).Bind(3, t.task).Bind(4, EncodeArgs(t.args)).Bind(5, t.submitted_ms);
  s.Bind(6, t.waiter);
  return s.Run() || Fail("job store: cannot record the task");
}

bool EmbeddedBroker::Apply(const QueuedTask& t, const std::optional<std::string>& result, bool* applied) {
  *applied = false;
  if (!IsFinalQueuedState(t.state)) {
    Stmt u(store_.db(),
           "UPDATE queue SET state = ?2, attempt = ?3, progress = ?4, message = ?5, started_ms = ?6, worker = ?7 "
           "WHERE id = ?1 AND state IN ('queued', 'running')");
    u.Bind(1, t.id).Bind(2, t.state).Bind(3, int64_t{t.attempt}).BindDouble(4, t.progress).Bind(5, t.message);
    u.Bind(6, t.started_ms).Bind(7, t.worker);
    if (!u.Run()) return Fail("job store: cannot record progress");
    *applied = sqlite3_changes(store_.db()) > 0;
    return true;
  }
  Stmt u(store_.db(),
         "UPDATE queue SET state = ?2, attempt = ?3, exit_status = ?4, signal = ?5, timed_out = ?6, started_ms = ?7, "
         "ended_ms = ?8, reason = ?9, result = ?10, result_size = ?11, progress = ?12, message = ?13, worker = ?14 "
         "WHERE id = ?1 AND state IN ('queued', 'running')");
  u.Bind(1, t.id).Bind(2, t.state).Bind(3, int64_t{t.attempt}).Bind(4, int64_t{t.exit_status});
  u.Bind(5, int64_t{t.signal}).Bind(6, int64_t{t.timed_out}).Bind(7, t.started_ms).Bind(8, t.ended_ms);
  u.Bind(9, t.reason);
  if (result) u.BindBlob(10, *result);
  u.Bind(11, t.result_size).BindDouble(12, t.progress).Bind(13, t.message).Bind(14, t.worker);
  if (!u.Run()) return Fail("job store: cannot record the end of a task");
  *applied = sqlite3_changes(store_.db()) > 0;
  return true;
}

}  // namespace smc::rt
