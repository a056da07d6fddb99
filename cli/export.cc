// smc export --flux FILE.topo: a topology as an Apache Storm Flux definition (cli/flux/flux_export.h).
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/flux/flux_export.h"
#include "cli/flux_cli.h"
#include "cli/flux_write.h"
#include "cli/frontend.h"

namespace smc {

void SetupExport(CLI::App& app, ExportOptions& opts) {
  app.add_flag("--flux", opts.flux, "write an Apache Storm Flux YAML definition (the only format)")->required();
  app.add_option("file", opts.file, "the .topo file to export ('-' reads standard input)")->required();
  app.add_option("--topology", opts.topology, "the topology to export, when the file has several");
  app.add_option("-o,--output", opts.output, "write the YAML to this file (default: standard output)");
  app.add_option("-p,--param", opts.params, "override a parameter: NAME=VALUE (repeatable)")->allow_extra_args(false);
}

int RunExport(const ExportOptions& opts, std::ostream& out, std::ostream& err) {
  auto overrides = ParseOverrides(opts.params, err);
  if (!overrides) return kExitUsage;
  // Checked as `smc check` does, less "has no sink": a Storm topology needs none.
  Loaded l = LoadFile(opts.file, *overrides);
  Diagnostics shown;
  for (const Diagnostic& d : l.diags.all()) {
    bool no_sink = d.severity == Severity::kWarning && d.message.size() > 12 &&
                   d.message.compare(d.message.size() - 12, 12, " has no sink") == 0;
    if (!no_sink) shown.Add(d);
  }
  Report(shown, err);
  if (!l.opened) return kExitNoInput;
  if (l.diags.HasErrors()) return UsageOrDataError(l.diags);
  Diagnostics cmdline;
  CheckOverrides({&l.ast}, *overrides, &cmdline);
  Report(cmdline, err);
  if (cmdline.HasErrors()) return kExitUsage;
  const GraphTopology* chosen = nullptr;
  std::string names;
  for (const GraphTopology& t : l.graph.topologies) {
    names += (names.empty() ? "'" : ", '") + t.name + "'";
    if (t.name == opts.topology) chosen = &t;
  }
  if (!opts.topology.empty() && !chosen) {
    err << "smc export: error: no topology '" << opts.topology << "' in '" << opts.file << "'"
        << (names.empty() ? "" : " (it has " + names + ")") << "\n";
    return kExitUsage;
  }
  if (!chosen) {
    if (l.graph.topologies.empty()) {
      err << "smc export: error: '" << opts.file << "' has no topology to export\n";
      return kExitDataErr;
    }
    if (l.graph.topologies.size() > 1) {
      err << "smc export: error: '" << opts.file << "' has several topologies (" << names
          << "); choose one with --topology\n";
      return kExitUsage;
    }
    chosen = &l.graph.topologies[0];
  }
  Diagnostics diags;
  std::string yaml;
  bool ok = flux::ExportFlux(l.graph, *chosen, &diags, &yaml);
  Report(diags, err);
  if (!ok) return kExitDataErr;
  return WriteOutput("export", opts.output, yaml, out, err) ? kExitOk : kExitIoErr;
}

}  // namespace smc
