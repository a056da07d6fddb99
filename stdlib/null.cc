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

}  // namespace smc::stdlib
