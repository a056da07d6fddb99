// generate(count, rate): emits consecutive integers.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec GenerateSpec() {
  ComponentSpec s;
  s.name = "generate";
  s.kind = ComponentKind::kSpout;
  s.summary = "emits the integers start, start+1, ...; instances share the range";
  s.params = {Optional("count", ParamType::kInt, Value::Int(0), "how many to emit in all; 0 means no end"),
              Optional("rate", ParamType::kInt, Value::Int(0), "tuples per second in all; 0 means as fast as possible"),
              Optional("start", ParamType::kInt, Value::Int(0), "the first integer")};
  s.outputs = FixedOutputs({{"default", {"n"}}});
  s.outputs_doc = "(n)";
  return s;
}

}  // namespace smc::stdlib
