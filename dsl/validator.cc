#include "dsl/validator.h"

#include <map>

#include "dsl/channel_fields.h"
#include "dsl/resolve.h"
#include "dsl/task_check.h"
#include "dsl/topology_check.h"

namespace smc {
namespace {

void CheckTopLevelNames(const ast::File& file, Diagnostics* diags) {
  std::map<std::string, SourceRange> seen;
  auto check = [&](const ast::Name& n, const char* what) {
    auto [it, inserted] = seen.emplace(n.text, n.range);
    if (!inserted) {
      diags->Error(file.source, n.range, std::string("duplicate ") + what + " name '" + n.text + "'")
          .Note(it->second, "first declared here");
    }
  };
  for (const ast::Topology& t : file.topologies) check(t.name, "topology");
  for (const ast::TaskGraph& t : file.task_graphs) check(t.name, "tasks");
}

}  // namespace

Graph Validate(const ast::File& file, const Catalog& catalog, const std::vector<ParamOverride>& overrides,
               Diagnostics* diags) {
  size_t first = diags->all().size();
  Resolver resolver(file, overrides, diags);
  Graph graph;
  graph.source = file.source;
  graph.params = resolver.params();
  CheckTopLevelNames(file, diags);

  // Topologies whose channel sinks others read come first; the graph keeps
  // the file's order.
  ChannelFields channels(file, catalog, resolver);
  TopologyChecker checker(file, catalog, &resolver, &channels, diags);
  graph.topologies.resize(file.topologies.size());
  for (size_t t : channels.order()) {
    graph.topologies[t] = checker.Check(file.topologies[t]);
    channels.Record(t, graph.topologies[t]);
  }
  for (const ast::TaskGraph& tg : file.task_graphs) {
    graph.task_graphs.push_back(CheckTaskGraph(tg, catalog, file.source, &resolver, diags));
  }
  diags->SortFrom(first);
  return graph;
}

}  // namespace smc
