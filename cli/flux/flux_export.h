// smc export --flux: a validated topology as an Apache Storm Flux YAML document.
//
// shell(...) components become Flux's FluxShellSpout / FluxShellBolt with the
// same command (split into words as smc splits it) and declared fields;
// other built-ins become shell components running `smc component NAME
// --param KEY=VALUE ...`; parallelism becomes `parallelism`; settings with a
// Storm name go to `config` under that name, the others as "smc.KEY".
// Components without a cluster meaning (stdin, stdout, file, channel, null,
// exec) and custom groupings are reported, each with what to use on Storm.
#pragma once

#include <string>

#include "dsl/diagnostic.h"
#include "dsl/graph.h"

namespace smc::flux {

/// Writes topology `t` of `graph` (validated) as Flux YAML into `*yaml`.
/// Appends an error to `diags` for each component or grouping that has no
/// Storm counterpart, and warnings for settings that change on the way
/// (durations rounded up to Storm's units). Returns false when it reported
/// an error; `*yaml` is then not meaningful.
bool ExportFlux(const Graph& graph, const GraphTopology& t, Diagnostics* diags, std::string* yaml);

}  // namespace smc::flux
