#include "cli/flux/flux_format.h"

#include <array>

#include "stdlib/builtins.h"

namespace smc::flux {

namespace {
struct GroupingName {
  GroupingKind kind;
  std::string_view flux;
};
constexpr std::array<GroupingName, 8> kGroupings = {{
    {GroupingKind::kShuffle, "SHUFFLE"},
    {GroupingKind::kFields, "FIELDS"},
    {GroupingKind::kPartial, "PARTIAL_KEY"},
    {GroupingKind::kAll, "ALL"},
    {GroupingKind::kGlobal, "GLOBAL"},
    {GroupingKind::kDirect, "DIRECT"},
    {GroupingKind::kLocal, "LOCAL_OR_SHUFFLE"},
    {GroupingKind::kNone, "NONE"},
}};

// Storm's names (storm-client Config.java) for the settings that mean the same
// thing; the units are Storm's (whole seconds, milliseconds).
constexpr std::array<StormSetting, 5> kStormSettings = {{
    {"batch.size", "topology.producer.batch.size", 0},
    {"batch.linger", "topology.batch.flush.interval.millis", 1'000'000},
    {"max.pending", "topology.max.spout.pending", 0},
    {"tick", "topology.tick.tuple.freq.secs", 1'000'000'000},
    {"subprocess.timeout", "topology.subprocess.timeout.secs", 1'000'000'000},
}};
}  // namespace

std::string_view FluxGroupingType(GroupingKind k) {
  for (const GroupingName& g : kGroupings) {
    if (g.kind == k) return g.flux;
  }
  return {};
}

std::optional<GroupingKind> GroupingFromFlux(std::string_view type) {
  for (const GroupingName& g : kGroupings) {
    if (g.flux == type) return g.kind;
  }
  return std::nullopt;
}

const StormSetting* StormName(std::string_view smc_key) {
  for (const StormSetting& s : kStormSettings) {
    if (s.smc == smc_key) return &s;
  }
  return nullptr;
}

const StormSetting* FromStormName(std::string_view storm_key) {
  for (const StormSetting& s : kStormSettings) {
    if (s.storm == storm_key) return &s;
  }
  return nullptr;
}

const ComponentSpec* ServedSignature(ComponentKind kind, const std::string& name,
                                     const std::vector<std::string>& params, std::string* error) {
  const ComponentSpec* spec = StandardCatalog().Find(kind, name);
  if (!spec || !spec->resolve) return spec;
  std::string names[2];  // library, component
  for (const std::string& p : params) {
    size_t eq = p.find('=');
    if (eq == std::string::npos) continue;
    if (p.compare(0, eq, "library") == 0) names[0] = p.substr(eq + 1);
    if (p.compare(0, eq, "component") == 0) names[1] = p.substr(eq + 1);
  }
  for (int k = 0; k < 2; ++k) {
    if (names[k].empty()) {
      *error = "'" + name + "' needs --param " + (k == 0 ? "library=PATH" : "component=NAME");
      return nullptr;
    }
  }
  Resolved<ComponentSpec> found = spec->resolve(kind, names[0], names[1], ".");
  if (!found.spec) *error = found.error;
  return found.spec;
}

}  // namespace smc::flux
