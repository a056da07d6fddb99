// smc check FILE...: validate topologies and report every problem.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/frontend.h"

namespace smc {

void SetupCheck(CLI::App& app, CheckOptions& opts) {
  app.add_option("files", opts.files, "the .topo files to check ('-' reads standard input)")->required();
  app.add_option("-p,--param", opts.params, "override a parameter: NAME=VALUE (repeatable)")->allow_extra_args(false);
}

int RunCheck(const CheckOptions& opts, std::ostream&, std::ostream& err) {
  auto overrides = ParseOverrides(opts.params, err);
  if (!overrides) return kExitUsage;
  int status = kExitOk;
  std::vector<Loaded> loaded;
  for (const std::string& path : opts.files) {
    loaded.push_back(LoadFile(path, *overrides));
    Loaded& l = loaded.back();
    Report(l.diags, err);
    if (!l.opened)
      status = kExitNoInput;
    else if (l.diags.HasErrors() && status == kExitOk)
      status = UsageOrDataError(l.diags);
  }
  std::vector<const ast::File*> files;
  for (const Loaded& l : loaded) {
    if (l.opened) files.push_back(&l.ast);
  }
  Diagnostics cmdline;
  if (!files.empty()) CheckOverrides(files, *overrides, &cmdline);
  Report(cmdline, err);
  if (cmdline.HasErrors() && status == kExitOk) status = kExitUsage;
  return status;
}

}  // namespace smc
