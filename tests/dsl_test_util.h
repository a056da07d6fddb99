// Helpers for the dsl tests: parse and validate text, render diagnostics.
#pragma once

#include <string>

#include "dsl/diagnostic.h"
#include "dsl/graph.h"
#include "dsl/parser.h"
#include "dsl/validator.h"
#include "stdlib/builtins.h"

namespace smc::test {

struct Checked {
  ast::File ast;
  Graph graph;
  Diagnostics diags;
  std::string text() const { return RenderAll(diags); }
};

/// Parses `text` as "t.topo"; validates it when parsing found no error.
inline Checked Check(const std::string& text, const std::vector<ParamOverride>& overrides = {}) {
  Checked c;
  auto source = std::make_shared<SourceFile>("t.topo", text);
  c.ast = Parse(source, &c.diags);
  if (!c.diags.HasErrors()) c.graph = Validate(c.ast, StandardCatalog(), overrides, &c.diags);
  return c;
}

}  // namespace smc::test
