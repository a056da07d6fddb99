// A child process serving one component instance (private to stdlib/):
// shell (multi-lang) and exec components.
//
// Child starts the program, forwards its standard error line by line with a
// "[component#instance]" prefix (keeping the last lines for error reports),
// and writes queued chunks to its standard input on a thread of its own, so
// that the component's Execute never blocks on a slow child.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "dsl/component_kind.h"
#include "runtime/component.h"
#include "runtime/subprocess.h"

namespace smc::stdlib {

class Child {
 public:
  /// Called on the writer thread after each chunk that had `notify` set is
  /// written (ok) or dropped because the child stopped reading (not ok).
  using Written = std::function<void(bool ok, const std::string& chunk)>;
  Child(const rt::Context& ctx, std::vector<std::string> argv, Written written);
  ~Child();

  /// Starts the program; false with the reason in `error`.
  bool Start(std::string* error);
  /// Queues bytes for the child's standard input.
  void Write(std::string chunk, bool notify);
  /// Writes at once from the calling thread (a reply the child is waiting
  /// for), between the writer thread's writes. False if the child is gone.
  bool WriteNow(const std::string& data);
  /// Closes the child's standard input once everything queued is written.
  void CloseInputWhenDone();
  /// Kills the child and stops the threads (idempotent).
  void Stop();

  rt::Subprocess* process() { return proc_.get(); }
  /// True once the child's standard input was closed (CloseInputWhenDone).
  bool input_closed() const { return input_closed_.load(); }
  int stdout_fd() const { return proc_ ? proc_->stdout_fd() : -1; }
  /// "'python3 x.py' (pid 123)".
  std::string Describe() const;
  /// Waits (up to a second) until the child's standard error has been read
  /// to its end, so that its last lines are known and forwarded.
  void DrainStderr();
  /// The last lines the child wrote to standard error, or "".
  std::string LastStderr();
  /// "[split#1]".
  const std::string& label() const { return label_; }

 private:
  // Runs a thread's body; anything it throws is reported (the job fails).
  void Guarded(const char* what, const std::function<void()>& body);
  void WriterLoop();
  void StderrLoop(int fd);

  const rt::Context& ctx_;
  std::vector<std::string> argv_;
  Written written_;
  std::string label_;
  std::unique_ptr<rt::Subprocess> proc_;

  std::mutex write_mu_;  // one writer to the child's standard input at a time
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, bool>> queue_;
  bool close_when_done_ = false;
  bool stopping_ = false;
  std::atomic<bool> broken_{false};  // a write failed: the child stopped reading
  std::atomic<bool> input_closed_{false};
  std::atomic<bool> stderr_ended_{false};
  std::thread writer_;
  std::thread stderr_;

  std::mutex err_mu_;
  std::deque<std::string> last_lines_;
};

/// The restart policy of a subprocess component instance (shell, exec):
/// on.failure, max.restarts, a backoff, and no restarts while the job stops.
class RestartPolicy {
 public:
  RestartPolicy(const rt::Context& ctx, ComponentKind kind) : ctx_(ctx), kind_(kind) {}
  /// After a failure described by `message`: true when a restart is
  /// allowed (it is counted and logged as a warning, and the backoff waited);
  /// false when the instance must give up (on.failure "fail", max.restarts
  /// reached, or the job is stopping).
  bool Allow(const std::string& message);
  int count() const { return restarts_; }

 private:
  const rt::Context& ctx_;
  ComponentKind kind_;
  int restarts_ = 0;
};

/// Restart backoff: 100 ms doubling per attempt, at most 5 s.
int64_t RestartBackoffNs(int attempt);

/// The folder with smc's Python module `storm` (for PYTHONPATH), or "".
std::string MultilangPythonDir();

}  // namespace smc::stdlib
