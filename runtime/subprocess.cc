#include "runtime/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/syscall.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

extern char** environ;

namespace smc::rt {

// ---- the guard -------------------------------------------------------------------

namespace {

// Records on the guard's pipe: one byte of kind, then a 4-byte process group
// ('G' add, 'g' forget) or a 2-byte length and a path ('D' add, 'd' forget).
constexpr int kGuardMaxGroups = 4096;
constexpr int kGuardMaxDirs = 64;
constexpr size_t kGuardMaxPath = 1024;

// Guard state, in the guard process only (filled after fork: no allocation).
pid_t g_groups[kGuardMaxGroups];
int g_group_count = 0;
char g_dirs[kGuardMaxDirs][kGuardMaxPath];
int g_dir_count = 0;

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// Removes the plain files in `dir`, then `dir` (async-signal-safe calls only).
void GuardRemoveDir(const char* dir) {
  int fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    alignas(8) static char buf[8192];
    for (int round = 0; round < 64; ++round) {
      long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
      if (n <= 0) break;
      for (long off = 0; off < n;) {
        auto* d = reinterpret_cast<LinuxDirent64*>(buf + off);
        off += d->d_reclen;
        if (std::strcmp(d->d_name, ".") != 0 && std::strcmp(d->d_name, "..") != 0) ::unlinkat(fd, d->d_name, 0);
      }
    }
    ::close(fd);
  }
  ::rmdir(dir);
}

bool ReadFull(int fd, void* p, size_t n) {
  char* c = static_cast<char*>(p);
  while (n > 0) {
    ssize_t r = ::read(fd, c, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    c += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

[[noreturn]] void GuardMain(int in) {
  // A session of its own (a terminal's Ctrl-C and `abort --force` of smc's
  // group do not reach it), every signal blocked but SIGKILL, no descriptor
  // of smc kept (it must not hold a child's pipe or smc's output open).
  ::setsid();
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  ::dup2(in, 0);
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
  }
  if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
    for (int fd = 3; fd < 65536; ++fd) ::close(fd);
  }
  ::prctl(PR_SET_NAME, "smc-guard", 0, 0, 0);
  while (true) {
    char kind;
    if (!ReadFull(0, &kind, 1)) break;
    if (kind == 'G' || kind == 'g') {
      int32_t pg;
      if (!ReadFull(0, &pg, sizeof pg)) break;
      if (kind == 'G') {
        if (g_group_count < kGuardMaxGroups) g_groups[g_group_count++] = pg;
      } else {
        for (int i = 0; i < g_group_count; ++i) {
          if (g_groups[i] == pg) {
            g_groups[i] = g_groups[--g_group_count];
            break;
          }
        }
      }
    } else if (kind == 'D' || kind == 'd') {
      uint16_t len;
      char path[kGuardMaxPath];
      if (!ReadFull(0, &len, sizeof len) || len >= kGuardMaxPath || !ReadFull(0, path, len)) break;
      path[len] = 0;
      if (kind == 'D') {
        if (g_dir_count < kGuardMaxDirs) std::memcpy(g_dirs[g_dir_count++], path, len + 1);
      } else {
        for (int i = 0; i < g_dir_count; ++i) {
          if (std::strcmp(g_dirs[i], path) == 0) {
            std::memcpy(g_dirs[i], g_dirs[--g_dir_count], kGuardMaxPath);
            break;
          }
        }
      }
    } else {
      break;
    }
  }
  // smc has ended (the pipe closed): nothing it started may outlive it.
  for (int i = 0; i < g_group_count; ++i) ::kill(-g_groups[i], SIGKILL);
  for (int i = 0; i < g_dir_count; ++i) GuardRemoveDir(g_dirs[i]);
  ::_exit(0);
}

class Guard {
 public:
  static Guard& Get() {
    static Guard* guard = new Guard;  // never destroyed: the pipe closes when the process ends
    return *guard;
  }
  void Send(const std::string& record) {
    std::lock_guard<std::mutex> lock(mu_);
    if (fd_ < 0) return;
    for (size_t done = 0; done < record.size();) {
      ssize_t n = ::write(fd_, record.data() + done, record.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd_);  // the guard is gone (killed by hand): children still die by PDEATHSIG
        fd_ = -1;
        return;
      }
      done += static_cast<size_t>(n);
    }
  }
  void Group(char kind, pid_t pg) {
    std::string r(1, kind);
    int32_t v = pg;
    r.append(reinterpret_cast<const char*>(&v), sizeof v);
    Send(r);
  }
  void Dir(char kind, const std::string& path) {
    if (path.size() >= kGuardMaxPath) return;
    std::string r(1, kind);
    uint16_t len = static_cast<uint16_t>(path.size());
    r.append(reinterpret_cast<const char*>(&len), sizeof len);
    r += path;
    Send(r);
  }

 private:
  Guard() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);  // orphaned grandchildren become ours
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return;
    pid_t pid = ::fork();
    if (pid == 0) GuardMain(p[0]);
    ::close(p[0]);
    if (pid < 0) {
      ::close(p[1]);
      return;
    }
    fd_ = p[1];
  }
  std::mutex mu_;
  int fd_ = -1;
};

}  // namespace

void RemoveWhenProcessEnds(const std::string& dir) {
  Guard::Get().Dir('D', dir);
}
void ForgetWhenProcessEnds(const std::string& dir) {
  Guard::Get().Dir('d', dir);
}

bool SplitCommandLine(const std::string& line, std::vector<std::string>* words, std::string* error) {
  words->clear();
  std::string cur;
  bool in_word = false;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words->push_back(cur);
      cur.clear();
      in_word = false;
      ++i;
    } else if (c == '\'') {
      size_t end = line.find('\'', i + 1);
      if (end == std::string::npos) {
        *error = "unterminated ' in the command line";
        return false;
      }
      cur += line.substr(i + 1, end - i - 1);
      in_word = true;
      i = end + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          closed = true;
          ++i;
          break;
        }
        if (line[i] == '\\' && i + 1 < line.size() && std::strchr("\"\\$`\n", line[i + 1])) ++i;
        cur += line[i++];
      }
      if (!closed) {
        *error = "unterminated \" in the command line";
        return false;
      }
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      cur += line[i + 1];
      in_word = true;
      i += 2;
    } else {
      cur += c;
      in_word = true;
      ++i;
    }
  }
  if (in_word) words->push_back(cur);
  if (words->empty()) {
    *error = "the command line is empty";
    return false;
  }
  return true;
}

std::unique_ptr<Subprocess> Subprocess::Start(const Options& opts, std::string* error) {
  int in[2], out[2], err[2], status_pipe[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC) || ::pipe2(status_pipe, O_CLOEXEC)) {
    *error = std::string("cannot create pipes: ") + std::strerror(errno);
    return nullptr;
  }
  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    bool replaced = false;
    for (const std::string& add : opts.env) {
      if (kv.compare(0, kv.find('=') + 1, add, 0, add.find('=') + 1) == 0) replaced = true;
    }
    if (!replaced) env_strings.push_back(kv);
  }
  for (const std::string& add : opts.env) env_strings.push_back(add);
  std::vector<char*> envp, argv;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = opts.argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  Guard& guard = Guard::Get();  // started before the first child
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("cannot fork: ") + std::strerror(errno);
    return nullptr;
  }
  if (pid == 0) {
    // Dies with smc, even when smc is killed with SIGKILL: nothing is left behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    int code = 0;
    if (!opts.cwd.empty() && ::chdir(opts.cwd.c_str()) != 0) {
      code = errno;
    } else {
      ::execvpe(argv[0], argv.data(), envp.data());
      code = errno;
    }
    [[maybe_unused]] ssize_t n = ::write(status_pipe[1], &code, sizeof code);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent, so Kill works at once
  guard.Group('G', pid);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  ::close(status_pipe[1]);
  int code = 0;
  ssize_t n = ::read(status_pipe[0], &code, sizeof code);  // EOF (0) when exec succeeded
  ::close(status_pipe[0]);
  std::unique_ptr<Subprocess> p(new Subprocess);
  p->pid_ = pid;
  p->in_ = in[1];
  p->out_ = out[0];
  p->err_ = err[0];
  if (n == sizeof code) {
    *error = "cannot run '" + opts.argv[0] + "'" + (opts.cwd.empty() ? "" : " in '" + opts.cwd + "'") + ": " +
             std::strerror(code);
    p->Wait(-1, &code);
    return nullptr;
  }
  return p;
}

Subprocess::~Subprocess() {
  if (!reaped_) {
    Kill(SIGTERM);
    int status;
    if (!Wait(1'000'000'000, &status)) {
      Kill(SIGKILL);
      Wait(-1, &status);
    }
  }
  if (pid_ > 0) {
    // What is left of its process group (grandchildren) goes too; those of
    // them orphaned to us (we are a subreaper) are reaped.
    ::kill(-pid_, SIGKILL);
    int status;
    for (int i = 0; i < 200; ++i) {  // at most about 0.2 s for them to die
      pid_t r = ::waitpid(-pid_, &status, WNOHANG);
      if (r < 0) break;  // none left that is ours
      if (r == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    Guard::Get().Group('g', pid_);
  }
  for (int fd : {in_, out_, err_}) {
    if (fd >= 0) ::close(fd);
  }
}

void Subprocess::CloseStdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

void Subprocess::Kill(int sig) {
  if (pid_ > 0 && !reaped_) ::kill(-pid_, sig);
}

bool Subprocess::Wait(int64_t timeout_ns, int* status) {
  if (reaped_) {
    *status = status_;
    return true;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout_ns);
  while (true) {
    pid_t r = ::waitpid(pid_, &status_, timeout_ns < 0 ? 0 : WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      *status = status_;
      return true;
    }
    if (r < 0 && errno != EINTR) {
      reaped_ = true;
      *status = status_ = 0;
      return true;
    }
    if (timeout_ns >= 0 && std::chrono::steady_clock::now() >= deadline) return false;
    if (timeout_ns >= 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string Subprocess::DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  }
  return "stopped";
}

}  // namespace smc::rt
