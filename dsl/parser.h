// Parsing: .topo text -> AST.
//
// Parse() reads a whole file and returns its AST together with every syntax
// error it found: after an error it resynchronises at the next statement
// keyword at the start of a line, so one mistake does not hide the next and
// does not cause a cascade. The AST holds every statement that parsed.
// Thread-safe: no shared state.
#pragma once

#include <optional>
#include <string_view>

#include "dsl/ast.h"
#include "dsl/diagnostic.h"

namespace smc {

/// Parses `source`; appends syntax errors to `diags`.
ast::File Parse(SourceFilePtr source, Diagnostics* diags);

/// Reads one literal value written as in a .topo file ("5s", "42", "[1, 2]",
/// "\"text\""), for `-p NAME=VALUE`. Nullopt if it is not one, or refers
/// to a parameter.
std::optional<Value> ParseLiteral(std::string_view text);

}  // namespace smc
