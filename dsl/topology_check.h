// Topology validation (private to dsl/): one topology -> GraphTopology.
//
// Declares each component (implementation, arguments, parallelism, `->`),
// links inputs, orders components by their inputs (Kahn), reports cycles,
// then resolves inputs, groupings, field arguments and outputs in that order,
// checks direct streams, and checks reachability. Three files: declarations,
// inputs and outputs (topology_check.cc), order and cycles
// (topology_order.cc), groupings (grouping_check.cc). A component with its own errors is marked broken
// so that what depends on it stays quiet: one mistake, one message. The only
// built-in behaviour it knows comes from the catalog (ComponentSpec); channel
// spouts take their fields from ChannelFields. Iterative throughout. Not
// thread-safe (it shares the file's Resolver and ChannelFields).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/catalog.h"
#include "dsl/channel_fields.h"
#include "dsl/diagnostic.h"
#include "dsl/graph.h"
#include "dsl/resolve.h"

namespace smc {

class TopologyChecker {
 public:
  TopologyChecker(const ast::File& file, const Catalog& catalog, Resolver* resolver, ChannelFields* channels,
                  Diagnostics* diags)
      : file_(file), catalog_(catalog), resolver_(*resolver), channels_(*channels), diags_(diags) {}

  /// Validates one topology of the file.
  GraphTopology Check(const ast::Topology& t);

 private:
  struct Work;

  Diagnostic& Error(SourceRange r, std::string message) { return diags_->Error(file_.source, r, std::move(message)); }
  Diagnostic& Warning(SourceRange r, std::string message) {
    return diags_->Warning(file_.source, r, std::move(message));
  }

  Work Declare(const ast::Component& c, const Settings& topology_settings);
  void CheckDeclaredOutputs(const ast::Component& c);
  const ComponentSpec* ResolveStandIn(const ast::Component& c, const ComponentSpec& stand_in, std::string* library);
  std::string BaseDir() const;
  std::string ArrowComponents() const;
  static std::vector<int> TopologicalOrder(std::vector<Work>& work);
  static std::vector<bool> Reached(const std::vector<Work>& work);
  void ReportCycles(const ast::Topology& t, std::vector<Work>& work, const std::vector<int>& order,
                    const std::vector<bool>& reached);
  void ResolveInputsAndOutputs(std::vector<Work>& work, int i);
  bool ResolveGrouping(const ast::Input& in, const Work& source, const Work& consumer, const GraphStream& stream,
                       GraphGrouping* out);
  void CheckDirectStreams(const std::vector<Work>& work);
  void CheckKeyedInputs(const std::vector<Work>& work, const Work& w);
  void ResolveFieldArgs(Work& w, const std::vector<std::vector<std::string>>& input_fields);
  void ComputeOutputs(Work& w, const std::vector<std::vector<std::string>>& input_fields);
  bool ChannelOutputs(Work& w, std::vector<StreamSpec>* streams);

  const ast::File& file_;
  const Catalog& catalog_;
  Resolver& resolver_;
  ChannelFields& channels_;
  Diagnostics* diags_;
  std::map<std::string, int> index_;  // component name -> index, in the topology being checked
};

// What the validator knows of one component while it works.
struct TopologyChecker::Work {
  const ast::Component* ast = nullptr;
  const ComponentSpec* spec = nullptr;
  bool broken = false;  // its own errors make its outputs unknown
  bool outputs_known = false;
  bool read = false;  // some component reads one of its streams
  bool on_cycle = false;
  bool bad_source = false;  // one of its inputs names nothing valid
  Resolver::BoundArgs args;
  GraphComponent out;
  std::vector<int> sources;  // component indices, one per valid input
  struct Read {
    int source = 0, stream = 0;
    GroupingKind grouping = GroupingKind::kShuffle;
    SourceRange range;  // the grouping's name
  };
  std::vector<Read> reads;  // its inputs whose grouping resolved
};

/// "(a, b)".
std::string FieldList(const std::vector<std::string>& fields);

}  // namespace smc
