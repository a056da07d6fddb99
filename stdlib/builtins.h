// The standard library: every built-in component and custom grouping.
//
// Each built-in lives in its own file under stdlib/ and is registered in
// builtins.cc. A new built-in is one file plus one line there.
#pragma once

#include "dsl/catalog.h"

namespace smc::stdlib {

ComponentSpec StdinSpec();
ComponentSpec FileSpoutSpec();
ComponentSpec GenerateSpec();
ComponentSpec RandomSentenceSpec();
ComponentSpec ChannelSpoutSpec();
ComponentSpec ShellSpoutSpec();
ComponentSpec IdentitySpec();
ComponentSpec SplitSpec();
ComponentSpec CountSpec();
ComponentSpec FilterSpec();
ComponentSpec ProjectSpec();
ComponentSpec ParseJsonSpec();
ComponentSpec SampleSpec();
ComponentSpec TopSpec();
ComponentSpec RollingCountSpec();
ComponentSpec SortSpec();
ComponentSpec DedupeSpec();
ComponentSpec ExecSpec();
ComponentSpec ShellBoltSpec();
ComponentSpec StdoutSpec();
ComponentSpec FileSinkSpec();
ComponentSpec NullSpec();
ComponentSpec ChannelSinkSpec();
GroupingSpec ModuloGroupingSpec();

}  // namespace smc::stdlib

namespace smc {

/// The catalog of every built-in; built once, shared, read-only.
const Catalog& StandardCatalog();

}  // namespace smc
