// The command line of Apache Storm Flux: `smc export --flux` (cli/export.cc)
// and `smc import --flux` (cli/import.cc), and `smc component` serving a
// built-in spout (cli/component_spout.cc), which exported spouts run.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "dsl/component_kind.h"

namespace CLI {
class App;
}

namespace smc {

struct ExportOptions {
  std::string file;
  bool flux = false;
  std::string topology;
  std::string output;  // -o; empty: standard output
  std::vector<std::string> params;
};
int RunExport(const ExportOptions& opts, std::ostream& out, std::ostream& err);
void SetupExport(CLI::App& app, ExportOptions& opts);

struct ImportOptions {
  std::string file;
  bool flux = false;
  std::string output;  // -o; empty: standard output
  bool as_shell = false;
};
int RunImport(const ImportOptions& opts, std::ostream& out, std::ostream& err);
void SetupImport(CLI::App& app, ImportOptions& opts);

/// What `smc component NAME` serves: a spout when NAME is a built-in spout
/// and no bolt, unless it is also a sink and --fields is given (then the
/// sink); for a stand-in (`plugin`), the kind of the plugin's component its
/// params name (a sink is served as a bolt that emits nothing); otherwise a
/// bolt.
ComponentKind ServedKind(const ComponentOptions& opts);
/// `smc component NAME` for a built-in spout: Storm's multi-lang spout protocol on stdin/stdout.
int RunComponentSpout(const ComponentOptions& opts, std::ostream& out, std::ostream& err);

}  // namespace smc
