// The vocabulary shared by Flux export and import: Apache Storm Flux's class
// names, grouping types and the settings that have a Storm name.
//
// Flux (storm/flux, its README) describes a topology in YAML: `name`,
// `config`, `spouts` and `bolts` (each `id`, `className`, `constructorArgs`,
// `configMethods`, `parallelism`, `config`) and `streams` (`from`, `to`,
// `grouping` with `type`, `args`, `streamId`). Built-ins travel as shell
// components running `smc component NAME --param KEY=VALUE`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/catalog.h"
#include "dsl/graph.h"

namespace smc::flux {

inline constexpr std::string_view kShellSpoutClass = "org.apache.storm.flux.wrappers.spouts.FluxShellSpout";
inline constexpr std::string_view kShellBoltClass = "org.apache.storm.flux.wrappers.bolts.FluxShellBolt";
inline constexpr std::string_view kLogInfoBoltClass = "org.apache.storm.flux.wrappers.bolts.LogInfoBolt";

/// Flux's grouping type for an smc grouping ("SHUFFLE", "FIELDS", ...);
/// empty for kCustom (a registered smc grouping has no Java class).
std::string_view FluxGroupingType(GroupingKind k);
/// The smc grouping of a Flux type, or nullopt for an unknown one (and CUSTOM).
std::optional<GroupingKind> GroupingFromFlux(std::string_view type);

/// How one smc setting is written in Flux's `config`.
struct StormSetting {
  std::string_view smc;    // "max.pending"
  std::string_view storm;  // "topology.max.spout.pending"
  int64_t unit_ns = 0;     // durations: nanoseconds per Storm unit (1e9: seconds); 0: not a duration
};

/// The Storm name of an smc setting, or null when it has none (it is then
/// written as "smc.KEY", which Storm passes through unvalidated).
const StormSetting* StormName(std::string_view smc_key);
/// The smc setting a Storm config key names, or null.
const StormSetting* FromStormName(std::string_view storm_key);

/// The prefix of settings without a Storm name: "smc.".
inline constexpr std::string_view kSmcPrefix = "smc.";

/// The signature `smc component NAME --param ...` serves as `kind`: the
/// built-in NAME's or, for a stand-in (`plugin`), that of the component its
/// `component` param names in the library its `library` param names (a
/// relative path is taken from the current folder). Null when there is none,
/// with `error` set when a stand-in's library or component is the reason.
const ComponentSpec* ServedSignature(ComponentKind kind, const std::string& name,
                                     const std::vector<std::string>& params, std::string* error);

}  // namespace smc::flux
