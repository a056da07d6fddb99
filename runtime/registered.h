// Running one topology in this process, listed in the user's job registry
// (runtime/jobs.h) while it runs, for `smc ps` and `smc abort`.
//
// The record is written at the start, rewritten about once a second with the
// live counters, and removed at the end. Running never depends on the
// registry: when it cannot be opened the job runs unlisted.
#pragma once

#include <iosfwd>
#include <string>

#include "runtime/job.h"

namespace smc::rt {

/// Removes what crashed jobs left behind (channel segments), installs the
/// stop signal's handlers, and runs `plan.topologies[topology]` registered
/// under the .topo file `source_path` ("-": standard input).
JobResult RunRegistered(const Plan& plan, int topology, const Registry& registry, JobOptions opts,
                        const std::string& source_path, std::ostream& diag);

}  // namespace smc::rt
