// The settings a .topo file may give with `set key = value` or `{ key = value }`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dsl/catalog.h"
#include "dsl/value.h"

namespace smc {

/// Where a setting may appear (a bit set).
enum SettingScope : unsigned {
  kScopeTopology = 1,   // `set` in a topology
  kScopeComponent = 2,  // `{ }` after a component
  kScopeTasks = 4,      // `set` in a tasks block
  kScopeTask = 8,       // `{ }` after a task
};

struct SettingSpec {
  std::string key;
  ParamType type;
  std::optional<Value> default_value;
  unsigned scopes;
  int64_t min = 0;  // for integers, durations and sizes
  int64_t max = 0;  // 0: no upper bound
  std::vector<std::string> choices;
  std::string doc;
};

/// Every known setting, in the order the manual lists them.
const std::vector<SettingSpec>& AllSettings();

/// The spec of `key`, or null.
const SettingSpec* FindSetting(const std::string& key);

/// True for a key smc does not interpret but passes to components as Storm
/// configuration (the multi-lang handshake's conf): `topology.*` keys as they
/// are, `conf.KEY` as KEY. Known settings (FindSetting) take precedence.
inline bool IsConfKey(const std::string& key) {
  return (key.rfind("topology.", 0) == 0 && key.size() > 9) || (key.rfind("conf.", 0) == 0 && key.size() > 5);
}

/// The language's maximum parallelism (`xN`).
inline constexpr int kMaxParallelism = 1024;

}  // namespace smc
