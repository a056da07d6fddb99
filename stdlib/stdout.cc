// stdout(): writes tuples to standard output.
#include "stdlib/builtins.h"
#include "stdlib/formats.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec StdoutSpec() {
  ComponentSpec s;
  s.name = "stdout";
  s.kind = ComponentKind::kSink;
  s.summary = "writes every tuple it receives to standard output, one per line";
  s.params = {FormatParam("tsv")};
  return s;
}

}  // namespace smc::stdlib
