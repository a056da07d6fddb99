// exec(command): a long-running line filter per instance.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec ExecSpec() {
  ComponentSpec s;
  s.name = "exec";
  s.kind = ComponentKind::kBolt;
  s.summary = "pipes each tuple's first field as a line through a command; each output line is a tuple";
  s.params = {Required("command", ParamType::kString, "the command line, run by /bin/sh in the .topo file's folder")};
  s.outputs = FixedOutputs({{"default", {"line"}}, ErrorsStream()});
  s.outputs_doc = "(line); errors(input, reason) when the command fails";
  return s;
}

}  // namespace smc::stdlib
