// shell(command): a subprocess speaking Apache Storm's multi-lang protocol.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

namespace {
ComponentSpec ShellSpec(ComponentKind kind) {
  ComponentSpec s;
  s.name = "shell";
  s.kind = kind;
  s.summary = kind == ComponentKind::kSpout ? "a spout written in any language (Storm multi-lang protocol)"
                                            : "a bolt written in any language (Storm multi-lang protocol)";
  s.params = {Required("command", ParamType::kString,
                       "the command line, split like a shell would; run in the .topo file's folder")};
  s.outputs_doc = "as declared with '->'";
  s.outputs_from_arrow = true;
  return s;
}
}  // namespace

ComponentSpec ShellSpoutSpec() { return ShellSpec(ComponentKind::kSpout); }
ComponentSpec ShellBoltSpec() { return ShellSpec(ComponentKind::kBolt); }

}  // namespace smc::stdlib
