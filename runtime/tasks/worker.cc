#include "runtime/tasks/worker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <random>

#include "runtime/jobs.h"
#include "runtime/tasks/launch.h"
#include "runtime/tasks/progress.h"

extern char** environ;  // the tasks inherit the worker's environment

namespace smc::rt {

namespace {

int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

enum class Stop { kNone, kTimeout, kAbort, kRelease };

constexpr int64_t kInlineResult = 64 * 1024;  // bigger results stay in their file
constexpr int64_t kIdlePollMs = 500;          // besides the wake-ups (SIGUSR1)
constexpr int64_t kProgressFlushMs = 100;

struct Running {
  QueuedTask task;
  TaskSpec spec;
  pid_t pid = 0;
  bool reaped = false;
  int wait_status = 0;
  int progress_fd = -1;
  int result_fd = -1;
  ProgressReader reader;
  Stop stop = Stop::kNone;
  int64_t deadline_ms = 0;  // monotonic; 0: none
  int64_t kill_at_ms = 0;
  bool killed = false;
  bool lost = false;  // another worker holds it: never finished here
  bool progress_dirty = false;
  int64_t started_mono_ms = 0;
  std::string result_path, log_path;
};

class Worker {
 public:
  Worker(Broker& broker, const WorkerOptions& opts, const TaskResolver& resolve, std::ostream& err)
      : broker_(broker), opts_(opts), resolve_(resolve), err_(err), rng_(std::random_device{}()) {}

  int Run() {
    if (!Setup()) return 70;
    if (!broker_.Register(info_)) {
      err_ << "smc: error: " << broker_.error() << "\n";
      Cleanup();
      return 70;
    }
    int status = 0;
    int64_t next_renew = MonoMs() + opts_.lease_ms / 3;
    bool check_aborts = true;
    while (true) {
      int64_t now = MonoMs();
      if (!stopping_) ClaimMore();
      if (now >= next_renew) {
        Renew();
        next_renew = now + std::max<int64_t>(opts_.lease_ms / 3, 10);
        check_aborts = true;
      }
      if (check_aborts || woken_) CheckAborts();
      check_aborts = woken_ = false;
      FlushProgress(now);
      if (!FinishReaped()) {
        status = 70;
        break;
      }
      if (stopping_ && running_.empty()) break;
      Wait(next_renew);
    }
    broker_.Unregister(info_);
    Cleanup();
    return status;
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
    info_.pid = ::getpid();
    info_.start_ticks = JobRegistry::StartTicks(info_.pid);
    info_.id = std::to_string(info_.pid) + ":" + std::to_string(info_.start_ticks);
    info_.queues = opts_.queues;
    info_.templates = opts_.templates;
    info_.parallelism = opts_.parallelism;
    return true;
  }

  void Cleanup() {
    ::close(sfd_);
    ::signal(SIGUSR1, SIG_IGN);  // a wake-up still on its way must not kill the process
    ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  }

  void ClaimMore() {
    int free = opts_.parallelism - static_cast<int>(running_.size());
    if (free <= 0) return;
    std::vector<QueuedTask> got = broker_.Claim(info_, opts_.tasks, free, opts_.lease_ms);
    if (got.empty() && !broker_.error().empty()) err_ << "smc: warning: " << broker_.error() << "\n";
    for (QueuedTask& t : got) Start(std::move(t));
  }

  std::vector<std::string> Environment(const Running& r) const {
    std::vector<std::string> env;
    auto ours = [](const char* e) {
      return std::strncmp(e, "SMC_PROGRESS_FD=", 16) == 0 || std::strncmp(e, "SMC_TASK", 8) == 0 ||
             std::strncmp(e, "SMC_ATTEMPT=", 12) == 0 || std::strncmp(e, "SMC_QUEUE=", 10) == 0 ||
             std::strncmp(e, "SMC_ARG_", 8) == 0 || std::strncmp(e, "SMC_BROKER=", 11) == 0;
    };
    for (char** e = environ; e && *e; ++e) {
      if (!ours(*e)) env.push_back(*e);
    }
    env.push_back("SMC_PROGRESS_FD=3");
    env.push_back("SMC_TASK=" + r.task.task);
    env.push_back("SMC_TASK_ID=" + r.task.id);
    env.push_back("SMC_QUEUE=" + r.task.queue);
    env.push_back("SMC_ATTEMPT=" + std::to_string(r.task.attempt));
    for (const auto& [k, v] : r.task.args) {
      bool name_ok = !k.empty();
      for (char c : k) name_ok &= std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      if (name_ok && v.find('\0') == std::string::npos) env.push_back("SMC_ARG_" + k + "=" + v);
    }
    return env;
  }

  void Start(QueuedTask t) {
    for (Running& old : running_) {
      if (old.task.id != t.id || old.lost) continue;
      // Handed out again while an earlier attempt still runs here (the
      // broker's connection was lost): the earlier one is void.
      old.lost = true;
      if (old.pid > 0 && !old.killed) {
        ::kill(-old.pid, SIGKILL);
        old.killed = true;
      }
    }
    if (!t.previous_worker.empty()) {
      // Taken over from a worker whose lease ran out: whatever that attempt
      // left running on this machine dies first.
      KillTaskIds({t.id});
      if (opts_.verbose)
        err_ << "smc: task " << t.id << " (" << t.task << ") taken over from worker " << t.previous_worker
             << " (attempt " << t.attempt << ")\n";
    }
    Running r;
    r.task = std::move(t);
    r.result_path = opts_.task_dir + "/" + r.task.id + ".out";
    r.log_path = opts_.task_dir + "/" + r.task.id + ".log";
    std::string error;
    if (!resolve_(r.task, &r.spec, &error)) {
      r.task.state = "failed";
      r.task.reason = error;
      r.task.ended_ms = NowMs();
      r.task.max_attempts = 1;
      if (!broker_.Finish(info_, r.task, std::nullopt) && !broker_.error().empty())
        err_ << "smc: error: " << broker_.error() << "\n";
      err_ << "smc: task " << r.task.id << " (" << r.task.task << ") failed: " << error << "\n";
      return;
    }
    r.task.max_attempts = r.spec.retries + 1;
    r.result_fd = ::open(r.result_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int log_fd = ::open(r.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_t pid = -1;
    if (r.result_fd < 0 || log_fd < 0) {
      error = (r.result_fd < 0 ? r.result_path : r.log_path) + ": " + std::strerror(errno);
    } else {
      LaunchSpec ls{r.spec.argv, Environment(r), opts_.dir, r.spec.stdin_path, r.result_fd, log_fd};
      pid = LaunchTask(ls, &r.progress_fd, &error);
    }
    if (log_fd >= 0) ::close(log_fd);
    if (pid < 0) {
      err_ << "smc: error: cannot start task " << r.task.id << ": " << error << "\n";
      r.reaped = true;
      r.wait_status = 127 << 8;
      r.pid = -1;
    } else {
      r.pid = pid;
      r.started_mono_ms = MonoMs();
      r.task.pgid = pid;
      r.progress_dirty = true;  // stores the pgid
      if (r.spec.timeout_ns > 0) r.deadline_ms = MonoMs() + r.spec.timeout_ns / 1'000'000;
      if (opts_.verbose)
        err_ << "smc: task " << r.task.id << " (" << r.task.task << ") started, attempt " << r.task.attempt << "\n";
    }
    running_.push_back(std::move(r));
  }

  void StopTask(Running& r, Stop why, int64_t grace_ns) {
    if (r.pid <= 0 || r.stop != Stop::kNone) return;
    r.stop = why;
    ::kill(-r.pid, SIGTERM);
    r.kill_at_ms = MonoMs() + grace_ns / 1'000'000;
  }

  void Renew() {
    std::vector<std::string> ids;
    for (const Running& r : running_) {
      if (!r.lost) ids.push_back(r.task.id);
    }
    for (const std::string& id : broker_.Renew(info_, ids, opts_.lease_ms)) {
      for (Running& r : running_) {
        if (r.task.id != id || r.lost) continue;
        r.lost = true;
        err_ << "smc: warning: task " << id << " was taken over by another worker; stopping this attempt\n";
        if (r.pid > 0) {
          ::kill(-r.pid, SIGKILL);
          r.killed = true;
        }
      }
    }
  }

  void CheckAborts() {
    std::vector<std::string> ids;
    for (const Running& r : running_) {
      if (r.stop == Stop::kNone && r.pid > 0) ids.push_back(r.task.id);
    }
    for (const std::string& id : broker_.AbortsRequested(ids)) {
      for (Running& r : running_) {
        if (r.task.id == id) StopTask(r, Stop::kAbort, r.spec.kill_grace_ns);
      }
    }
  }

  void ReadProgress(Running& r) {
    if (r.progress_fd < 0) return;
    if (DrainProgress(&r.progress_fd, r.reader, &r.task.progress, &r.task.message)) r.progress_dirty = true;
  }

  void FlushProgress(int64_t now) {
    if (now - last_flush_ms_ < kProgressFlushMs) return;
    for (Running& r : running_) {
      // A task that ends within the first interval costs no write here.
      if (!r.progress_dirty || r.lost || now - r.started_mono_ms < kProgressFlushMs) continue;
      r.progress_dirty = false;
      broker_.Update(info_, r.task);
      last_flush_ms_ = now;
    }
  }

  // Attempts whose process ended (and, when stopped, whose group is gone).
  bool FinishReaped() {
    for (size_t i = 0; i < running_.size();) {
      Running& r = running_[i];
      bool group_left = r.pid > 0 && r.stop != Stop::kNone && !r.killed && !GroupGone(r.pid);
      if (!r.reaped || group_left) {
        ++i;
        continue;
      }
      if (!Finish(r)) return false;
      running_.erase(running_.begin() + static_cast<long>(i));
    }
    return true;
  }

  bool Finish(Running& r) {
    if (r.progress_fd >= 0) {
      ReadProgress(r);
      if (r.progress_fd >= 0) ::close(r.progress_fd);
      r.progress_fd = -1;
    }
    QueuedTask& t = r.task;
    int st = r.wait_status;
    t.exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    t.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    t.timed_out = r.stop == Stop::kTimeout;
    t.ended_ms = NowMs();
    t.not_before_ms = 0;
    std::optional<std::string> result;
    bool ok = r.stop == Stop::kNone && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (r.lost) {
      if (r.result_fd >= 0) ::close(r.result_fd);
      return true;  // its new holder finishes it
    }
    if (ok) {
      bool stored = CaptureResult(r.result_fd, kInlineResult, &t.result_size, &result);
      t.result_path = result ? "" : r.result_path;
      if (stored) {
        t.state = "done";
        if (t.progress >= 0) t.progress = 1;
        t.reason.clear();
      } else {
        ok = false;
        t.reason = "its result could not be stored";
      }
    }
    if (r.result_fd >= 0) ::close(r.result_fd);
    r.result_fd = -1;
    if (!ok) {
      std::string what = r.stop == Stop::kTimeout   ? "timed out"
                         : r.stop == Stop::kAbort   ? "aborted by smc abort"
                         : r.stop == Stop::kRelease ? "its worker stopped"
                         : !t.reason.empty()        ? t.reason
                         : WIFEXITED(st)            ? "exited with status " + std::to_string(t.exit_status)
                                                    : "was killed by signal " + std::to_string(t.signal);
      t.reason = what;
      if (r.stop == Stop::kAbort) {
        t.state = "aborted";
      } else if (r.stop == Stop::kRelease) {
        t.state = "queued";  // for another worker; the attempt counts
      } else if (t.attempt < t.max_attempts && !stopping_) {
        std::uniform_real_distribution<double> u(0, 1);
        t.state = "queued";
        t.not_before_ms = NowMs() + BackoffDelay(r.spec, t.attempt, u(rng_)) / 1'000'000;
      } else {
        t.state = "failed";
      }
    }
    if (!broker_.Finish(info_, t, result)) {
      if (!broker_.error().empty()) {
        err_ << "smc: error: " << broker_.error() << "\n";
        return false;
      }
      err_ << "smc: warning: task " << t.id << " was taken over by another worker; its end here is dropped\n";
      return true;
    }
    if (opts_.verbose) {
      err_ << "smc: task " << t.id << " (" << t.task << ") " << t.state;
      if (t.state != "done") err_ << ": " << t.reason;
      err_ << " (attempt " << t.attempt << ")\n";
    }
    return true;
  }

  void Reap() {
    while (true) {
      int st = 0;
      pid_t pid = ::waitpid(-1, &st, WNOHANG);
      if (pid <= 0) break;
      for (Running& r : running_) {
        if (r.pid == pid && !r.reaped) {
          r.reaped = true;
          r.wait_status = st;
          break;
        }
      }
    }
  }

  void Wait(int64_t next_renew) {
    int64_t now = MonoMs();
    int64_t next = std::min(next_renew, now + std::min(kIdlePollMs, std::max<int64_t>(opts_.lease_ms / 2, 10)));
    bool waiting_group = false;
    bool dirty = false;
    for (const Running& r : running_) {
      if (r.pid > 0 && !r.killed) next = std::min(next, r.stop == Stop::kNone && r.deadline_ms ? r.deadline_ms : next);
      if (r.pid > 0 && !r.killed && r.stop != Stop::kNone) next = std::min(next, r.kill_at_ms);
      waiting_group |= r.pid > 0 && r.reaped;
      dirty |= r.progress_dirty;
    }
    if (dirty) next = std::min(next, last_flush_ms_ + kProgressFlushMs);
    int timeout_ms = static_cast<int>(std::clamp<int64_t>(next - now, 0, 60'000));
    if (waiting_group) timeout_ms = std::min(timeout_ms, 20);
    std::vector<pollfd> fds{{sfd_, POLLIN, 0}};
    std::vector<size_t> owner{SIZE_MAX};
    if (int fd = broker_.wake_fd(); fd >= 0) {
      fds.push_back({fd, POLLIN, 0});  // deliveries: ClaimMore reads them next round
      owner.push_back(SIZE_MAX);
    }
    for (size_t i = 0; i < running_.size(); ++i) {
      if (running_[i].progress_fd >= 0) {
        fds.push_back({running_[i].progress_fd, POLLIN, 0});
        owner.push_back(i);
      }
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) > 0) {
      for (size_t k = 1; k < fds.size(); ++k) {
        if (fds[k].revents && owner[k] != SIZE_MAX) ReadProgress(running_[owner[k]]);
        if (fds[k].revents && owner[k] == SIZE_MAX) woken_ = true;
      }
      if (fds[0].revents) HandleSignals();
    }
    now = MonoMs();
    for (Running& r : running_) {
      if (r.pid <= 0 || r.killed) continue;
      if (r.stop == Stop::kNone && r.deadline_ms > 0 && now >= r.deadline_ms) {
        StopTask(r, Stop::kTimeout, r.spec.kill_grace_ns);
      } else if (r.stop != Stop::kNone && now >= r.kill_at_ms) {
        ::kill(-r.pid, SIGKILL);
        r.killed = true;
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
        woken_ = true;
        continue;
      }
      if (stopping_) {  // a second signal: no more grace
        for (Running& r : running_) {
          if (r.pid > 0 && !r.killed) {
            ::kill(-r.pid, SIGKILL);
            r.killed = true;
          }
        }
        continue;
      }
      stopping_ = true;
      if (opts_.verbose)
        err_ << "smc: worker stopping (signal " << sig << "): " << running_.size()
             << " running task(s) go back to the queue\n";
      for (Running& r : running_) StopTask(r, Stop::kRelease, r.spec.kill_grace_ns);
    }
  }

  Broker& broker_;
  const WorkerOptions& opts_;
  const TaskResolver& resolve_;
  std::ostream& err_;
  std::mt19937_64 rng_;
  WorkerInfo info_;
  std::vector<Running> running_;
  sigset_t old_mask_{};
  int sfd_ = -1;
  bool stopping_ = false;
  bool woken_ = false;
  int64_t last_flush_ms_ = 0;
};

}  // namespace

int RunWorker(Broker& broker, const WorkerOptions& opts, const TaskResolver& resolve, std::ostream& err) {
  return Worker(broker, opts, resolve, err).Run();
}

}  // namespace smc::rt
