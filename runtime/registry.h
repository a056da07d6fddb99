// Component implementations by name: what `smc run` can instantiate.
//
// The standard library registers every built-in (stdlib/builtins.h); a custom
// grouping is a class implementing CustomGrouping registered under the name
// used in `custom NAME(args)`. Filled once at start-up, then read-only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dsl/component_kind.h"
#include "dsl/value.h"
#include "runtime/component.h"

namespace smc::rt {

/// A user-defined grouping: chooses the target instances of each tuple.
class CustomGrouping {
 public:
  virtual ~CustomGrouping() = default;
  /// Called once per producing instance and subscription, before any tuple.
  /// `fields` are the stream's fields; `args` the grouping's arguments.
  virtual void Prepare(int targets, const std::map<std::string, Value>& args,
                       const std::vector<std::string>& fields) = 0;
  /// Appends the chosen instances (each in [0, targets)) to `out` (cleared by the caller).
  virtual void Choose(const Datum* tuple, std::vector<int>* out) = 0;
};

using SpoutFactory = std::function<std::unique_ptr<Spout>()>;
using ComponentFactory = std::function<std::unique_ptr<Component>()>;
using GroupingFactory = std::function<std::unique_ptr<CustomGrouping>()>;

class Registry {
 public:
  void AddSpout(const std::string& name, SpoutFactory f) { spouts_[name] = std::move(f); }
  void AddBolt(const std::string& name, ComponentFactory f) { bolts_[name] = std::move(f); }
  void AddSink(const std::string& name, ComponentFactory f) { sinks_[name] = std::move(f); }
  void AddGrouping(const std::string& name, GroupingFactory f) { groupings_[name] = std::move(f); }

  const SpoutFactory* FindSpout(const std::string& name) const { return Find(spouts_, name); }
  const ComponentFactory* FindComponent(ComponentKind kind, const std::string& name) const {
    return Find(kind == ComponentKind::kSink ? sinks_ : bolts_, name);
  }
  const GroupingFactory* FindGrouping(const std::string& name) const { return Find(groupings_, name); }

 private:
  template <typename M>
  static const typename M::mapped_type* Find(const M& m, const std::string& name) {
    auto it = m.find(name);
    return it == m.end() ? nullptr : &it->second;
  }
  std::map<std::string, SpoutFactory> spouts_;
  std::map<std::string, ComponentFactory> bolts_;
  std::map<std::string, ComponentFactory> sinks_;
  std::map<std::string, GroupingFactory> groupings_;
};

}  // namespace smc::rt
