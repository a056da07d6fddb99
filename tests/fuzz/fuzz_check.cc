// libFuzzer entry point: the input bytes are one .topo file, run through what
// `smc check` does (cli/frontend.cc LoadFile + Report) and, when the file is
// valid, through both graph renderers of `smc graph`; the same bytes are also
// read as one `-p NAME=VALUE` value (ParseLiteral).
//
// Anything ASan/UBSan/libFuzzer reports (crash, leak, UB, timeout) is a bug:
// every input must end in diagnostics, never in undefined behaviour.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/diagnostic.h"
#include "dsl/graph.h"
#include "dsl/graph_dump.h"
#include "dsl/parser.h"
#include "dsl/source.h"
#include "dsl/validator.h"
#include "stdlib/builtins.h"

namespace {

// Keeps results observable so the optimiser cannot drop the work.
volatile size_t g_sink = 0;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto source = std::make_shared<smc::SourceFile>("fuzz.topo", std::move(text));

  if (std::optional<smc::Value> v = smc::ParseLiteral(source->text())) g_sink = g_sink + v->ToSource().size();

  smc::Diagnostics diags;
  smc::ast::File file = smc::Parse(source, &diags);
  smc::Graph graph;
  bool validated = false;
  if (!diags.HasErrors()) {
    static const std::vector<smc::ParamOverride> kNoOverrides;
    graph = smc::Validate(file, smc::StandardCatalog(), kNoOverrides, &diags);
    validated = true;
  }

  std::string rendered = smc::RenderAll(diags);
  g_sink = g_sink + rendered.size();

  if (validated && !diags.HasErrors()) {
    std::string dot = smc::GraphToDot(graph);
    std::string txt = smc::GraphToText(graph);
    g_sink = g_sink + dot.size() + txt.size();
  }
  return 0;
}
