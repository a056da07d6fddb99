// identity(): passes every tuple on unchanged.
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
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

namespace {
class Identity : public rt::Component {
 public:
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kStateless, {}}; }
  void Execute(const rt::Batch& b, int, rt::Emitter& out) override { out.PassAll(0, b); }
};
}  // namespace

std::unique_ptr<rt::Component> MakeIdentity() {
  return std::make_unique<Identity>();
}

}  // namespace smc::stdlib
