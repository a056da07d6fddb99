// How a run ended, as the runtime sees it. The runtime never chooses exit
// statuses: the CLI maps an Outcome to one (cli/exit_codes.h).
#pragma once

namespace smc::rt {

enum class Outcome {
  kOk,                // ran to the end of its input, or for as long as asked
  kComponentFailed,   // a component failed (reported with its name)
  kIoError,           // reading an input or writing an output failed
  kBrokenPipe,        // standard output's reader went away: the run ends quietly
  kStopped,           // stopped by a signal (RunResult::signal)
  kUsage,             // the request cannot be run as asked (reported)
  kExitStatus,        // a topology's own process ended with RunResult::status (passed on as it is)
  kReplaysExhausted,  // with acking: some spout tuples failed more than max.replays times (reported)
};

/// An Outcome with its details.
struct RunResult {
  Outcome outcome = Outcome::kOk;
  int signal = 0;  // kStopped: the signal's number
  int status = 0;  // kExitStatus: the process's exit status
};

}  // namespace smc::rt
