// identity(): passes every tuple on unchanged.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec IdentitySpec() {
  ComponentSpec s;
  s.name = "identity";
  s.kind = ComponentKind::kBolt;
  s.summary = "passes every tuple on unchanged";
  s.outputs = PassthroughOutputs();
  s.outputs_doc = "the input fields";
  s.passthrough = true;
  return s;
}

}  // namespace smc::stdlib
