#include "runtime/tasks/launch.h"

#include "runtime/read_small.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace smc::rt {

namespace {

void Say(const char* text) {
  (void)!::write(2, text, std::strlen(text));
}

}  // namespace

pid_t LaunchTask(const LaunchSpec& spec, int* progress_fd, std::string* error) {
  int pipefd[2] = {-1, -1};
  if (::pipe2(pipefd, O_CLOEXEC) != 0) {
    *error = std::string("cannot make a pipe: ") + std::strerror(errno);
    return -1;
  }
  std::vector<std::string> env = spec.env, args = spec.argv;
  std::vector<char*> envp, argv;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string in = spec.stdin_path.empty() ? "/dev/null" : spec.stdin_path;
  const char* dir = spec.dir.c_str();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGUSR1, SIGHUP, SIGPIPE}) ::sigaction(s, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Move the sources above 3 first, so that no dup2 below overwrites another.
    int out = ::fcntl(spec.stdout_fd, F_DUPFD_CLOEXEC, 10);
    int err = ::fcntl(spec.stderr_fd, F_DUPFD_CLOEXEC, 10);
    int prog = ::fcntl(pipefd[1], F_DUPFD_CLOEXEC, 10);
    if (out < 0 || err < 0 || prog < 0) ::_exit(127);
    ::dup2(err, 2);
    if (::chdir(dir) != 0) {
      Say("smc: cannot enter the task's folder\n");
      ::_exit(127);
    }
    int in_fd = ::open(in.c_str(), O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) {
      Say("smc: cannot open the task's stdin file: ");
      Say(in.c_str());
      Say("\n");
      ::_exit(127);
    }
    ::dup2(in_fd, 0);
    ::dup2(out, 1);
    ::dup2(prog, 3);
    ::syscall(SYS_close_range, 4, ~0U, 0);
    ::execve(argv[0], argv.data(), envp.data());
    Say("smc: cannot execute the task's command\n");
    ::_exit(127);
  }
  ::close(pipefd[1]);
  if (pid < 0) {
    *error = std::string("cannot fork: ") + std::strerror(errno);
    ::close(pipefd[0]);
    return -1;
  }
  ::setpgid(pid, pid);  // also here, so that a kill right away finds the group
  ::fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
  *progress_fd = pipefd[0];
  return pid;
}

bool CaptureResult(int fd, int64_t inline_max, int64_t* size, std::optional<std::string>* bytes) {
  bytes->reset();
  struct stat sb {};
  if (fd < 0 || ::fstat(fd, &sb) != 0) return false;
  *size = sb.st_size;
  if (sb.st_size > inline_max) return ::fsync(fd) == 0;  // durable before `done`
  std::string b(static_cast<size_t>(sb.st_size), '\0');
  if (::pread(fd, b.data(), b.size(), 0) != static_cast<ssize_t>(b.size())) return false;
  *bytes = std::move(b);
  return true;
}

bool GroupGone(pid_t pgid) {
  return ::kill(-pgid, 0) != 0 && errno == ESRCH;
}

std::string LastLines(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff from = std::max<std::streamoff>(0, size - 4096);
  in.seekg(from);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> lines;
  std::istringstream ss(text);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  if (from > 0 && !lines.empty()) lines.erase(lines.begin());  // a partial line
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) out += "    " + lines[i] + "\n";
  return out;
}

void KillLeftovers(const std::vector<TaskRow>& rows) {
  std::vector<std::string> ids;  // JOB/TASK of tasks left running
  for (const TaskRow& r : rows) {
    if (r.state == "running") ids.push_back(r.job + "/" + r.name);
  }
  KillTaskIds(ids);
}

void KillTaskIds(const std::vector<std::string>& ids) {
  std::set<std::string> want;
  for (const std::string& id : ids) want.insert("SMC_TASK_ID=" + id);
  if (want.empty()) return;
  DIR* d = ::opendir("/proc");
  if (!d) return;
  std::set<int> groups;
  while (dirent* e = ::readdir(d)) {
    int pid = std::atoi(e->d_name);
    if (pid <= 1 || pid == ::getpid()) continue;
    std::string env = ReadSmall("/proc/" + std::to_string(pid) + "/environ", size_t{4} << 20);
    for (size_t at = 0; at < env.size();) {
      size_t end = env.find('\0', at);
      if (end == std::string::npos) end = env.size();
      if (want.count(env.substr(at, end - at))) {
        pid_t g = ::getpgid(pid);
        if (g > 1 && g != ::getpgrp())
          groups.insert(g);
        else
          ::kill(pid, SIGKILL);
        break;
      }
      at = end + 1;
    }
  }
  ::closedir(d);
  for (int g : groups) ::kill(-g, SIGKILL);
}

}  // namespace smc::rt
