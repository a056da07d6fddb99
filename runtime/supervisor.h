// Running the topologies of one file, one process each, joined by their
// channels: the parent supervises.
//
// Each child is started from the command line `child_argv` gives (the CLI
// re-runs itself with --topology NAME). SIGINT and SIGTERM are passed on to
// the children; if one fails, the others are stopped with SIGTERM (so they
// drain); the outcome is the first failure's exit status, or that of the
// stop asked for. Nothing outlives the parent: each child asks the kernel for
// SIGTERM when its parent dies (even by SIGKILL), and on its way out the
// parent kills what is left in the children's process groups. One call per
// process (it installs signal handlers).
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "runtime/outcome.h"
#include "runtime/plan.h"

namespace smc::rt {

/// At most this many topologies in one file run together.
inline constexpr size_t kMaxTopologies = 256;

/// Runs every topology of `plan` in a child process; reports to `err`.
RunResult RunEachTopology(const Plan& plan,
                          const std::function<std::vector<std::string>(const PlanTopology&)>& child_argv,
                          std::ostream& err);

}  // namespace smc::rt
