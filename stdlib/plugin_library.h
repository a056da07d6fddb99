// Loading a user's plugin library (include/smc/plugin.h): checks of the file,
// the ABI check, and its signatures as the validator's ComponentSpecs.
//
// A library is loaded at most once per process (by its real path) and never
// unloaded: components made from it live until the process ends. Loading is
// thread-safe. Private to stdlib/ (the plugin stand-ins in plugin.cc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dsl/catalog.h"
#include "smc/plugin.h"

namespace smc::stdlib {

struct PluginComponent {
  ComponentSpec spec;  // params: library, component, then the plugin's own
  const plugin::ComponentInfo* info = nullptr;
};

struct PluginGrouping {
  GroupingSpec spec;
  const plugin::GroupingInfo* info = nullptr;
};

class PluginLibrary {
 public:
  std::string path;     // the real path, as loaded
  std::string written;  // as the .topo names it (for messages)
  plugin::Registrar registrar;
  std::vector<std::unique_ptr<PluginComponent>> components;
  std::vector<std::unique_ptr<PluginGrouping>> groupings;

  /// The component `name` of `kind`; or null and `*error` saying why (its
  /// other kind, the names there are).
  const PluginComponent* Find(ComponentKind kind, const std::string& name, std::string* error) const;
  const PluginGrouping* FindGrouping(const std::string& name, std::string* error) const;
};

/// The library `library` (a path; relative: from `base_dir`), loaded once.
/// Null with `*error` set when it cannot be used: missing, not a regular
/// file, owned by another user (not root), writable by others (or in a
/// folder others may write without the sticky bit), not a plugin, built for
/// another ABI, or its signatures are malformed.
const PluginLibrary* LoadPluginLibrary(const std::string& library, const std::string& base_dir, std::string* error);

}  // namespace smc::stdlib
