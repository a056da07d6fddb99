// stdin(): reads standard input, one record per line.
#include "stdlib/builtins.h"
#include "stdlib/formats.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec StdinSpec() {
  ComponentSpec s;
  s.name = "stdin";
  s.kind = ComponentKind::kSpout;
  s.summary = "reads standard input, one record per line, until it ends";
  s.params = {FormatParam("lines"), FieldsParam()};
  s.outputs = ReaderOutputs;
  s.outputs_doc = kReaderOutputsDoc;
  s.max_parallelism = 1;
  return s;
}

}  // namespace smc::stdlib
