// Task-graph validation (private to dsl/): one tasks block -> GraphTaskGraph.
//
// Checks each task's implementation against the catalog's TaskSpecs, binds
// its arguments and settings, resolves `after` names, and reports the first
// cycle of dependencies in the block. Iterative: no recursion on the length
// of a chain of tasks. Not thread-safe (it shares the file's Resolver).
#pragma once

#include "dsl/ast.h"
#include "dsl/catalog.h"
#include "dsl/diagnostic.h"
#include "dsl/graph.h"
#include "dsl/resolve.h"

namespace smc {

/// Validates `tg` of the file `source`, reporting to `diags`.
GraphTaskGraph CheckTaskGraph(const ast::TaskGraph& tg, const Catalog& catalog, const SourceFilePtr& source,
                              Resolver* resolver, Diagnostics* diags);

}  // namespace smc
