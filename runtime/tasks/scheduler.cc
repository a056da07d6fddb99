#include "runtime/tasks/scheduler.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "runtime/jobs.h"
#include "runtime/tasks/launch.h"
#include "runtime/tasks/progress.h"
#include "runtime/tasks/report.h"

extern char** environ;  // the tasks inherit smc's environment

namespace smc::rt {

namespace {

using Clock = std::chrono::steady_clock;

int64_t MonoNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

enum class Stop { kNone, kTimeout, kAbort };

// What the scheduler knows of one task beyond its stored row.
struct Live {
  pid_t pid = 0;        // the running attempt's process (and group); 0: none
  bool reaped = false;  // its process has exited
  int wait_status = 0;
  int progress_fd = -1;
  int result_fd = -1;
  ProgressReader reader;
  Stop stop = Stop::kNone;
  int64_t deadline_ns = 0;  // timeout (monotonic); 0: none
  int64_t kill_at_ns = 0;   // SIGKILL after TERM; 0: not yet stopping
  bool killed = false;
  int64_t retry_at_ns = 0;  // a queued retry waits until then
  int64_t started_ns = 0;
  bool progress_dirty = false;
  std::string stopped_by;  // "aborted by smc abort", ...
};

class Scheduler {
 public:
  Scheduler(JobStore& store, const GraphSpec& spec, std::vector<TaskRow>& rows, const SchedulerOptions& opts,
            std::ostream& err)
      : store_(store),
        spec_(spec),
        rows_(rows),
        opts_(opts),
        err_(err),
        live_(rows.size()),
        rng_(std::random_device{}()) {}

  int Run() {
    if (!Setup()) return 70;
    job_dir_ = store_.JobDir(spec_.job, true);
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (rows_[i].state == "running") rows_[i].state = "queued";  // left by a crash: run again
    }
    std::string owner = std::to_string(::getpid()) + ":" + std::to_string(JobRegistry::StartTicks(::getpid()));
    owner_ = owner;
    while (true) {
      int64_t now = MonoNs();
      store_.Begin();
      bool wrote = FinishAttempts(now);
      wrote |= SkipBlocked();
      std::vector<size_t> launch = Launchable(now);
      for (size_t i : launch) MarkRunning(i);
      wrote |= !launch.empty();
      bool progress = FlushProgress(now);
      for (size_t i : groups_dirty_) {  // process groups, for smc ps (informative: resuming finds them by environment)
        if (rows_[i].state == "running") store_.UpdateTask(rows_[i]);
      }
      groups_dirty_.clear();
      if (!store_.Commit()) {
        err_ << "smc: error: " << store_.error() << "\n";
        return Abandon();
      }
      (void)wrote;
      (void)progress;
      for (size_t i : launch) Start(i);
      groups_dirty_.insert(groups_dirty_.end(), launch.begin(), launch.end());
      if (Running() == 0 && !AnyRunnable()) break;
      StatusLine();
      Wait();
    }
    Cleanup();
    return Summary();
  }

 private:
  bool Setup() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGUSR1, SIGHUP}) sigaddset(&set, s);
    if (::sigprocmask(SIG_BLOCK, &set, &old_mask_) != 0) return false;
    sfd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd_ < 0) {
      err_ << "smc: error: signalfd: " << std::strerror(errno) << "\n";
      return false;
    }
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    start_ns_ = MonoNs();
    return true;
  }

  void Cleanup() {
    ::close(sfd_);
    ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
    if (opts_.status_line && status_shown_) err_ << "\r\x1b[K" << std::flush;
  }

  // The store failed: stop everything, report, fail.
  int Abandon() {
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (live_[i].pid > 0 && !live_[i].reaped) ::kill(-live_[i].pid, SIGKILL);
    }
    Cleanup();
    return 70;
  }

  size_t Running() const {
    size_t n = 0;
    for (const Live& l : live_) n += l.pid > 0;
    return n;
  }

  bool AnyRunnable() const {
    for (const TaskRow& r : rows_) {
      if (r.state == "queued") return true;
    }
    return false;
  }

  bool DepsDone(size_t i) const {
    for (int d : spec_.tasks[i].after) {
      if (rows_[d].state != "done") return false;
    }
    return true;
  }

  // Queued tasks after a task that failed, was skipped or aborted: skipped.
  bool SkipBlocked() {
    bool any = false, changed = true;
    while (changed) {
      changed = false;
      for (size_t i = 0; i < rows_.size(); ++i) {
        if (rows_[i].state != "queued") continue;
        std::string reason;
        if (stopping_all_) {
          reason = stop_reason_;
        } else {
          for (int d : spec_.tasks[i].after) {
            const std::string& s = rows_[d].state;
            if (s == "failed" || s == "aborted")
              reason = "after " + s + " task '" + rows_[d].name + "'";
            else if (s == "skipped")
              reason = "after skipped task '" + rows_[d].name + "'";
            if (!reason.empty()) break;
          }
        }
        if (reason.empty()) continue;
        rows_[i].state = "skipped";
        rows_[i].reason = reason;
        rows_[i].ended_ms = NowMs();
        store_.UpdateTask(rows_[i]);
        if (!opts_.status_line || rows_.size() <= 50)
          err_ << "smc: task " << rows_[i].name << " skipped: " << reason << "\n";
        any = changed = true;
      }
    }
    return any;
  }

  std::vector<size_t> Launchable(int64_t now) {
    std::vector<size_t> v;
    if (stopping_all_) return v;
    size_t running = Running();
    for (size_t i = 0; i < rows_.size() && running + v.size() < static_cast<size_t>(spec_.parallelism); ++i) {
      if (rows_[i].state == "queued" && live_[i].retry_at_ns <= now && DepsDone(i)) v.push_back(i);
    }
    return v;
  }

  std::string ResultPath(size_t i) const {
    const TaskSpec& t = spec_.tasks[i];
    return t.result_path.empty() ? job_dir_ + "/" + t.name + ".out" : t.result_path;
  }
  std::string LogPath(size_t i) const { return job_dir_ + "/" + spec_.tasks[i].name + ".log"; }

  void MarkRunning(size_t i) {
    TaskRow& r = rows_[i];
    r.state = "running";
    r.attempt += 1;
    r.max_attempts = spec_.tasks[i].retries + 1;
    r.started_ms = NowMs();
    r.ended_ms = 0;
    r.exit_status = -1;
    r.signal = 0;
    r.timed_out = false;
    r.progress = -1;
    r.message.clear();
    r.reason.clear();
    r.result_path = ResultPath(i);
    r.result_size = -1;
    r.pgid = 0;
    r.lease_owner = owner_;
    store_.UpdateTask(r);
  }

  std::vector<std::string> Environment(size_t i) const {
    std::vector<std::string> env;
    auto ours = [](const char* e) {
      return std::strncmp(e, "SMC_PROGRESS_FD=", 16) == 0 || std::strncmp(e, "SMC_RESULT_", 11) == 0 ||
             std::strncmp(e, "SMC_TASK", 8) == 0 || std::strncmp(e, "SMC_JOB=", 8) == 0 ||
             std::strncmp(e, "SMC_ATTEMPT=", 12) == 0;
    };
    for (char** e = environ; e && *e; ++e) {
      if (!ours(*e)) env.push_back(*e);
    }
    for (const std::string& e : spec_.env) env.push_back(e);
    env.push_back("SMC_PROGRESS_FD=3");
    env.push_back("SMC_JOB=" + spec_.job);
    env.push_back("SMC_TASK=" + rows_[i].name);
    env.push_back("SMC_TASK_ID=" + spec_.job + "/" + rows_[i].name);
    env.push_back("SMC_ATTEMPT=" + std::to_string(rows_[i].attempt));
    for (int d : spec_.tasks[i].ancestors) env.push_back(ResultVariable(rows_[d].name) + "=" + rows_[d].result_path);
    return env;
  }

  void Start(size_t i) {
    Live& l = live_[i];
    const TaskSpec& t = spec_.tasks[i];
    l = Live{};
    l.started_ns = MonoNs();
    std::string result = rows_[i].result_path;
    l.result_fd = ::open(result.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int log_fd = ::open(LogPath(i).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    std::string error;
    pid_t pid = -1;
    if (l.result_fd < 0 || log_fd < 0) {
      error = (l.result_fd < 0 ? result : LogPath(i)) + ": " + std::strerror(errno);
    } else {
      LaunchSpec ls{t.argv, Environment(i), spec_.dir, t.stdin_path, l.result_fd, log_fd};
      pid = LaunchTask(ls, &l.progress_fd, &error);
    }
    if (log_fd >= 0) ::close(log_fd);
    if (pid < 0) {
      err_ << "smc: error: cannot start task " << t.name << ": " << error << "\n";
      CloseResult(i);
      l.reaped = true;
      l.wait_status = 127 << 8;
      l.pid = -1;
      return;
    }
    l.pid = pid;
    rows_[i].pgid = pid;
    if (t.timeout_ns > 0) l.deadline_ns = l.started_ns + t.timeout_ns;
  }

  void StopTask(size_t i, Stop why, int64_t grace_ns, const std::string& text) {
    Live& l = live_[i];
    if (l.pid <= 0 || l.stop != Stop::kNone) return;
    l.stop = why;
    l.stopped_by = text;
    ::kill(-l.pid, SIGTERM);
    l.kill_at_ns = MonoNs() + grace_ns;
  }

  void StopAll(const std::string& reason, int64_t grace_ns) {
    if (!stopping_all_) {
      stopping_all_ = true;
      stop_reason_ = reason;
    }
    for (size_t i = 0; i < rows_.size(); ++i) StopTask(i, Stop::kAbort, grace_ns, reason);
  }

  void ReadProgress(size_t i) {
    Live& l = live_[i];
    if (l.progress_fd < 0) return;
    if (DrainProgress(&l.progress_fd, l.reader, &rows_[i].progress, &rows_[i].message)) l.progress_dirty = true;
  }

  bool FlushProgress(int64_t now) {
    if (now - last_progress_flush_ns_ < 100'000'000) return false;
    bool any = false;
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (!live_[i].progress_dirty) continue;
      live_[i].progress_dirty = false;
      store_.UpdateProgress(rows_[i]);
      any = true;
    }
    if (any) last_progress_flush_ns_ = now;
    return any;
  }

  // Attempts whose process ended (and, when it was stopped, whose group is gone).
  bool FinishAttempts(int64_t now) {
    bool any = false;
    for (size_t i = 0; i < rows_.size(); ++i) {
      Live& l = live_[i];
      if (l.pid == 0 || !l.reaped) continue;
      if (l.pid > 0 && l.stop != Stop::kNone && !GroupGone(l.pid) && !l.killed) continue;  // waits for the group
      Finish(i, now);
      any = true;
    }
    return any;
  }

  void Finish(size_t i, int64_t now) {
    Live& l = live_[i];
    TaskRow& r = rows_[i];
    const TaskSpec& t = spec_.tasks[i];
    if (l.progress_fd >= 0) {
      ReadProgress(i);
      if (l.progress_fd >= 0) ::close(l.progress_fd);
      l.progress_fd = -1;
    }
    int st = l.wait_status;
    r.exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    r.timed_out = l.stop == Stop::kTimeout;
    r.ended_ms = NowMs();
    r.pgid = 0;
    int64_t elapsed = now - l.started_ns;
    bool ok = l.stop == Stop::kNone && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    AttemptRow a{r.name,        r.attempt, r.started_ms, r.ended_ms,
                 r.exit_status, r.signal,  r.timed_out,  l.stop == Stop::kAbort};
    store_.AddAttempt(spec_.job, a);
    if (ok) {
      // Durable result first, then `done`: a small one goes into the store
      // (committed with `done`), a big one stays in its file, synced first.
      std::optional<std::string> bytes;
      bool stored = CaptureResult(l.result_fd, kInlineResult, &r.result_size, &bytes) &&
                    (!bytes || store_.StoreResult(spec_.job, r.name, *bytes));
      CloseResult(i);
      if (stored) {
        r.state = "done";
        if (r.progress >= 0) r.progress = 1;
        store_.UpdateTask(r);
        ++done_;
        if (!opts_.status_line && rows_.size() <= 50)
          err_ << "smc: task " << r.name << " done in " << Seconds(elapsed) << "\n";
        l = Live{};
        return;
      }
      r.reason = "its result could not be stored";
      ok = false;
    }
    CloseResult(i);
    std::string what = l.stop == Stop::kTimeout ? "timed out after " + Seconds(t.timeout_ns)
                       : l.stop == Stop::kAbort ? l.stopped_by
                       : !r.reason.empty()      ? r.reason
                       : WIFEXITED(st)          ? "exited with status " + std::to_string(r.exit_status)
                                                : "was killed by signal " + std::to_string(r.signal);
    if (l.stop == Stop::kAbort) {
      r.state = "aborted";
      r.reason = what;
      store_.UpdateTask(r);
      err_ << "smc: task " << r.name << " aborted (attempt " << r.attempt << ")\n";
      l = Live{};
      return;
    }
    if (r.attempt < r.max_attempts && !stopping_all_) {
      std::uniform_real_distribution<double> u(0, 1);
      int64_t delay = BackoffDelay(t, r.attempt, u(rng_));
      r.state = "queued";
      r.reason = what;
      store_.UpdateTask(r);
      err_ << "smc: task " << r.name << " " << what << " (attempt " << r.attempt << " of " << r.max_attempts
           << "); retrying in " << Seconds(delay) << "\n";
      l = Live{};
      l.retry_at_ns = now + delay;
      return;
    }
    r.state = "failed";
    r.reason = what;
    store_.UpdateTask(r);
    err_ << (opts_.status_line && status_shown_ ? "\r\x1b[K" : "") << "smc: task " << r.name << " failed: " << what
         << " (attempt " << r.attempt << " of " << r.max_attempts << ")\n"
         << LastLines(LogPath(i), 10);
    l = Live{};
  }

  void CloseResult(size_t i) {
    if (live_[i].result_fd >= 0) ::close(live_[i].result_fd);
    live_[i].result_fd = -1;
  }

  void Reap() {
    while (true) {
      int st = 0;
      pid_t pid = ::waitpid(-1, &st, WNOHANG);
      if (pid <= 0) break;
      for (Live& l : live_) {
        if (l.pid == pid && !l.reaped) {
          l.reaped = true;
          l.wait_status = st;
          break;
        }
      }
    }
  }

  void Wait() {
    int64_t now = MonoNs();
    int64_t next = -1;
    auto consider = [&](int64_t at) {
      if (at > 0 && (next < 0 || at < next)) next = at;
    };
    bool waiting_group = false;
    for (size_t i = 0; i < rows_.size(); ++i) {
      const Live& l = live_[i];
      if (l.pid > 0 && !l.killed) consider(l.stop == Stop::kNone ? l.deadline_ns : l.kill_at_ns);
      if (l.pid > 0 && l.reaped) waiting_group = true;
      if (rows_[i].state == "queued" && l.retry_at_ns > now) consider(l.retry_at_ns);
    }
    bool dirty = false;
    for (const Live& l : live_) dirty |= l.progress_dirty;
    if (dirty) consider(last_progress_flush_ns_ + 100'000'000);
    if (opts_.status_line && Running() > 0) consider(now + 500'000'000);
    int timeout_ms =
        next < 0 ? -1 : static_cast<int>(std::clamp<int64_t>((next - now + 999'999) / 1'000'000, 0, 60'000));
    if (waiting_group) timeout_ms = timeout_ms < 0 ? 20 : std::min(timeout_ms, 20);
    std::vector<pollfd> fds;
    std::vector<size_t> owner;
    fds.push_back({sfd_, POLLIN, 0});
    owner.push_back(SIZE_MAX);
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (live_[i].progress_fd >= 0) {
        fds.push_back({live_[i].progress_fd, POLLIN, 0});
        owner.push_back(i);
      }
    }
    int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n > 0) {
      for (size_t k = 1; k < fds.size(); ++k) {
        if (fds[k].revents) ReadProgress(owner[k]);
      }
      if (fds[0].revents) HandleSignals();
    }
    now = MonoNs();
    for (size_t i = 0; i < rows_.size(); ++i) {
      Live& l = live_[i];
      if (l.pid <= 0) continue;
      if (l.stop == Stop::kNone && l.deadline_ns > 0 && now >= l.deadline_ns) {
        StopTask(i, Stop::kTimeout, spec_.tasks[i].kill_grace_ns, "timed out");
      } else if (l.stop != Stop::kNone && !l.killed && now >= l.kill_at_ns) {
        ::kill(-l.pid, SIGKILL);
        l.killed = true;
      }
    }
    Reap();
  }

  void HandleSignals() {
    signalfd_siginfo si;
    while (::read(sfd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      int sig = static_cast<int>(si.ssi_signo);
      if (sig == SIGCHLD) continue;  // Reap() follows
      if (sig == SIGUSR1) {
        for (const AbortRequest& a : store_.TakeAbortRequests(spec_.job)) {
          if (a.task.empty()) {
            StopAll("the job was aborted", a.grace_ns);
            continue;
          }
          for (size_t i = 0; i < rows_.size(); ++i) {
            if (rows_[i].name != a.task) continue;
            if (live_[i].pid > 0) {
              StopTask(i, Stop::kAbort, a.grace_ns, "aborted by smc abort");
            } else if (rows_[i].state == "queued") {
              rows_[i].state = "aborted";
              rows_[i].reason = "aborted by smc abort before it started";
              rows_[i].ended_ms = NowMs();
              store_.UpdateTask(rows_[i]);
            }
          }
        }
        continue;
      }
      if (signal_ == 0) signal_ = sig;
      int64_t grace = 5'000'000'000;
      for (const TaskSpec& t : spec_.tasks) grace = std::max(grace, t.kill_grace_ns);
      StopAll("stopped by signal " + std::to_string(sig), sig == SIGINT ? 5'000'000'000 : grace);
    }
  }

  void StatusLine() {
    if (!opts_.status_line) return;
    int64_t now = MonoNs();
    if (now - last_status_ns_ < 100'000'000) return;
    last_status_ns_ = now;
    std::vector<bool> running;
    for (const Live& l : live_) running.push_back(l.pid > 0);
    err_ << "\r" << StatusLineText(rows_, running, done_) << "\x1b[K" << std::flush;
    status_shown_ = true;
  }

  int Summary() {
    int status = WriteSummary(spec_.block, spec_.job, rows_, (MonoNs() - start_ns_) / 1e9, err_);
    return signal_ != 0 ? 128 + signal_ : status;
  }

  static constexpr int64_t kInlineResult = 64 * 1024;

  JobStore& store_;
  const GraphSpec& spec_;
  std::vector<TaskRow>& rows_;
  const SchedulerOptions& opts_;
  std::ostream& err_;
  std::vector<Live> live_;
  std::mt19937_64 rng_;
  std::string job_dir_;
  std::string owner_;
  std::vector<size_t> groups_dirty_;  // started since the last commit
  sigset_t old_mask_{};
  int sfd_ = -1;
  int signal_ = 0;
  bool stopping_all_ = false;
  std::string stop_reason_;
  int64_t start_ns_ = 0;
  int64_t last_progress_flush_ns_ = 0;
  int64_t last_status_ns_ = 0;
  bool status_shown_ = false;
  int done_ = 0;
};

}  // namespace

int64_t BackoffDelay(const TaskSpec& t, int n, double random01) {
  double d = static_cast<double>(t.backoff_ns) * std::pow(2.0, std::min(n - 1, 60));
  d *= 0.8 + 0.4 * std::clamp(random01, 0.0, 1.0);
  double cap = static_cast<double>(t.backoff_max_ns);
  if (t.backoff_max_ns > 0 && d > cap) d = cap;
  return static_cast<int64_t>(d);
}

std::string ResultVariable(const std::string& task) {
  std::string v = "SMC_RESULT_";
  for (char c : task) v.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_');
  return v;
}

int RunTaskGraph(JobStore& store, const GraphSpec& spec, std::vector<TaskRow>& rows, const SchedulerOptions& opts,
                 std::ostream& err) {
  return Scheduler(store, spec, rows, opts, err).Run();
}

}  // namespace smc::rt
