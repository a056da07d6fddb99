#include "stdlib/builtins.h"

namespace smc {

const Catalog& StandardCatalog() {
  static const Catalog* catalog = [] {
    using namespace stdlib;
    auto* c = new Catalog;
    for (ComponentSpec (*spec)() :
         {StdinSpec, FileSpoutSpec, GenerateSpec, RandomSentenceSpec, RandomStringSpec, ChannelSpoutSpec, ShellSpoutSpec,
          IdentitySpec, SplitSpec, CountSpec, FilterSpec, ProjectSpec, ParseJsonSpec, SampleSpec, TopSpec,
          RollingCountSpec, SortSpec, DedupeSpec, ThrottleSpec, ExecSpec, ShellBoltSpec, StdoutSpec, FileSinkSpec, NullSpec,
          ChannelSinkSpec}) {
      c->Add(spec());
    }
    c->AddGrouping(ModuloGroupingSpec());
    c->AddTask(ExecTaskSpec());
    c->AddTask(RunTaskSpec());
    return c;
  }();
  return *catalog;
}

const rt::Registry& StandardRegistry() {
  static const rt::Registry* registry = [] {
    using namespace stdlib;
    auto* r = new rt::Registry;
    r->AddSpout("stdin", MakeStdinSpout);
    r->AddSpout("file", MakeFileSpout);
    r->AddSpout("generate", MakeGenerateSpout);
    r->AddSpout("random_sentence", MakeRandomSentenceSpout);
    r->AddSpout("random_string", MakeRandomStringSpout);
    r->AddBolt("identity", MakeIdentity);
    r->AddBolt("split", MakeSplit);
    r->AddBolt("count", MakeCount);
    r->AddBolt("filter", MakeFilter);
    r->AddBolt("project", MakeProject);
    r->AddBolt("parse_json", MakeParseJson);
    r->AddBolt("sample", MakeSample);
    r->AddBolt("top", MakeTop);
    r->AddBolt("rolling_count", MakeRollingCount);
    r->AddBolt("sort", MakeSort);
    r->AddBolt("dedupe", MakeDedupe);
    r->AddBolt("throttle", MakeThrottle);
    r->AddBolt("shell", MakeShellBolt);
    r->AddSpout("shell", MakeShellSpout);
    r->AddBolt("exec", MakeExecBolt);
    r->AddSink("channel", MakeChannelSink);
    r->AddSpout("channel", MakeChannelSpout);
    r->AddSink("stdout", MakeStdoutSink);
    r->AddSink("file", MakeFileSink);
    r->AddSink("null", MakeNullSink);
    r->AddGrouping("modulo", MakeModuloGrouping);
    return r;
  }();
  return *registry;
}

}  // namespace smc
