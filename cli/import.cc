// smc import --flux FILE.yaml: an Apache Storm Flux definition as a .topo
// file (cli/flux/flux_import.h), checked as `smc check` would before it is written.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/exit_codes.h"
#include "cli/flux/flux_import.h"
#include "cli/flux_cli.h"
#include "cli/flux_write.h"
#include "cli/frontend.h"
#include "dsl/parser.h"
#include "dsl/validator.h"
#include "stdlib/builtins.h"

namespace smc {

void SetupImport(CLI::App& app, ImportOptions& opts) {
  app.add_flag("--flux", opts.flux, "read an Apache Storm Flux YAML definition (the only format)")->required();
  app.add_option("file", opts.file, "the Flux YAML file ('-' reads standard input)")->required();
  app.add_option("-o,--output", opts.output, "write the .topo text to this file (default: standard output)");
  app.add_flag("--as-shell", opts.as_shell,
               "keep 'smc component NAME' commands as shell(...), run as Storm runs them, instead of built-ins");
}

int RunImport(const ImportOptions& opts, std::ostream& out, std::ostream& err) {
  std::string text;
  std::string shown = opts.file == "-" ? "standard input" : "'" + opts.file + "'";
  struct stat st {};
  bool is_dir = opts.file == "-" ? (::fstat(0, &st) == 0 && S_ISDIR(st.st_mode))
                                 : (::stat(opts.file.c_str(), &st) == 0 && S_ISDIR(st.st_mode));
  if (is_dir) {
    err << "smc import: error: cannot read " << shown << ": " << std::strerror(EISDIR) << "\n";
    return kExitNoInput;
  }
  {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (opts.file != "-") {
      file.open(opts.file, std::ios::binary);
      if (!file) {
        err << "smc import: error: cannot open " << shown << ": " << std::strerror(errno) << "\n";
        return kExitNoInput;
      }
      in = &file;
    }
    // Read one byte past the limit, no more: the importer reports the size.
    text.resize(flux::kMaxFluxBytes + 1);
    in->read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in->bad()) {
      err << "smc import: error: cannot read " << shown << ": " << std::strerror(errno) << "\n";
      return kExitNoInput;
    }
    text.resize(static_cast<size_t>(in->gcount()));
  }
  auto yaml = std::make_shared<SourceFile>(opts.file == "-" ? "<stdin>" : opts.file, std::move(text));
  Diagnostics diags;
  std::string topo;
  flux::ImportOptions io;
  io.as_shell = opts.as_shell;
  bool ok = flux::ImportFlux(yaml, io, &diags, &topo);
  Report(diags, err);
  if (!ok) return kExitDataErr;

  // The normal checker on what was written, named as the file it becomes.
  Diagnostics check;
  auto source =
      std::make_shared<SourceFile>(opts.output.empty() || opts.output == "-" ? "<import>" : opts.output, topo);
  ast::File file = Parse(source, &check);
  if (!check.HasErrors()) Validate(file, StandardCatalog(), {}, &check);
  Report(check, err);
  if (check.HasErrors()) {
    err << "smc import: error: the imported topology does not check; nothing written\n";
    return kExitDataErr;
  }
  return WriteOutput("import", opts.output, topo, out, err) ? kExitOk : kExitIoErr;
}

}  // namespace smc
