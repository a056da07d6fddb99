// Drawing a validated graph: Graphviz DOT, or a compact text form.
#pragma once

#include <string>

#include "dsl/graph.h"

namespace smc {

/// Graphviz DOT: one cluster per topology, a node per component (kind,
/// implementation, parallelism), an edge per subscription labelled with its
/// grouping, stream and fields; channels as dashed edges between topologies.
std::string GraphToDot(const Graph& g);

/// One line per component: `split[3] (split) <-shuffle- sentences`.
std::string GraphToText(const Graph& g);

}  // namespace smc
