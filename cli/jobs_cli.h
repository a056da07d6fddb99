// Finding jobs by id or name, shared by `smc ps` and `smc abort`.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "runtime/jobs.h"

namespace smc {

/// Exit status when a named job does not exist.
inline constexpr int kExitNoJob = 1;

/// The jobs whose id or name is `key`; reports "no job" (with a suggestion)
/// to `err` and returns none when nothing matches.
std::vector<rt::JobRecord> FindJobs(const std::vector<rt::JobRecord>& jobs, const std::string& key, std::ostream& err);

/// Reads a --wait option (empty: `default_ns`) into `wait_ns`; false, after
/// reporting to `err`, when it is not a duration.
bool ParseWait(const std::string& text, int64_t default_ns, int64_t* wait_ns, std::ostream& err);

/// Opens the user's job registry; false, after reporting to `err`, when it
/// cannot be used safely (status 74).
bool OpenJobs(rt::JobRegistry* jobs, std::ostream& err);

/// "12s", "3m05s", "2h10m": how long ago `started_ms` (Unix time) was.
std::string Uptime(int64_t started_ms);

}  // namespace smc
