// Stopping a running job: from a signal handler, from --for, from a failure.
//
// One per process. Request() is async-signal-safe: it records the reason and
// writes a byte to a pipe that spouts waiting for input poll on, so they wake
// at once. The first SIGINT/SIGTERM asks for a graceful stop; a second one
// exits the process immediately.
#pragma once

#include <atomic>

namespace smc::rt {

enum class StopReason : int { kNone = 0, kSignal, kDeadline, kFailure, kBrokenPipe, kOutputError };

class StopSignal {
 public:
  static StopSignal& Get();

  /// Installs SIGINT/SIGTERM handlers and ignores SIGPIPE.
  void InstallHandlers();
  /// Async-signal-safe. The first reason given wins.
  void Request(StopReason reason, int signal_number = 0);
  /// Forgets an earlier stop (a process may run several jobs, one after
  /// another), unless it came from a signal.
  void Reset();
  bool requested() const { return reason_.load(std::memory_order_relaxed) != 0; }
  StopReason reason() const { return static_cast<StopReason>(reason_.load()); }
  int signal_number() const { return signal_.load(); }
  /// Readable once a stop is requested.
  int wake_fd() const { return pipe_[0]; }

 private:
  StopSignal();
  std::atomic<int> reason_{0};
  std::atomic<int> signal_{0};
  int pipe_[2] = {-1, -1};
};

}  // namespace smc::rt
