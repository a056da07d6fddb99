// Exit statuses, following sysexits(3), and the one mapping from a run's
// outcome (runtime/outcome.h) to them. No other file names these numbers.
#pragma once

#include "runtime/outcome.h"

namespace smc {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;        // bad command line
inline constexpr int kExitDataErr = 65;      // invalid topology
inline constexpr int kExitNoInput = 66;      // cannot open a file
inline constexpr int kExitSoftware = 70;     // a component failed at run time
inline constexpr int kExitIoErr = 74;        // reading or writing failed
inline constexpr int kExitTempFail = 75;     // with acking: tuples given up after max.replays
inline constexpr int kExitSignalBase = 128;  // 128 + N: stopped by signal N
inline constexpr int kExitBrokenPipe = 141;  // 128 + SIGPIPE: the reader went away

/// The process exit status for a run's outcome.
inline int ExitStatus(const rt::RunResult& r) {
  switch (r.outcome) {
    case rt::Outcome::kOk: return kExitOk;
    case rt::Outcome::kComponentFailed: return kExitSoftware;
    case rt::Outcome::kIoError: return kExitIoErr;
    case rt::Outcome::kBrokenPipe: return kExitBrokenPipe;
    case rt::Outcome::kStopped: return kExitSignalBase + r.signal;
    case rt::Outcome::kUsage: return kExitUsage;
    case rt::Outcome::kExitStatus: return r.status;
    case rt::Outcome::kReplaysExhausted: return kExitTempFail;
  }
  return kExitSoftware;
}

}  // namespace smc
