// Extensions (runtime/extensions.h): the standard library's catalog and
// registry come from one table and agree; a test adds a component of its own
// through the same seam, validates text that uses it and runs it.
#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <sstream>
#include <string>

#include "runtime/job.h"
#include "stdlib/builtins.h"
#include "tests/plan_util.h"

TEST_CASE("extensions: every built-in in the catalog has an implementation of its kind, and nothing else does") {
  const smc::rt::Extensions& ext = smc::StandardExtensions();
  size_t spouts = 0, others = 0;
  for (const auto& spec : ext.catalog.components()) {
    CAPTURE(spec->name);
    if (spec->kind == smc::ComponentKind::kSpout) {
      CHECK(ext.registry.FindSpout(spec->name) != nullptr);
      ++spouts;
    } else {
      CHECK(ext.registry.FindComponent(spec->kind, spec->name) != nullptr);
      ++others;
    }
  }
  CHECK(spouts == 10);  // amqp, kafka and plugin spouts included
  CHECK(others == 23);  // amqp and kafka sinks, window, plugin bolt and sink included
  for (const auto& g : ext.catalog.groupings()) CHECK(ext.registry.FindGrouping(g->name) != nullptr);
  CHECK(ext.registry.FindSpout("identity") == nullptr);
  CHECK(ext.registry.FindComponent(smc::ComponentKind::kSink, "identity") == nullptr);
  CHECK(&smc::StandardCatalog() == &ext.catalog);
  CHECK(&smc::StandardRegistry() == &ext.registry);
}

TEST_CASE("extensions: a spec and a factory of different kinds are refused") {
  smc::rt::Extensions ext;
  smc::ComponentSpec bolt;
  bolt.name = "b";
  bolt.kind = smc::ComponentKind::kBolt;
  CHECK_THROWS_WITH(ext.Add(bolt, smc::rt::SpoutFactory([] { return std::unique_ptr<smc::rt::Spout>(); })),
                    "'b' is not a spout");
  smc::ComponentSpec spout;
  spout.name = "s";
  spout.kind = smc::ComponentKind::kSpout;
  CHECK_THROWS_WITH(ext.Add(spout, smc::rt::ComponentFactory([] { return std::unique_ptr<smc::rt::Component>(); })),
                    "'s' is a spout");
}

namespace {
std::atomic<int> g_twice_seen{0};
class Twice : public smc::rt::Component {
 public:
  void Execute(const smc::rt::Batch& b, int, smc::rt::Emitter& out) override {
    g_twice_seen += static_cast<int>(b.size());
    out.EmitAll(0, b);
    out.EmitAll(0, b);
  }
};
}  // namespace

TEST_CASE("extensions: a component added by a test is validated and run like a built-in") {
  smc::rt::Extensions ext;
  smc::AddBuiltins(&ext);
  smc::ComponentSpec spec = smc::stdlib::IdentitySpec();
  spec.name = "twice";
  ext.Add(spec, smc::rt::ComponentFactory([] { return std::make_unique<Twice>(); }));
  smc::rt::Plan plan = smc::test::PlanOf(
      "topology t {\n spout s = generate(count: 100)\n bolt w = twice() x2 <- s shuffle\n sink o = null() <- w "
      "shuffle\n}\n",
      ext.catalog);
  std::ostringstream diag;
  smc::rt::JobResult r = smc::rt::RunTopology(plan, 0, ext.registry, {}, diag);
  CHECK(r.outcome == smc::rt::Outcome::kOk);
  CHECK(diag.str() == "");
  CHECK(g_twice_seen.load() == 100);
  REQUIRE(r.metrics.components.size() == 3);
  CHECK(r.metrics.components[2].executed == 200);
}
