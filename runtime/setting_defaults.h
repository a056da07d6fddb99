// The defaults of the settings the runtime reads (batch.size, batch.linger,
// max.pending, on.failure, max.restarts, subprocess.timeout), taken from the
// language's table (dsl/settings.cc), where each is stated once.
#pragma once

#include <cstdint>
#include <string>

namespace smc::rt {

/// The default of a numeric setting (an int or a duration in ns); throws
/// std::logic_error for a key without a default.
int64_t SettingDefault(const std::string& key);
/// The default of a text setting (such as on.failure).
std::string SettingDefaultText(const std::string& key);

}  // namespace smc::rt
