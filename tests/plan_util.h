// One helper for C++ tests: a plan from .topo text, validated against the
// standard catalog (or another). Fails the test with the diagnostics if the
// text is not valid.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "dsl/diagnostic.h"
#include "dsl/parser.h"
#include "dsl/validator.h"
#include "runtime/plan.h"
#include "stdlib/builtins.h"

namespace smc::test {

/// Parses, validates and compiles `text` (named `t.topo`).
inline rt::Plan PlanOf(const std::string& text, const Catalog& catalog = StandardCatalog()) {
  auto src = std::make_shared<SourceFile>("t.topo", text);
  Diagnostics d;
  ast::File f = Parse(src, &d);
  REQUIRE_MESSAGE(!d.HasErrors(), RenderAll(d));
  Graph g = Validate(f, catalog, {}, &d);
  REQUIRE_MESSAGE(!d.HasErrors(), RenderAll(d));
  return rt::Compile(g);
}

/// The index of component `name` in topology `t`.
inline int ComponentIndex(const rt::PlanTopology& t, const std::string& name) {
  for (size_t i = 0; i < t.components.size(); ++i) {
    if (t.components[i].name == name) return static_cast<int>(i);
  }
  FAIL("no component " << name);
  return -1;
}

}  // namespace smc::test
