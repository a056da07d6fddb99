// Writing what export and import produce: to standard output, or to a file
// that only appears once complete (written beside it, then renamed).
#pragma once

#include <iosfwd>
#include <string>

namespace smc {

/// Writes `text` to `path` ("" or "-": `out`). On failure reports
/// "smc COMMAND: error: cannot write 'PATH': REASON" to `err` and returns false.
bool WriteOutput(const std::string& command, const std::string& path, const std::string& text, std::ostream& out,
                 std::ostream& err);

}  // namespace smc
