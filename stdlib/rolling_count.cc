// rolling_count(key, window): counts per key over a sliding time window.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec RollingCountSpec() {
  ComponentSpec s;
  s.name = "rolling_count";
  s.kind = ComponentKind::kBolt;
  s.summary = "counts tuples per key over a sliding time window, emitting the counts on every tick";
  s.params = {Required("key", ParamType::kField, "the field to count by"),
              Optional("window", ParamType::kDuration, Value::Duration(60'000'000'000), "the window's length")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    std::string key = StringArg(args, "key");
    if (args.at("window").num <= 0) {
      *error = "'window' must be positive";
      *error_arg = "window";
      return false;
    }
    if (key == "count") {
      *error = "the key cannot be named 'count', the name of the output's count field";
      *error_arg = "key";
      return false;
    }
    *out = {{"default", {key, "count"}}};
    return true;
  };
  s.outputs_doc = "(KEY, count)";
  return s;
}

}  // namespace smc::stdlib
