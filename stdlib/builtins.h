// The standard library: every built-in component and custom grouping.
//
// Each built-in lives in its own file under stdlib/ and is registered in
// builtins.cc: one table line of {spec, factory}, from which both the catalog
// (signatures) and the registry (implementations) are filled, so they cannot
// drift. A new built-in is one file plus one line there.
#pragma once

#include <memory>

#include "dsl/catalog.h"
#include "runtime/extensions.h"
#include "runtime/registry.h"

namespace smc::stdlib {

ComponentSpec StdinSpec();
ComponentSpec FileSpoutSpec();
ComponentSpec GenerateSpec();
ComponentSpec RandomSentenceSpec();
ComponentSpec RandomStringSpec();
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
ComponentSpec WindowBoltSpec();  // window_bolt.cc
ComponentSpec ThrottleSpec();
ComponentSpec ExecSpec();
ComponentSpec ShellBoltSpec();
ComponentSpec StdoutSpec();
ComponentSpec FileSinkSpec();
ComponentSpec NullSpec();
ComponentSpec ChannelSinkSpec();
ComponentSpec AmqpSpoutSpec();
ComponentSpec AmqpSinkSpec();
ComponentSpec KafkaSpoutSpec();
ComponentSpec KafkaSinkSpec();
GroupingSpec ModuloGroupingSpec();
ComponentSpec PluginSpoutSpec();
ComponentSpec PluginBoltSpec();
ComponentSpec PluginSinkSpec();
GroupingSpec PluginGroupingSpec();
TaskSpec ExecTaskSpec();  // exec.cc
TaskSpec RunTaskSpec();   // exec.cc

std::unique_ptr<rt::Spout> MakeStdinSpout();
std::unique_ptr<rt::Spout> MakeFileSpout();
std::unique_ptr<rt::Spout> MakeGenerateSpout();
std::unique_ptr<rt::Spout> MakeRandomSentenceSpout();
std::unique_ptr<rt::Spout> MakeRandomStringSpout();
std::unique_ptr<rt::Component> MakeIdentity();
std::unique_ptr<rt::Component> MakeSplit();
std::unique_ptr<rt::Component> MakeCount();
std::unique_ptr<rt::Component> MakeFilter();
std::unique_ptr<rt::Component> MakeProject();
std::unique_ptr<rt::Component> MakeParseJson();
std::unique_ptr<rt::Component> MakeSample();
std::unique_ptr<rt::Component> MakeTop();
std::unique_ptr<rt::Component> MakeRollingCount();
std::unique_ptr<rt::Component> MakeSort();
std::unique_ptr<rt::Component> MakeDedupe();
std::unique_ptr<rt::Component> MakeWindow();
std::unique_ptr<rt::Component> MakeThrottle();
std::unique_ptr<rt::Component> MakeShellBolt();
std::unique_ptr<rt::Spout> MakeShellSpout();
std::unique_ptr<rt::Component> MakeExecBolt();
std::unique_ptr<rt::Component> MakeChannelSink();
std::unique_ptr<rt::Spout> MakeAmqpSpout();
std::unique_ptr<rt::Component> MakeAmqpSink();
std::unique_ptr<rt::Spout> MakeKafkaSpout();
std::unique_ptr<rt::Component> MakeKafkaSink();
std::unique_ptr<rt::Spout> MakeChannelSpout();
std::unique_ptr<rt::Component> MakeStdoutSink();
std::unique_ptr<rt::Component> MakeFileSink();
std::unique_ptr<rt::Component> MakeNullSink();
std::unique_ptr<rt::CustomGrouping> MakeModuloGrouping();
std::unique_ptr<rt::Spout> MakePluginSpout();
std::unique_ptr<rt::Component> MakePluginBolt();
std::unique_ptr<rt::Component> MakePluginSink();
std::unique_ptr<rt::CustomGrouping> MakePluginGrouping();

}  // namespace smc::stdlib

namespace smc {

/// Adds every built-in component and grouping to `ext`.
void AddBuiltins(rt::Extensions* ext);

/// The standard library's extensions; built once, shared, read-only.
const rt::Extensions& StandardExtensions();

/// The catalog of every built-in (StandardExtensions().catalog).
const Catalog& StandardCatalog();

/// The implementations of the built-ins (StandardExtensions().registry).
const rt::Registry& StandardRegistry();

}  // namespace smc
