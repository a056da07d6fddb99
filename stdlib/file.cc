// file(path): reads a file as a spout, or writes one as a sink.
#include "stdlib/builtins.h"
#include "stdlib/formats.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec FileSpoutSpec() {
  ComponentSpec s;
  s.name = "file";
  s.kind = ComponentKind::kSpout;
  s.summary = "reads a file, one record per line, until its end";
  s.params = {Required("path", ParamType::kString, "the file to read, relative to the working directory"),
              FormatParam("lines"), FieldsParam()};
  s.outputs = ReaderOutputs;
  s.outputs_doc = kReaderOutputsDoc;
  s.max_parallelism = 1;
  return s;
}

ComponentSpec FileSinkSpec() {
  ComponentSpec s;
  s.name = "file";
  s.kind = ComponentKind::kSink;
  s.summary = "writes every tuple it receives to a file, one per line";
  s.params = {Required("path", ParamType::kString, "the file to write (created or truncated)"), FormatParam("tsv")};
  s.max_parallelism = 1;
  return s;
}

}  // namespace smc::stdlib
