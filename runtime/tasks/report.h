// What the task-graph scheduler tells its user: the live status line and the
// summary at the end (the scheduler itself, runtime/tasks/scheduler.h, only
// decides what runs when).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "runtime/tasks/store.h"

namespace smc::rt {

/// "1.25 s".
std::string Seconds(int64_t ns);

/// The ninja-like line "[done/total] running: a 42% message ... b ...", at
/// most 200 bytes; `running[i]` says whether rows[i] runs now.
std::string StatusLineText(const std::vector<TaskRow>& rows, const std::vector<bool>& running, int done);

/// Writes the summary of a finished graph (a head line, then a row per
/// task; only the ones not done past 50 tasks). Returns 0 when every task
/// is done, else 70.
int WriteSummary(const std::string& block, const std::string& job, const std::vector<TaskRow>& rows, double seconds,
                 std::ostream& err);

}  // namespace smc::rt
