// Loading .topo files: read, parse, validate; shared by every subcommand.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostic.h"
#include "dsl/graph.h"
#include "dsl/resolve.h"
#include "runtime/extensions.h"

namespace smc {

/// Splits `-p NAME=VALUE` texts; on a malformed one writes to `err` and returns nullopt.
std::optional<std::vector<ParamOverride>> ParseOverrides(const std::vector<std::string>& texts, std::ostream& err);

/// `--params FILE` then `-p`s: the NAME=VALUE texts of `path` (one a line;
/// blank lines and lines starting with '#' skipped; a final \r dropped),
/// followed by `given`, so that a -p on the command line wins. "" reads
/// nothing. On an error writes to `err`, sets `*status` (66: cannot read
/// it, 64: a line that is not NAME=VALUE, named FILE:LINE) and returns {}.
std::vector<std::string> WithParamsFile(const std::string& path, const std::vector<std::string>& given,
                                        std::ostream& err, int* status);

/// The outcome of loading one file.
struct Loaded {
  bool opened = false;  // false: could not be read (already reported)
  ast::File ast;
  Graph graph;  // meaningful only when !diags.HasErrors()
  Diagnostics diags;
};

/// Reads and parses `path` ("-" for stdin), then validates it against
/// `ext`'s catalog (null: the standard library's) unless parsing failed.
Loaded LoadFile(const std::string& path, const std::vector<ParamOverride>& overrides,
                const rt::Extensions* ext = nullptr);

/// Loads one file for a command that needs it valid: reports diagnostics to
/// `err` and sets `*status` (0, 64, 65 or 66). The graph is usable when
/// `*status` is 0.
Loaded LoadValid(const std::string& path, const std::vector<ParamOverride>& overrides, std::ostream& err, int* status,
                 const rt::Extensions* ext = nullptr);

/// 64 when an error concerns the command line (no file), else 65.
int UsageOrDataError(const Diagnostics& diags);

/// Writes diagnostics to `err`.
void Report(const Diagnostics& diags, std::ostream& err);

}  // namespace smc
