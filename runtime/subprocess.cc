#include "runtime/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace smc::rt {

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
