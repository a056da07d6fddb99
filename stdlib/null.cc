// null(): discards tuples.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec NullSpec() {
  ComponentSpec s;
  s.name = "null";
  s.kind = ComponentKind::kSink;
  s.summary = "discards every tuple it receives (for benchmarks and tests)";
  return s;
}

namespace {
class NullSink : public rt::Component {
 public:
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kStateless, {}}; }
  void Execute(const rt::Batch&, int, rt::Emitter&) override {}
};
}  // namespace

std::unique_ptr<rt::Component> MakeNullSink() {
  return std::make_unique<NullSink>();
}

}  // namespace smc::stdlib
