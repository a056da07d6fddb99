#include "dsl/catalog.h"

#include <algorithm>

namespace smc {

std::string_view KindName(ComponentKind k) {
  switch (k) {
    case ComponentKind::kSpout: return "spout";
    case ComponentKind::kBolt: return "bolt";
    case ComponentKind::kSink: return "sink";
  }
  return "component";
}

std::string_view ParamTypeDescription(ParamType t) {
  switch (t) {
    case ParamType::kString: return "a string";
    case ParamType::kInt: return "an integer";
    case ParamType::kFloat: return "a number";
    case ParamType::kBool: return "a boolean";
    case ParamType::kDuration: return "a duration";
    case ParamType::kSize: return "a size";
    case ParamType::kStringList: return "a list of strings";
    case ParamType::kField: return "a field name";
    case ParamType::kFieldList: return "a list of field names";
    case ParamType::kEnum: return "a string";
    case ParamType::kStringOrList: return "a string or a list of strings";
    case ParamType::kIntList: return "a list of integers";
    case ParamType::kDurationOrInt: return "a duration or an integer";
  }
  return "a value";
}

void Catalog::Add(ComponentSpec spec) {
  components_.push_back(std::make_unique<ComponentSpec>(std::move(spec)));
}

void Catalog::AddGrouping(GroupingSpec spec) {
  groupings_.push_back(std::make_unique<GroupingSpec>(std::move(spec)));
}

void Catalog::AddTask(TaskSpec spec) {
  tasks_.push_back(std::make_unique<TaskSpec>(std::move(spec)));
}

const TaskSpec* Catalog::FindTask(std::string_view name) const {
  for (const auto& t : tasks_) {
    if (t->name == name) return t.get();
  }
  return nullptr;
}

const ComponentSpec* Catalog::Find(ComponentKind kind, std::string_view name) const {
  for (const auto& c : components_) {
    if (c->kind == kind && c->name == name) return c.get();
  }
  return nullptr;
}

std::vector<const ComponentSpec*> Catalog::FindAnyKind(std::string_view name) const {
  std::vector<const ComponentSpec*> out;
  for (const auto& c : components_) {
    if (c->name == name) out.push_back(c.get());
  }
  return out;
}

const GroupingSpec* Catalog::FindGrouping(std::string_view name) const {
  for (const auto& g : groupings_) {
    if (g->name == name) return g.get();
  }
  return nullptr;
}

std::vector<std::string> Catalog::Names() const {
  std::vector<std::string> out;
  for (const auto& c : components_) out.push_back(c->name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace smc
