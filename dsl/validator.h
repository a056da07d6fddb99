// Validation: AST -> Graph.
//
// Validate() checks a parsed file against the component catalog and returns
// the graph it describes, reporting every error and warning it finds in one
// pass. A component that is itself wrong (unknown implementation, bad
// arguments) is marked so that the checks that depend on it stay quiet: one
// mistake, one message. The graph is meaningful only when no error was
// reported. Thread-safe: no shared state.
#pragma once

#include <vector>

#include "dsl/ast.h"
#include "dsl/catalog.h"
#include "dsl/diagnostic.h"
#include "dsl/graph.h"
#include "dsl/resolve.h"

namespace smc {

/// Validates `file`; `overrides` replace parameter defaults (ones the file
/// does not declare are ignored here: see CheckOverrides).
Graph Validate(const ast::File& file, const Catalog& catalog, const std::vector<ParamOverride>& overrides,
               Diagnostics* diags);

}  // namespace smc
