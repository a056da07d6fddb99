// What smc can validate and run: a catalog of signatures (for the validator)
// and a registry of implementations (for the runtime), filled together so
// they cannot drift apart. The standard library is one set of Extensions
// (stdlib/builtins.h); a plugin or a test adds its own or replaces some.
// Filled once, then read-only (thread-safe to read).
#pragma once

#include <stdexcept>
#include <string>

#include "dsl/catalog.h"
#include "runtime/registry.h"

namespace smc::rt {

struct Extensions {
  Catalog catalog;    // signatures, by kind and name
  Registry registry;  // implementations, by the same names

  /// Adds a spout; throws std::logic_error if `spec` is not a spout's.
  void Add(ComponentSpec spec, SpoutFactory make) {
    if (spec.kind != ComponentKind::kSpout) throw std::logic_error("'" + spec.name + "' is not a spout");
    registry.AddSpout(spec.name, std::move(make));
    catalog.Add(std::move(spec));
  }
  /// Adds a bolt or a sink (as `spec.kind` says); throws std::logic_error for a spout's spec.
  void Add(ComponentSpec spec, ComponentFactory make) {
    if (spec.kind == ComponentKind::kSpout) throw std::logic_error("'" + spec.name + "' is a spout");
    if (spec.kind == ComponentKind::kSink)
      registry.AddSink(spec.name, std::move(make));
    else
      registry.AddBolt(spec.name, std::move(make));
    catalog.Add(std::move(spec));
  }
  /// Adds a custom grouping.
  void AddGrouping(GroupingSpec spec, GroupingFactory make) {
    registry.AddGrouping(spec.name, std::move(make));
    catalog.AddGrouping(std::move(spec));
  }
};

}  // namespace smc::rt
