// smc import --flux: an Apache Storm Flux YAML document as .topo text.
//
// Imports what can run on one machine: Flux's FluxShellSpout / FluxShellBolt
// become shell(...) with the same command and declared fields (a command
// `smc component NAME --param ...` becomes the built-in NAME(...) again),
// LogInfoBolt becomes a stdout() sink, `parallelism` becomes xN, `config`
// keys with an smc meaning become settings, streams become inputs with their
// groupings. Java classes, includes, topology sources and property
// substitution are reported with their line. The text is hostile: its size
// is bounded, yaml-cpp's own depth guard bounds the parse, and the walk
// reads only Flux's fixed shape (no recursion on the document's depth).
#pragma once

#include <cstddef>
#include <string>

#include "dsl/diagnostic.h"
#include "dsl/source.h"

namespace smc::flux {

/// The largest Flux document imported: "larger than 1 MiB".
inline constexpr size_t kMaxFluxBytes = size_t{1} << 20;
/// The largest .topo text an import may write (aliases can repeat a node): 16 MiB.
inline constexpr size_t kMaxTopoBytes = size_t{16} << 20;

struct ImportOptions {
  /// Keep `smc component NAME ...` commands as shell(...), run as Storm runs
  /// them, instead of turning them back into built-ins.
  bool as_shell = false;
};

/// Translates the Flux document `yaml` into .topo text in `*topo`. Appends
/// errors (anchored in `yaml`) for what cannot be imported and warnings for
/// what is dropped; returns false when it reported an error. The text is not
/// validated here: the caller checks it as any .topo file.
bool ImportFlux(const SourceFilePtr& yaml, const ImportOptions& opts, Diagnostics* diags, std::string* topo);

}  // namespace smc::flux
