#include "stdlib/builtins.h"

namespace smc {
namespace {

using namespace stdlib;

// Every built-in, once: its signature and its implementation side by side.
struct Builtin {
  ComponentSpec (*spec)();
  std::unique_ptr<rt::Spout> (*spout)() = nullptr;
  std::unique_ptr<rt::Component> (*component)() = nullptr;
  Builtin(ComponentSpec (*s)(), std::unique_ptr<rt::Spout> (*f)()) : spec(s), spout(f) {}
  Builtin(ComponentSpec (*s)(), std::unique_ptr<rt::Component> (*f)()) : spec(s), component(f) {}
};

const Builtin kBuiltins[] = {
    // spouts
    {StdinSpec, MakeStdinSpout},
    {FileSpoutSpec, MakeFileSpout},
    {GenerateSpec, MakeGenerateSpout},
    {RandomSentenceSpec, MakeRandomSentenceSpout},
    {RandomStringSpec, MakeRandomStringSpout},
    {ChannelSpoutSpec, MakeChannelSpout},
    {ShellSpoutSpec, MakeShellSpout},
    {AmqpSpoutSpec, MakeAmqpSpout},
    {KafkaSpoutSpec, MakeKafkaSpout},
    {PluginSpoutSpec, MakePluginSpout},
    // bolts
    {IdentitySpec, MakeIdentity},
    {SplitSpec, MakeSplit},
    {CountSpec, MakeCount},
    {FilterSpec, MakeFilter},
    {ProjectSpec, MakeProject},
    {ParseJsonSpec, MakeParseJson},
    {SampleSpec, MakeSample},
    {TopSpec, MakeTop},
    {RollingCountSpec, MakeRollingCount},
    {SortSpec, MakeSort},
    {DedupeSpec, MakeDedupe},
    {WindowBoltSpec, MakeWindow},
    {ThrottleSpec, MakeThrottle},
    {ExecSpec, MakeExecBolt},
    {ShellBoltSpec, MakeShellBolt},
    {PluginBoltSpec, MakePluginBolt},
    // sinks
    {StdoutSpec, MakeStdoutSink},
    {FileSinkSpec, MakeFileSink},
    {NullSpec, MakeNullSink},
    {ChannelSinkSpec, MakeChannelSink},
    {AmqpSinkSpec, MakeAmqpSink},
    {KafkaSinkSpec, MakeKafkaSink},
    {PluginSinkSpec, MakePluginSink},
};

struct BuiltinGrouping {
  GroupingSpec (*spec)();
  std::unique_ptr<rt::CustomGrouping> (*make)();
};

const BuiltinGrouping kBuiltinGroupings[] = {
    {ModuloGroupingSpec, MakeModuloGrouping},
    {PluginGroupingSpec, MakePluginGrouping},
};

}  // namespace

void AddBuiltins(rt::Extensions* ext) {
  for (const Builtin& b : kBuiltins) {
    if (b.spout)
      ext->Add(b.spec(), rt::SpoutFactory(b.spout));
    else
      ext->Add(b.spec(), rt::ComponentFactory(b.component));
  }
  for (const BuiltinGrouping& g : kBuiltinGroupings) ext->AddGrouping(g.spec(), rt::GroupingFactory(g.make));
  // Task kinds have a signature and no runtime component.
  ext->catalog.AddTask(ExecTaskSpec());
  ext->catalog.AddTask(RunTaskSpec());
}

const rt::Extensions& StandardExtensions() {
  static const rt::Extensions* ext = [] {
    auto* e = new rt::Extensions;
    AddBuiltins(e);
    return e;
  }();
  return *ext;
}

const Catalog& StandardCatalog() {
  return StandardExtensions().catalog;
}

const rt::Registry& StandardRegistry() {
  return StandardExtensions().registry;
}

}  // namespace smc
