// The plan: a validated graph laid out for running.
//
// Compile() turns each topology of a Graph into plain data: components with
// their instances, resolved settings and source locations, and for every
// output stream the edges to its subscribers with their groupings. Dump()
// writes it as text for tests and `smc run --plan`. No behaviour here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dsl/graph.h"
#include "runtime/setting_defaults.h"

namespace smc::rt {

/// One subscription: the tuples of a stream go to `consumer` by `grouping`.
struct PlanEdge {
  int consumer = 0;  // component index
  int input = 0;     // index among the consumer's inputs
  GraphGrouping grouping;
};

struct PlanStream {
  std::string name;
  std::vector<std::string> fields;
  std::vector<PlanEdge> edges;
};

struct PlanInput {
  int source = 0;  // component index
  int stream = 0;
  std::vector<std::string> fields;
};

struct PlanComponent {
  std::string name;
  ComponentKind kind = ComponentKind::kBolt;
  std::string impl;
  std::map<std::string, Value> args;
  int parallelism = 1;
  std::string location;  // file:line:col of the declaration
  std::vector<PlanInput> inputs;
  std::vector<PlanStream> streams;

  // Settings, resolved; the defaults are the language's (dsl/settings.cc).
  int batch_size = static_cast<int>(SettingDefault("batch.size"));
  int64_t linger_ns = SettingDefault("batch.linger");
  int max_pending = static_cast<int>(SettingDefault("max.pending"));
  int64_t tick_ns = 0;  // 0: no ticks (the `tick` setting has no default)
  std::string on_failure = SettingDefaultText("on.failure");
  int max_restarts = static_cast<int>(SettingDefault("max.restarts"));
  int64_t subprocess_timeout_ns = SettingDefault("subprocess.timeout");
  std::map<std::string, Value> conf;  // `topology.*` and `conf.*` settings, for components (dsl/settings.h)

  /// End-of-stream marks an instance waits for: one per upstream instance per input.
  int UpstreamInstances(const std::vector<PlanComponent>& all) const;
};

/// Acking (guaranteed processing), resolved from the topology's settings
/// with Storm's names folded in (see runtime/acker.h).
struct PlanAcking {
  bool on = SettingDefault("acking") != 0;
  int max_spout_pending = static_cast<int>(SettingDefault("max.spout.pending"));  // per spout instance
  int64_t message_timeout_ns = SettingDefault("message.timeout");
  int max_replays = static_cast<int>(SettingDefault("max.replays"));
};

struct PlanTopology {
  std::string name;
  std::vector<PlanComponent> components;
  PlanAcking acking;

  /// For each component, whether the output of component `c` can reach it
  /// (an iterative walk: no recursion on the graph's depth).
  std::vector<bool> Downstream(int c) const;
};

struct Plan {
  std::string source_path;
  std::string base_dir;  // folder of the .topo file
  std::vector<PlanTopology> topologies;

  std::string Dump() const;
};

Plan Compile(const Graph& g);

}  // namespace smc::rt
