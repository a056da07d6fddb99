// sample(rate): keeps a random fraction of the tuples.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec SampleSpec() {
  ComponentSpec s;
  s.name = "sample";
  s.kind = ComponentKind::kBolt;
  s.summary = "keeps each tuple with a given probability";
  s.params = {Optional("rate", ParamType::kFloat, Value::Float(0.1), "the fraction to keep, above 0 and at most 1"),
              Optional("seed", ParamType::kInt, Value::Int(1), "seed of the random choice")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    double rate = args.at("rate").AsDouble();
    if (!(rate > 0 && rate <= 1)) {
      *error = "'rate' must be above 0 and at most 1, got " + args.at("rate").ToText();
      *error_arg = "rate";
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
