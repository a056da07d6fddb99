// top(n, key): the n most frequent keys.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec TopSpec() {
  ComponentSpec s;
  s.name = "top";
  s.kind = ComponentKind::kBolt;
  s.summary = "ranks keys by how often they occur (or by a numeric field) and emits the first n";
  s.params = {Optional("n", ParamType::kInt, Value::Int(10), "how many keys to emit"),
              Required("key", ParamType::kField, "the field to rank"),
              Optional("by", ParamType::kField, Value::String(""),
                       "a numeric field holding each key's latest score; empty (the default) counts occurrences"),
              Choice("emit", {"end", "tick"}, "end", "end: once, when the input ends; tick: the ranking on every tick")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    std::string key = StringArg(args, "key"), by = StringArg(args, "by");
    if (args.at("n").num < 1) {
      *error = "'n' must be at least 1, got " + args.at("n").ToText();
      *error_arg = "n";
      return false;
    }
    std::string score = by.empty() ? "count" : by;
    if (score == key) {
      *error = "the key and the score cannot both be '" + key + "'";
      *error_arg = "key";
      return false;
    }
    *out = {{"default", {key, score}}};
    return true;
  };
  s.outputs_doc = "(KEY, count), or (KEY, BY) with 'by'; highest first";
  return s;
}

}  // namespace smc::stdlib
