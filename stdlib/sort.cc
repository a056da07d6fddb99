// sort(key, window): keeps a rolling window of tuples and emits it sorted.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec SortSpec() {
  ComponentSpec s;
  s.name = "sort";
  s.kind = ComponentKind::kBolt;
  s.summary = "keeps the last 'window' tuples and emits them sorted on every tick and at the end";
  s.params = {Optional("key", ParamType::kField, "the field to sort by; default: the first input field"),
              Optional("window", ParamType::kInt, Value::Int(100), "how many of the latest tuples to keep"),
              Choice("order", {"asc", "desc"}, "asc", "ascending or descending")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    if (args.at("window").num < 1) {
      *error = "'window' must be at least 1, got " + args.at("window").ToText();
      *error_arg = "window";
      return false;
    }
    *out = {{"default", in}};
    return true;
  };
  s.outputs_doc = "the input fields";
  s.passthrough = true;
  return s;
}

}  // namespace smc::stdlib
