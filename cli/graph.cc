// smc graph FILE: draw a topology as Graphviz DOT or text.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/frontend.h"
#include "dsl/graph_dump.h"

namespace smc {

void SetupGraph(CLI::App& app, GraphOptions& opts) {
  app.add_option("file", opts.file, "the .topo file to draw ('-' reads standard input)")->required();
  app.add_option("--format", opts.format, "dot (Graphviz, the default) or text")->check(CLI::IsMember({"dot", "text"}));
  app.add_option("-p,--param", opts.params, "override a parameter: NAME=VALUE (repeatable)")->allow_extra_args(false);
  app.add_option("--params", opts.params_file,
                 "read parameters from FILE: one NAME=VALUE a line ('#' comments); -p wins over it");
}

int RunGraph(const GraphOptions& opts, std::ostream& out, std::ostream& err) {
  int status = kExitOk;
  std::vector<std::string> params = WithParamsFile(opts.params_file, opts.params, err, &status);
  if (status != kExitOk) return status;
  auto overrides = ParseOverrides(params, err);
  if (!overrides) return kExitUsage;
  Loaded l = LoadValid(opts.file, *overrides, err, &status);
  if (status != kExitOk) return status;
  if (l.graph.topologies.empty() && l.graph.task_graphs.empty()) {
    err << "smc: error: '" << opts.file << "' declares no topology and no tasks block: nothing to draw\n";
    return kExitDataErr;
  }
  out << (opts.format == "text" ? GraphToText(l.graph) : GraphToDot(l.graph));
  return kExitOk;
}

}  // namespace smc
