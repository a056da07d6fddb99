// smc check FILE...: validate topologies and report every problem.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/frontend.h"
#include "runtime/json_text.h"

namespace smc {

void SetupCheck(CLI::App& app, CheckOptions& opts) {
  app.add_option("files", opts.files, "the .topo files to check ('-' reads standard input)")->required();
  app.add_option("-p,--param", opts.params, "override a parameter: NAME=VALUE (repeatable)")->allow_extra_args(false);
  app.add_option("--params", opts.params_file,
                 "read parameters from FILE: one NAME=VALUE a line ('#' comments); -p wins over it");
  app.add_flag("--werror", opts.werror, "treat warnings as errors (exit status 65)");
  app.add_option("--format", opts.format,
                 "text (the default: GNU-style diagnostics on standard error) or json (a JSON array of "
                 "diagnostics on standard output)")
      ->check(CLI::IsMember({"text", "json"}));
}

namespace {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

// {"file": F, "line": L, "column": C, "end_line": L2, "end_column": C2,
//  "severity": S, "message": M, "notes": [...]}; file and positions are
// null for a problem of the command line. Columns are 1-based bytes; the
// end is exclusive.
void AppendJson(const Diagnostic& d, std::string* out) {
  *out += "{\"file\": ";
  if (d.file) {
    rt::AppendJsonString(d.file->path(), out);
    LineColumn b = d.file->Locate(d.range.begin), e = d.file->Locate(d.range.end);
    *out += ", \"line\": " + std::to_string(b.line) + ", \"column\": " + std::to_string(b.column) +
            ", \"end_line\": " + std::to_string(e.line) + ", \"end_column\": " + std::to_string(e.column);
  } else {
    *out += "null, \"line\": null, \"column\": null, \"end_line\": null, \"end_column\": null";
  }
  *out += ", \"severity\": \"" + std::string(SeverityName(d.severity)) + "\", \"message\": ";
  rt::AppendJsonString(d.message, out);
  *out += ", \"notes\": [";
  for (size_t i = 0; i < d.notes.size(); ++i) {
    if (i) *out += ", ";
    AppendJson(d.notes[i], out);
  }
  *out += "]}";
}

bool HasWarnings(const Diagnostics& diags) {
  for (const Diagnostic& d : diags.all()) {
    if (d.severity == Severity::kWarning) return true;
  }
  return false;
}

}  // namespace

int RunCheck(const CheckOptions& opts, std::ostream& out, std::ostream& err) {
  int status = kExitOk;
  std::vector<std::string> params = WithParamsFile(opts.params_file, opts.params, err, &status);
  if (status != kExitOk) return status;
  auto overrides = ParseOverrides(params, err);
  if (!overrides) return kExitUsage;
  const bool json = opts.format == "json";
  std::vector<const Diagnostics*> all;  // for json, in order
  bool warned = false;
  std::vector<Loaded> loaded;
  loaded.reserve(opts.files.size());
  for (const std::string& path : opts.files) {
    loaded.push_back(LoadFile(path, *overrides));
    Loaded& l = loaded.back();
    if (!json) Report(l.diags, err);
    all.push_back(&l.diags);
    warned = warned || HasWarnings(l.diags);
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
  if (!json) Report(cmdline, err);
  all.push_back(&cmdline);
  warned = warned || HasWarnings(cmdline);
  if (cmdline.HasErrors() && status == kExitOk) status = kExitUsage;
  if (opts.werror && warned && status == kExitOk) status = kExitDataErr;
  if (json) {
    std::string text = "[";
    bool first = true;
    for (const Diagnostics* ds : all) {
      for (const Diagnostic& d : ds->all()) {
        text += first ? "\n  " : ",\n  ";
        first = false;
        AppendJson(d, &text);
      }
    }
    text += first ? "]\n" : "\n]\n";
    out << text << std::flush;
  }
  return status;
}

}  // namespace smc
