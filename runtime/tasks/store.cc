#include "runtime/tasks/store.h"

#include "runtime/tasks/sqlite_stmt.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

namespace smc::rt {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY, block TEXT NOT NULL, path TEXT NOT NULL, params TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL, pid INTEGER NOT NULL DEFAULT 0, start_ticks INTEGER NOT NULL DEFAULT 0,
  started_ms INTEGER NOT NULL DEFAULT 0, ended_ms INTEGER NOT NULL DEFAULT 0, exit_status INTEGER NOT NULL DEFAULT -1);
CREATE TABLE IF NOT EXISTS tasks (
  job TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, name TEXT NOT NULL, idx INTEGER NOT NULL,
  state TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL DEFAULT 1,
  exit_status INTEGER NOT NULL DEFAULT -1, signal INTEGER NOT NULL DEFAULT 0, timed_out INTEGER NOT NULL DEFAULT 0,
  progress REAL NOT NULL DEFAULT -1, message TEXT NOT NULL DEFAULT '',
  started_ms INTEGER NOT NULL DEFAULT 0, ended_ms INTEGER NOT NULL DEFAULT 0,
  result_path TEXT NOT NULL DEFAULT '', result_size INTEGER NOT NULL DEFAULT -1, result BLOB,
  reason TEXT NOT NULL DEFAULT '', pgid INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT NOT NULL DEFAULT '', lease_until_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (job, name));
CREATE INDEX IF NOT EXISTS tasks_by_state ON tasks(state, job);
CREATE TABLE IF NOT EXISTS attempts (
  job TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, task TEXT NOT NULL, attempt INTEGER NOT NULL,
  started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL, exit_status INTEGER NOT NULL, signal INTEGER NOT NULL,
  timed_out INTEGER NOT NULL, aborted INTEGER NOT NULL, PRIMARY KEY (job, task, attempt));
CREATE TABLE IF NOT EXISTS abort_requests (
  job TEXT NOT NULL, task TEXT NOT NULL, grace_ns INTEGER NOT NULL);
)sql";

std::string JoinLines(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += x + "\n";
  return s;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> v;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    v.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return v;
}

// Makes `dir` and its missing parents with mode 0700; the last must be a
// folder of this user that nobody else may write or read.
bool PrivateDir(const std::string& dir, bool create, std::string* error) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (!create) return false;
    std::error_code ec;
    std::filesystem::path p(dir);
    std::filesystem::path parent = p.parent_path();
    if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
      std::filesystem::create_directories(parent, ec);
      if (!ec) ::chmod(parent.c_str(), 0700);
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      *error = "cannot make '" + dir + "': " + std::strerror(errno);
      return false;
    }
    if (::lstat(dir.c_str(), &st) != 0) {
      *error = "cannot use '" + dir + "': " + std::strerror(errno);
      return false;
    }
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::getuid() || (st.st_mode & 077) != 0) {
    *error = "'" + dir + "' is not a private folder of this user (mode 0700); fix or remove it";
    return false;
  }
  return true;
}

TaskRow ReadTask(Stmt& s) {
  TaskRow t;
  t.job = s.Text(0);
  t.name = s.Text(1);
  t.index = static_cast<int>(s.Int(2));
  t.state = s.Text(3);
  t.attempt = static_cast<int>(s.Int(4));
  t.max_attempts = static_cast<int>(s.Int(5));
  t.exit_status = static_cast<int>(s.Int(6));
  t.signal = static_cast<int>(s.Int(7));
  t.timed_out = s.Int(8) != 0;
  t.progress = s.Double(9);
  t.message = s.Text(10);
  t.started_ms = s.Int(11);
  t.ended_ms = s.Int(12);
  t.result_path = s.Text(13);
  t.result_size = s.Int(14);
  t.reason = s.Text(15);
  t.pgid = static_cast<int>(s.Int(16));
  t.lease_owner = s.Text(17);
  return t;
}

constexpr const char* kTaskColumns =
    "job, name, idx, state, attempt, max_attempts, exit_status, signal, timed_out, progress, message, started_ms, "
    "ended_ms, result_path, result_size, reason, pgid, lease_owner";

JobRow ReadJob(Stmt& s) {
  JobRow j;
  j.id = s.Text(0);
  j.block = s.Text(1);
  j.path = s.Text(2);
  j.params = SplitLines(s.Text(3));
  j.state = s.Text(4);
  j.pid = static_cast<int>(s.Int(5));
  j.start_ticks = static_cast<uint64_t>(s.Int(6));
  j.started_ms = s.Int(7);
  j.ended_ms = s.Int(8);
  j.exit_status = static_cast<int>(s.Int(9));
  return j;
}

constexpr const char* kJobColumns =
    "id, block, path, params, state, pid, start_ticks, started_ms, ended_ms, exit_status";

}  // namespace

bool IsFinalTaskState(const std::string& s) {
  return s == "done" || s == "failed" || s == "skipped" || s == "aborted";
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

JobStore::~JobStore() {
  if (db_) sqlite3_close(db_);
}

std::string JobStore::DefaultDir() {
  const char* xdg = std::getenv("XDG_STATE_HOME");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/smc";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/") + "/.local/state/smc";
}

bool JobStore::Fail(const std::string& what) {
  error_ = what + (db_ ? std::string(": ") + sqlite3_errmsg(db_) : std::string());
  return false;
}

bool JobStore::Exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    error_ = std::string("job store: ") + (msg ? msg : "error");
    sqlite3_free(msg);
    return false;
  }
  return true;
}

bool JobStore::Setup(const char* sql, bool transaction) {
  // Processes that open a fresh store at the same moment each set it up: a
  // statement that reads the schema and then writes fails at once with
  // SQLITE_BUSY when another committed meanwhile (the busy handler is not
  // called for a stale read), as switching to WAL can. So the setup is one
  // immediate transaction, tried again for a bounded time.
  for (int tries = 0;; ++tries) {
    bool ok = transaction ? Exec("BEGIN IMMEDIATE") && Exec(sql) && Exec("COMMIT") : Exec(sql);
    if (ok) return true;
    int code = sqlite3_errcode(db_) & 0xff;
    if (transaction && !sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || tries >= 200) return false;
    ::usleep(5'000 + 250 * tries);  // at most about 6 s in all
  }
}

bool JobStore::Open(bool create, const std::string& dir) {
  error_.clear();
  dir_ = dir.empty() ? DefaultDir() : dir;
  if (!PrivateDir(dir_, create, &error_)) return false;
  std::string path = dir_ + "/jobs.db";
  // Open the file ourselves first, to check what it is before SQLite uses it.
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
  if (fd < 0) {
    if (!create && errno == ENOENT) return false;
    error_ = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::getuid();
  if (ok && (st.st_mode & 077) != 0) ok = ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!ok) {
    error_ = "'" + path + "' is not a private file of this user (mode 0600); fix or remove it";
    return false;
  }
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr) != SQLITE_OK) {
    Fail("cannot open the job store '" + path + "'");
    sqlite3_close(db_);
    db_ = nullptr;
    return false;
  }
  sqlite3_busy_timeout(db_, 10000);
  if (!Setup("PRAGMA journal_mode=WAL", false) || !Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;") ||
      !Setup(kSchema)) {
    sqlite3_close(db_);
    db_ = nullptr;
    return false;
  }
  return true;
}

std::string JobStore::JobDir(const std::string& job, bool create) {
  std::string d = dir_ + "/jobs/" + job;
  if (create) {
    ::mkdir((dir_ + "/jobs").c_str(), 0700);
    ::mkdir(d.c_str(), 0700);
  }
  return d;
}

bool JobStore::Begin() {
  return Exec("BEGIN IMMEDIATE");
}
bool JobStore::Commit() {
  return Exec("COMMIT");
}
bool JobStore::Rollback() {
  return Exec("ROLLBACK");
}

bool JobStore::CreateJob(const JobRow& j, const std::vector<TaskRow>& tasks) {
  if (!Begin()) return false;
  Stmt s(db_,
         "INSERT INTO jobs (id, block, path, params, state, pid, start_ticks, started_ms, ended_ms, exit_status) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  s.Bind(1, j.id).Bind(2, j.block).Bind(3, j.path).Bind(4, JoinLines(j.params)).Bind(5, j.state);
  s.Bind(6, int64_t{j.pid}).Bind(7, static_cast<int64_t>(j.start_ticks)).Bind(8, j.started_ms);
  s.Bind(9, j.ended_ms).Bind(10, int64_t{j.exit_status});
  if (!s.Run()) {
    Fail("job store: cannot add job " + j.id);
    Exec("ROLLBACK");
    return false;
  }
  for (const TaskRow& t : tasks) {
    if (!InsertTask(t)) {
      Exec("ROLLBACK");
      return false;
    }
  }
  return Commit();
}

bool JobStore::UpdateJob(const JobRow& j) {
  Stmt s(db_,
         "UPDATE jobs SET state = ?2, pid = ?3, start_ticks = ?4, started_ms = ?5, ended_ms = ?6, "
         "exit_status = ?7, params = ?8 WHERE id = ?1");
  s.Bind(1, j.id).Bind(2, j.state).Bind(3, int64_t{j.pid}).Bind(4, static_cast<int64_t>(j.start_ticks));
  s.Bind(5, j.started_ms).Bind(6, j.ended_ms).Bind(7, int64_t{j.exit_status}).Bind(8, JoinLines(j.params));
  return s.Run() || Fail("job store: cannot update job " + j.id);
}

std::optional<JobRow> JobStore::FindJob(const std::string& id) {
  Stmt s(db_, (std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?1").c_str());
  s.Bind(1, id);
  if (s.Step() != SQLITE_ROW) return std::nullopt;
  return ReadJob(s);
}

std::vector<JobRow> JobStore::Jobs() {
  std::vector<JobRow> v;
  Stmt s(db_, (std::string("SELECT ") + kJobColumns + " FROM jobs ORDER BY started_ms DESC, rowid DESC").c_str());
  while (s.Step() == SQLITE_ROW) v.push_back(ReadJob(s));
  return v;
}

std::optional<JobRow> JobStore::LastUnfinished(const std::string& path, const std::string& block) {
  Stmt s(db_, (std::string("SELECT ") + kJobColumns +
               " FROM jobs WHERE path = ?1 AND block = ?2 AND state NOT IN ('done') "
               "ORDER BY started_ms DESC, rowid DESC LIMIT 1")
                  .c_str());
  s.Bind(1, path).Bind(2, block);
  if (s.Step() != SQLITE_ROW) return std::nullopt;
  return ReadJob(s);
}

bool JobStore::InsertTask(const TaskRow& t) {
  Stmt s(db_, "INSERT OR IGNORE INTO tasks (job, name, idx, state, max_attempts) VALUES (?1, ?2, ?3, ?4, ?5)");
  s.Bind(1, t.job).Bind(2, t.name).Bind(3, int64_t{t.index}).Bind(4, t.state).Bind(5, int64_t{t.max_attempts});
  return (s.Run() && UpdateTask(t)) || Fail("job store: cannot add task " + t.name);
}

bool JobStore::UpdateTask(const TaskRow& t) {
  Stmt s(db_,
         "UPDATE tasks SET idx = ?3, state = ?4, attempt = ?5, max_attempts = ?6, exit_status = ?7, signal = ?8, "
         "timed_out = ?9, progress = ?10, message = ?11, started_ms = ?12, ended_ms = ?13, result_path = ?14, "
         "result_size = ?15, reason = ?16, pgid = ?17, lease_owner = ?18 WHERE job = ?1 AND name = ?2");
  s.Bind(1, t.job).Bind(2, t.name).Bind(3, int64_t{t.index}).Bind(4, t.state).Bind(5, int64_t{t.attempt});
  s.Bind(6, int64_t{t.max_attempts}).Bind(7, int64_t{t.exit_status}).Bind(8, int64_t{t.signal});
  s.Bind(9, int64_t{t.timed_out}).BindDouble(10, t.progress).Bind(11, t.message).Bind(12, t.started_ms);
  s.Bind(13, t.ended_ms).Bind(14, t.result_path).Bind(15, t.result_size).Bind(16, t.reason);
  s.Bind(17, int64_t{t.pgid}).Bind(18, t.lease_owner);
  return s.Run() || Fail("job store: cannot update task " + t.name);
}

bool JobStore::UpdateProgress(const TaskRow& t) {
  Stmt s(db_, "UPDATE tasks SET progress = ?3, message = ?4 WHERE job = ?1 AND name = ?2");
  s.Bind(1, t.job).Bind(2, t.name).BindDouble(3, t.progress).Bind(4, t.message);
  return s.Run() || Fail("job store: cannot update task " + t.name);
}

std::vector<TaskRow> JobStore::Tasks(const std::string& job) {
  std::vector<TaskRow> v;
  Stmt s(db_, (std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE job = ?1 ORDER BY idx").c_str());
  s.Bind(1, job);
  while (s.Step() == SQLITE_ROW) v.push_back(ReadTask(s));
  return v;
}

bool JobStore::StoreResult(const std::string& job, const std::string& task, const std::string& bytes) {
  Stmt s(db_, "UPDATE tasks SET result = ?3 WHERE job = ?1 AND name = ?2");
  s.Bind(1, job).Bind(2, task).BindBlob(3, bytes);
  return s.Run() || Fail("job store: cannot store the result of " + task);
}

std::optional<std::string> JobStore::ReadResultBlob(const std::string& job, const std::string& task) {
  Stmt s(db_, "SELECT result FROM tasks WHERE job = ?1 AND name = ?2");
  s.Bind(1, job).Bind(2, task);
  if (s.Step() != SQLITE_ROW || s.IsNull(0)) return std::nullopt;
  return s.Blob(0);
}

bool JobStore::AddAttempt(const std::string& job, const AttemptRow& a) {
  Stmt s(db_,
         "INSERT OR REPLACE INTO attempts (job, task, attempt, started_ms, ended_ms, exit_status, signal, "
         "timed_out, aborted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  s.Bind(1, job).Bind(2, a.task).Bind(3, int64_t{a.attempt}).Bind(4, a.started_ms).Bind(5, a.ended_ms);
  s.Bind(6, int64_t{a.exit_status}).Bind(7, int64_t{a.signal}).Bind(8, int64_t{a.timed_out});
  s.Bind(9, int64_t{a.aborted});
  return s.Run() || Fail("job store: cannot record an attempt of " + a.task);
}

std::vector<AttemptRow> JobStore::Attempts(const std::string& job) {
  std::vector<AttemptRow> v;
  Stmt s(db_,
         "SELECT a.task, a.attempt, a.started_ms, a.ended_ms, a.exit_status, a.signal, a.timed_out, a.aborted "
         "FROM attempts a LEFT JOIN tasks t ON t.job = a.job AND t.name = a.task WHERE a.job = ?1 "
         "ORDER BY t.idx, a.attempt");
  s.Bind(1, job);
  while (s.Step() == SQLITE_ROW) {
    AttemptRow a;
    a.task = s.Text(0);
    a.attempt = static_cast<int>(s.Int(1));
    a.started_ms = s.Int(2);
    a.ended_ms = s.Int(3);
    a.exit_status = static_cast<int>(s.Int(4));
    a.signal = static_cast<int>(s.Int(5));
    a.timed_out = s.Int(6) != 0;
    a.aborted = s.Int(7) != 0;
    v.push_back(a);
  }
  return v;
}

bool JobStore::RequestAbort(const std::string& job, const std::string& task, int64_t grace_ns) {
  Stmt s(db_, "INSERT INTO abort_requests (job, task, grace_ns) VALUES (?1, ?2, ?3)");
  s.Bind(1, job).Bind(2, task).Bind(3, grace_ns);
  return s.Run() || Fail("job store: cannot record the abort request");
}

std::vector<AbortRequest> JobStore::TakeAbortRequests(const std::string& job) {
  std::vector<AbortRequest> v;
  if (!Begin()) return v;
  {
    Stmt s(db_, "SELECT task, grace_ns FROM abort_requests WHERE job = ?1 ORDER BY rowid");
    s.Bind(1, job);
    while (s.Step() == SQLITE_ROW) v.push_back({s.Text(0), s.Int(1)});
    Stmt d(db_, "DELETE FROM abort_requests WHERE job = ?1");
    d.Bind(1, job);
    d.Run();
  }
  Commit();
  return v;
}

std::vector<std::string> JobStore::Prune(int64_t before_ms) {
  std::vector<std::string> ids;
  {
    Stmt s(db_, "SELECT id FROM jobs WHERE state != 'running' AND ended_ms > 0 AND ended_ms < ?1");
    s.Bind(1, before_ms);
    while (s.Step() == SQLITE_ROW) ids.push_back(s.Text(0));
  }
  if (ids.empty() || !Begin()) return {};
  for (const std::string& id : ids) {
    for (const char* sql : {"DELETE FROM attempts WHERE job = ?1", "DELETE FROM tasks WHERE job = ?1",
                            "DELETE FROM abort_requests WHERE job = ?1", "DELETE FROM jobs WHERE id = ?1"}) {
      Stmt d(db_, sql);
      d.Bind(1, id);
      d.Run();
    }
  }
  if (!Commit()) return {};
  for (const std::string& id : ids) {
    std::error_code ec;
    std::filesystem::remove_all(JobDir(id, false), ec);
  }
  return ids;
}

bool JobStore::IntegrityOk() {
  Stmt s(db_, "PRAGMA integrity_check");
  return s.Step() == SQLITE_ROW && s.Text(0) == "ok";
}

}  // namespace smc::rt
