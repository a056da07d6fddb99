#include "dsl/template.h"

#include <set>

#include "dsl/suggest.h"

namespace smc {

std::string SubstituteParams(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t at = text.find("${", pos);
    if (at == std::string::npos) break;
    size_t close = text.find('}', at + 2);
    if (close == std::string::npos) break;
    auto it = values.find(text.substr(at + 2, close - at - 2));
    if (it == values.end()) {
      out.append(text, pos, at + 2 - pos);
      pos = at + 2;
      continue;
    }
    out.append(text, pos, at - pos);
    out += it->second;
    pos = close + 1;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

Value SubstituteParams(const Value& v, const std::map<std::string, std::string>& values) {
  if (v.is_string()) return Value::String(SubstituteParams(v.str, values));
  if (v.type != ValueType::kList) return v;
  std::vector<Value> items;
  items.reserve(v.list.size());
  for (const Value& item : v.list) {
    // Lists in task arguments are flat (run's params); a nested one is kept whole.
    items.push_back(item.is_string() ? Value::String(SubstituteParams(item.str, values)) : item);
  }
  return Value::List(std::move(items));
}

std::optional<std::map<std::string, std::string>> BindTemplateArgs(
    const GraphTemplate& t, const std::vector<std::pair<std::string, std::string>>& args, std::string* error) {
  std::vector<std::string> names;
  for (const GraphTemplateParam& p : t.params) names.push_back(p.name);
  std::map<std::string, std::string> out;
  std::string problems;
  auto problem = [&](const std::string& text) { problems += (problems.empty() ? "" : "\n") + text; };
  bool unknown = false;
  for (const auto& [name, value] : args) {
    bool known = false;
    for (const std::string& n : names) known |= n == name;
    if (!known) {
      problem("'" + t.name + "' has no parameter '" + name + "'" + DidYouMean(name, names));
      unknown = true;
    } else if (!out.emplace(name, value).second) {
      problem("duplicate argument '" + name + "'");
    }
  }
  for (const GraphTemplateParam& p : t.params) {
    if (out.count(p.name)) continue;
    if (p.default_value)
      out[p.name] = *p.default_value;
    else if (!unknown)
      problem("missing required argument '" + p.name + "' of '" + t.name + "'");
  }
  if (!problems.empty()) {
    *error = problems;
    return std::nullopt;
  }
  return out;
}

GraphTask InstantiateTemplate(const GraphTemplate& t, const std::map<std::string, std::string>& values,
                              const std::string& name) {
  GraphTask task = t.body;
  task.name = name;
  for (auto& [key, value] : task.args) value = SubstituteParams(value, values);
  return task;
}

std::optional<GraphTemplate> FindServable(const GraphTaskGraph& tg, const std::string& name) {
  for (const GraphTemplate& t : tg.templates) {
    if (t.name == name) return t;
  }
  for (const GraphTask& task : tg.tasks) {
    if (task.name == name) return GraphTemplate{task.name, {}, task};
  }
  return std::nullopt;
}

std::vector<std::string> ServableNames(const GraphTaskGraph& tg) {
  std::vector<std::string> v;
  for (const GraphTemplate& t : tg.templates) v.push_back(t.name);
  for (const GraphTask& task : tg.tasks) v.push_back(task.name);
  return v;
}

}  // namespace smc
