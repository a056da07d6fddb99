// The validated graph: what a .topo file means, fully resolved.
//
// Produced only by Validate() (validator.h) from an AST without errors.
// Parameters are substituted, defaults applied, names resolved to indices,
// output streams computed, groupings checked against the fields they name.
// Every node keeps the source range of its declaration, so later stages can
// still point at the `.topo` line. Immutable; safe to share across threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsl/component_kind.h"
#include "dsl/source.h"
#include "dsl/value.h"

namespace smc {

enum class GroupingKind { kShuffle, kFields, kPartial, kAll, kGlobal, kDirect, kLocal, kNone, kCustom };

/// "shuffle", "fields", ...
std::string_view GroupingName(GroupingKind k);

using Settings = std::map<std::string, Value>;

struct GraphGrouping {
  GroupingKind kind = GroupingKind::kShuffle;
  std::vector<std::string> fields;  // kFields, kPartial
  std::vector<int> field_indices;   // positions of `fields` in the source stream
  std::string custom;               // kCustom: the registered name
  std::map<std::string, Value> custom_args;
};

struct GraphStream {
  std::string name;
  std::vector<std::string> fields;
};

struct GraphInput {
  int source = 0;  // index into GraphTopology::components
  int stream = 0;  // index into the source's outputs
  GraphGrouping grouping;
  SourceRange range;
};

struct GraphComponent {
  std::string name;
  ComponentKind kind = ComponentKind::kBolt;
  std::string impl;                   // "split", "shell", ...
  std::map<std::string, Value> args;  // every parameter, defaults applied
  std::string channel;                // the channel it is an end of (a spec's channel_arg), or ""
  int parallelism = 1;
  std::vector<GraphInput> inputs;
  std::vector<GraphStream> outputs;  // "default" first when present
  Settings settings;                 // topology settings overlaid with its own, defaults applied
  SourceRange range;                 // the whole declaration
  SourceRange name_range;

  /// Index of the output stream `name`, or -1.
  int FindStream(const std::string& name) const;
};

struct GraphTopology {
  std::string name;
  Settings settings;
  std::vector<GraphComponent> components;  // in declaration order
  SourceRange range;

  /// Index of the component `name`, or -1.
  int Find(const std::string& name) const;
};

struct GraphTask {
  std::string name;
  std::string impl;
  std::map<std::string, Value> args;  // positional arguments as "0", "1", ...
  std::vector<int> after;             // indices into GraphTaskGraph::tasks
  Settings settings;
  SourceRange range;
};

/// One parameter of a task template; without a default it is required.
struct GraphTemplateParam {
  std::string name;
  std::optional<std::string> default_value;
};

/// A task template: `body` holds its implementation, arguments and settings
/// with `${PARAM}` left in the text, for InstantiateTemplate (dsl/template.h).
struct GraphTemplate {
  std::string name;
  std::vector<GraphTemplateParam> params;
  GraphTask body;
};

struct GraphTaskGraph {
  std::string name;
  Settings settings;
  std::vector<GraphTask> tasks;          // what `smc run` runs: no templates
  std::vector<GraphTemplate> templates;  // what `smc worker` serves, besides the tasks
  SourceRange range;
};

struct Graph {
  SourceFilePtr source;
  std::map<std::string, Value> params;  // final values, overrides applied
  std::vector<GraphTopology> topologies;
  std::vector<GraphTaskGraph> task_graphs;
};

}  // namespace smc
