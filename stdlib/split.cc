// split(field): splits a text field into words.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec SplitSpec() {
  ComponentSpec s;
  s.name = "split";
  s.kind = ComponentKind::kBolt;
  s.summary = "emits one tuple per word of a text field";
  s.params = {Optional("field", ParamType::kField, "the field to split; default: the first input field"),
              Optional("sep", ParamType::kString, Value::String(""),
                       "the separator; empty (the default) splits on runs of whitespace")};
  s.outputs = FixedOutputs({{"default", {"word"}}});
  s.outputs_doc = "(word)";
  return s;
}

}  // namespace smc::stdlib
