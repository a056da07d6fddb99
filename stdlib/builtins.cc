#include "stdlib/builtins.h"

namespace smc {

const Catalog& StandardCatalog() {
  static const Catalog* catalog = [] {
    using namespace stdlib;
    auto* c = new Catalog;
    for (ComponentSpec (*spec)() :
         {StdinSpec, FileSpoutSpec, GenerateSpec, RandomSentenceSpec, ChannelSpoutSpec, ShellSpoutSpec,
          IdentitySpec, SplitSpec, CountSpec, FilterSpec, ProjectSpec, ParseJsonSpec, SampleSpec, TopSpec,
          RollingCountSpec, SortSpec, DedupeSpec, ExecSpec, ShellBoltSpec, StdoutSpec, FileSinkSpec, NullSpec,
          ChannelSinkSpec}) {
      c->Add(spec());
    }
    c->AddGrouping(ModuloGroupingSpec());
    return c;
  }();
  return *catalog;
}

}  // namespace smc
