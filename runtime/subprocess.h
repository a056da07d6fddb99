// Child processes for components written in other languages.
//
// Start() runs a program with pipes for its standard input, output and
// error, in its own process group, in a given folder. The caller owns the
// descriptors' use; the Subprocess kills (SIGTERM, then SIGKILL) and reaps the
// child when destroyed if it is still running, and then kills what is left
// of its process group (grandchildren). Not thread-safe, except Kill(), which
// may be called from any thread.
//
// Nothing a Subprocess starts outlives smc, even when smc dies by SIGKILL:
// the first Start() makes this process a child subreaper (orphaned
// grandchildren become ours) and forks a guard, a tiny process in a session
// of its own that holds a pipe from smc; every child's process group, and
// every folder given to RemoveWhenProcessEnds, is registered with it. When smc
// ends, however it ends, the pipe closes and the guard kills (SIGKILL) the
// registered groups, removes the folders and exits. Children also get
// PR_SET_PDEATHSIG (SIGKILL).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace smc::rt {

/// Splits a command line into words the way a POSIX shell would (quotes,
/// backslashes), without running a shell. Returns false on an unterminated
/// quote, with the problem in `error`.
bool SplitCommandLine(const std::string& line, std::vector<std::string>* words, std::string* error);

/// Registers a folder to be removed, with the files in it, when this
/// process ends (by the guard, so also after SIGKILL). Thread-safe.
void RemoveWhenProcessEnds(const std::string& dir);
/// Forgets a folder registered with RemoveWhenProcessEnds (removed already).
void ForgetWhenProcessEnds(const std::string& dir);

class Subprocess {
 public:
  struct Options {
    std::vector<std::string> argv;
    std::string cwd;               // "" for the current folder
    std::vector<std::string> env;  // NAME=VALUE added to (or replacing in) the environment
  };

  /// Starts the program; null and `error` set when it cannot be started
  /// (the program is missing or not executable, the folder is missing, ...).
  static std::unique_ptr<Subprocess> Start(const Options& opts, std::string* error);
  ~Subprocess();

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return in_; }
  int stdout_fd() const { return out_; }
  int stderr_fd() const { return err_; }
  void CloseStdin();

  /// Sends `sig` to the child's process group (while the child runs).
  void Kill(int sig);
  /// True while the child has not been reaped (it may still run).
  bool running() const { return !reaped_; }
  /// Waits up to `timeout_ns` (or forever when negative) for the child to exit.
  /// Returns true and its wait status once it has.
  bool Wait(int64_t timeout_ns, int* status);
  /// "exited with status 3", "killed by signal 9 (Killed)".
  static std::string DescribeStatus(int status);

 private:
  Subprocess() = default;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace smc::rt
