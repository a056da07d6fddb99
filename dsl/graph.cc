#include "dsl/graph.h"

namespace smc {

std::string_view GroupingName(GroupingKind k) {
  switch (k) {
    case GroupingKind::kShuffle: return "shuffle";
    case GroupingKind::kFields: return "fields";
    case GroupingKind::kPartial: return "partial";
    case GroupingKind::kAll: return "all";
    case GroupingKind::kGlobal: return "global";
    case GroupingKind::kDirect: return "direct";
    case GroupingKind::kLocal: return "local";
    case GroupingKind::kNone: return "none";
    case GroupingKind::kCustom: return "custom";
  }
  return "shuffle";
}

int GraphComponent::FindStream(const std::string& stream) const {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].name == stream) return static_cast<int>(i);
  }
  return -1;
}

int GraphTopology::Find(const std::string& component) const {
  for (size_t i = 0; i < components.size(); ++i) {
    if (components[i].name == component) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace smc
