// Starting a task's process, and finding what a task left behind.
//
// Contract: LaunchTask forks and execs `argv` as the leader of a new
// process group, in `dir`, with stdin from a file (or /dev/null), stdout
// and stderr on the given descriptors, the write end of a fresh progress
// pipe on fd 3, every other descriptor closed, default signal dispositions
// and an empty signal mask, and SIGKILL when its parent (smc) dies. The
// child calls only async-signal-safe functions between fork and exec.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/tasks/store.h"

namespace smc::rt {

struct LaunchSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // NAME=VALUE, the whole environment
  std::string dir;
  std::string stdin_path;  // empty: /dev/null; relative to `dir`
  int stdout_fd = -1;
  int stderr_fd = -1;
};

/// The child's pid (= its process group), with the read end of its progress
/// pipe (non-blocking, close-on-exec) in `*progress_fd`; -1 with `*error`.
pid_t LaunchTask(const LaunchSpec& spec, int* progress_fd, std::string* error);

/// True when process group `pgid` has no process left.
bool GroupGone(pid_t pgid);

/// Makes a finished task's result (its stdout file, open as `fd`) durable:
/// a result of at most `inline_max` bytes is read into `*bytes` (for the
/// store), a bigger one is fsynced in its file (`*bytes` empty). `*size`:
/// its size. False when it cannot be read or synced.
bool CaptureResult(int fd, int64_t inline_max, int64_t* size, std::optional<std::string>* bytes);

/// The last `n` lines of a text file, each indented by four spaces.
std::string LastLines(const std::string& path, size_t n);

/// Kills (SIGKILL) the processes (and their groups) that tasks of `rows`
/// still marked running left behind, found by their environment
/// (SMC_TASK_ID=JOB/TASK), so a pid reused since is never hit. For resuming
/// after a crash.
void KillLeftovers(const std::vector<TaskRow>& rows);

/// The same for processes whose environment holds SMC_TASK_ID=ID for one
/// of `ids` (queued tasks whose worker died).
void KillTaskIds(const std::vector<std::string>& ids);

}  // namespace smc::rt
