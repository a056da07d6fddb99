// Pausing a running job's spouts: `smc deactivate JOB` and `smc activate JOB`
// (Storm's deactivate/activate).
//
// One per process, like StopSignal. SIGUSR1 asks for the spouts to be
// deactivated, SIGUSR2 for them to be activated again; the handlers only
// record what was asked (async-signal-safe), and the job's clock thread
// carries it out: spouts stop being asked for tuples (shell spouts hear
// Storm's "deactivate"), what is in flight drains, ticks and windows go on.
// The handlers are installed before the job's record is written, so a
// signal from `smc deactivate` never meets the default action.
#pragma once

#include <atomic>

namespace smc::rt {

class Activation {
 public:
  static Activation& Get();

  /// Installs the SIGUSR1 (deactivate) and SIGUSR2 (activate) handlers.
  void InstallHandlers();
  /// Async-signal-safe.
  void Request(bool active) { wanted_.store(active, std::memory_order_relaxed); }
  /// What was asked last (true until a deactivation is asked).
  bool wanted() const { return wanted_.load(std::memory_order_relaxed); }

 private:
  Activation() = default;
  std::atomic<bool> wanted_{true};
};

}  // namespace smc::rt
