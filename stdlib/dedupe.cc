// dedupe(key): drops tuples whose key was seen before.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec DedupeSpec() {
  ComponentSpec s;
  s.name = "dedupe";
  s.kind = ComponentKind::kBolt;
  s.summary = "passes the first tuple of each key and drops the repeats";
  s.params = {Optional("key", ParamType::kField, "the field that identifies a tuple; default: the first input field"),
              Optional("window", ParamType::kInt, Value::Int(0),
                       "remember only the latest this many keys; 0 (the default) remembers all")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    if (args.at("window").num < 0) {
      *error = "'window' cannot be negative";
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
