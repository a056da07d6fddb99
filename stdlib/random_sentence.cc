// random_sentence(): the Storm WordCount spout's five sentences, at random.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec RandomSentenceSpec() {
  ComponentSpec s;
  s.name = "random_sentence";
  s.kind = ComponentKind::kSpout;
  s.summary = "emits sentences chosen at random from Storm's WordCount example";
  s.params = {Optional("count", ParamType::kInt, Value::Int(0), "how many to emit in all; 0 means no end"),
              Optional("rate", ParamType::kInt, Value::Int(0), "sentences per second; 0 means as fast as possible"),
              Optional("seed", ParamType::kInt, Value::Int(1), "seed of the random choice (runs repeat exactly)")};
  s.outputs = FixedOutputs({{"default", {"sentence"}}});
  s.outputs_doc = "(sentence)";
  return s;
}

}  // namespace smc::stdlib
