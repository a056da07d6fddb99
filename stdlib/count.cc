// count(key): counts tuples per key.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec CountSpec() {
  ComponentSpec s;
  s.name = "count";
  s.kind = ComponentKind::kBolt;
  s.summary = "counts tuples per value of a key field";
  s.params = {Required("key", ParamType::kField, "the field to count by"),
              Choice("emit", {"end", "each", "tick"}, "end",
                     "end: every total when the input ends; each: the new total after every tuple; "
                     "tick: the totals changed since the last tick, on each tick")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    std::string key = StringArg(args, "key");
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
