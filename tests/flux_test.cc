// Flux export and import (flux/): export compared key by key with expected
// Flux documents, import(export(t)) validated and compared with t, hostile
// YAML bounded. Files come from tests/flux/ and examples/.
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/flux/flux_export.h"
#include "cli/flux/flux_format.h"
#include "cli/flux/flux_import.h"
#include "dsl_test_util.h"

namespace smc {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path Root() {
  return fs::path(SMC_SOURCE_DIR);
}

// "" when `actual` has exactly the keys and values of `expected`, else the first difference and where.
std::string Compare(const YAML::Node& expected, const YAML::Node& actual, const std::string& path) {
  if (expected.Type() != actual.Type()) return path + ": different kinds of node";
  if (expected.IsScalar()) {
    return expected.Scalar() == actual.Scalar()
               ? ""
               : path + ": '" + actual.Scalar() + "', expected '" + expected.Scalar() + "'";
  }
  if (expected.IsSequence()) {
    if (expected.size() != actual.size()) {
      return path + ": " + std::to_string(actual.size()) + " items, expected " + std::to_string(expected.size());
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      std::string d = Compare(expected[i], actual[i], path + "[" + std::to_string(i) + "]");
      if (!d.empty()) return d;
    }
    return "";
  }
  if (expected.IsMap()) {
    if (expected.size() != actual.size()) {
      return path + ": " + std::to_string(actual.size()) + " keys, expected " + std::to_string(expected.size());
    }
    for (const auto& kv : expected) {
      std::string key = kv.first.Scalar();
      const YAML::Node a = actual[key];
      if (!a) return path + ": no key '" + key + "'";
      std::string d = Compare(kv.second, a, path + "." + key);
      if (!d.empty()) return d;
    }
  }
  return "";
}

std::string StreamText(const GraphTopology& t, const GraphInput& in) {
  const GraphComponent& from = t.components[in.source];
  std::string s = from.name + "." + from.outputs[in.stream].name + " " + std::string(GroupingName(in.grouping.kind));
  for (const std::string& f : in.grouping.fields) s += " " + f;
  return s;
}

// What a component means, as text: equal texts, equal components.
std::string Meaning(const GraphTopology& t, const GraphComponent& c) {
  std::string s = c.name + " " + std::string(KindName(c.kind)) + " " + c.impl + " x" + std::to_string(c.parallelism);
  for (const auto& [k, v] : c.args) s += " " + k + "=" + v.ToSource();
  for (const GraphInput& in : c.inputs) s += " <- " + StreamText(t, in);
  for (const GraphStream& o : c.outputs) {
    s += " -> " + o.name + "(";
    for (const std::string& f : o.fields) s += f + ",";
    s += ")";
  }
  for (const auto& [k, v] : c.settings) s += " {" + k + "=" + v.ToSource() + "}";
  return s;
}

std::vector<std::string> Meanings(const GraphTopology& t) {
  std::vector<std::string> out;
  for (const GraphComponent& c : t.components) out.push_back(Meaning(t, c));
  std::sort(out.begin(), out.end());
  for (const auto& [k, v] : t.settings) out.push_back("set " + k + "=" + v.ToSource());
  return out;
}

std::string Export(const std::string& topo_text, std::string* diagnostics = nullptr) {
  test::Checked c = test::Check(topo_text);
  REQUIRE_MESSAGE(!c.diags.HasErrors(), c.text());
  Diagnostics d;
  std::string yaml;
  bool ok = flux::ExportFlux(c.graph, c.graph.topologies[0], &d, &yaml);
  if (diagnostics) *diagnostics = RenderAll(d);
  return ok ? yaml : "";
}

std::string Import(const std::string& yaml, std::string* diagnostics, bool as_shell = false) {
  Diagnostics d;
  std::string topo;
  flux::ImportOptions opts;
  opts.as_shell = as_shell;
  bool ok = flux::ImportFlux(std::make_shared<SourceFile>("f.yaml", yaml), opts, &d, &topo);
  *diagnostics = RenderAll(d);
  return ok ? topo : "";
}

// import(export(t)) validates to the same topology as t.
void CheckRoundTrip(const std::string& topo_text) {
  std::string yaml = Export(topo_text), why;
  REQUIRE(!yaml.empty());
  std::string back = Import(yaml, &why);
  REQUIRE_MESSAGE(!back.empty(), why);
  test::Checked a = test::Check(topo_text), b = test::Check(back);
  REQUIRE_MESSAGE(!b.diags.HasErrors(), std::string(b.text() + back));
  REQUIRE(a.graph.topologies.size() == 1);
  CHECK(a.graph.topologies[0].name == b.graph.topologies[0].name);
  CHECK(Meanings(a.graph.topologies[0]) == Meanings(b.graph.topologies[0]));
}

}  // namespace

TEST_CASE("flux export: each test topology matches its expected Flux document key by key, and round-trips") {
  int compared = 0;
  for (const auto& entry : fs::directory_iterator(Root() / "tests/flux")) {
    if (entry.path().extension() != ".topo") continue;
    fs::path expected = entry.path();
    expected.replace_extension(".yaml");
    CAPTURE(entry.path().string());
    std::string yaml = Export(Slurp(entry.path()));
    REQUIRE(!yaml.empty());
    std::string d = Compare(YAML::LoadFile(expected.string()), YAML::Load(yaml), "$");
    CHECK_MESSAGE(d.empty(), std::string(d + "\n" + yaml));
    CheckRoundTrip(Slurp(entry.path()));
    ++compared;
  }
  CHECK(compared >= 2);
}

TEST_CASE("flux export: the examples export, or name what stands in the way with a Storm-side replacement") {
  int exported = 0, refused = 0;
  for (const auto& entry : fs::directory_iterator(Root() / "examples")) {
    if (entry.path().extension() != ".topo") continue;
    CAPTURE(entry.path().string());
    test::Checked c = test::Check(Slurp(entry.path()));
    REQUIRE(!c.diags.HasErrors());
    for (const GraphTopology& t : c.graph.topologies) {
      bool local = false;
      for (const GraphComponent& comp : t.components) {
        local |= comp.impl == "stdin" || comp.impl == "stdout" || comp.impl == "file" || comp.impl == "channel" ||
                 comp.impl == "exec" || comp.impl == "null";
      }
      Diagnostics d;
      std::string yaml;
      bool ok = flux::ExportFlux(c.graph, t, &d, &yaml);
      CHECK(ok == !local);
      if (ok) {
        YAML::Node doc = YAML::Load(yaml);
        CHECK(doc["name"].Scalar() == t.name);
        ++exported;
      } else {
        std::string text = RenderAll(d);
        CHECK(text.find("which has no meaning on a Storm cluster") != std::string::npos);
        CHECK((text.find("storm-kafka-client") != std::string::npos ||
               text.find("multi-lang shell bolt") != std::string::npos));
        ++refused;
      }
    }
  }
  CHECK(exported + refused >= 7);  // the topologies of examples/*.topo
}

TEST_CASE("flux export: stdin and stdout are reported with a Kafka replacement, at their line") {
  std::string d;
  std::string yaml = Export(
      "topology t {\n"
      "  spout in = stdin()\n"
      "  bolt s = split(field: \"line\") <- in shuffle\n"
      "  sink out = stdout() <- s shuffle\n"
      "}\n",
      &d);
  CHECK(yaml.empty());
  CHECK(d ==
        "t.topo:2:9: error: 'in' uses stdin(...), which has no meaning on a Storm cluster\n"
        "      spout in = stdin()\n"
        "            ^~\n"
        "t.topo:2:3: note: on Storm, read from a broker: a Kafka spout (org.apache.storm.kafka.spout.KafkaSpout from "
        "storm-kafka-client) or a shell spout\n"
        "      spout in = stdin()\n"
        "      ^~~~~~~~~~~~~~~~~~\n"
        "t.topo:4:8: error: 'out' uses stdout(...), which has no meaning on a Storm cluster\n"
        "      sink out = stdout() <- s shuffle\n"
        "           ^~~\n"
        "t.topo:4:3: note: on Storm, write to a broker: a Kafka bolt (org.apache.storm.kafka.bolt.KafkaBolt from "
        "storm-kafka-client) or a shell bolt\n"
        "      sink out = stdout() <- s shuffle\n"
        "      ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
}

TEST_CASE("flux export: a custom grouping has no Storm counterpart") {
  std::string d;
  CHECK(Export("topology t {\n"
               "  spout g = generate(count: 3)\n"
               "  bolt b = identity() x2 <- g custom modulo(field: \"n\")\n"
               "}\n",
               &d)
            .empty());
  CHECK(d.find("t.topo:3:29: error: custom grouping 'modulo' has no Storm counterpart") == 0);
}

TEST_CASE("flux import: Java components are reported with their line; the rest is not written") {
  std::string d;
  std::string topo = Import(
      "name: t\n"
      "spouts:\n"
      "  - id: s\n"
      "    className: \"org.apache.storm.testing.TestWordSpout\"\n"
      "bolts:\n"
      "  - id: b\n"
      "    className: org.apache.storm.flux.wrappers.bolts.FluxShellBolt\n"
      "    constructorArgs: [[python3, b.py], [word]]\n"
      "streams:\n"
      "  - {from: s, to: b, grouping: {type: SHUFFLE}}\n",
      &d);
  CHECK(topo.empty());
  CHECK(d ==
        "f.yaml:4:16: error: cannot import Java component 'org.apache.storm.testing.TestWordSpout'\n"
        "        className: \"org.apache.storm.testing.TestWordSpout\"\n"
        "                   ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
}

TEST_CASE("flux import: shell components, LogInfoBolt, ids that are not names, settings") {
  std::string d;
  std::string topo = Import(
      "name: my-topology\n"
      "config:\n"
      "  topology.workers: 2\n"
      "  topology.max.spout.pending: 100\n"
      "  topology.tick.tuple.freq.secs: 5\n"
      "spouts:\n"
      "  - id: sentence-spout\n"
      "    className: org.apache.storm.flux.wrappers.spouts.FluxShellSpout\n"
      "    constructorArgs: [[node, randomsentence.js], [word]]\n"
      "bolts:\n"
      "  - id: split.sentence\n"
      "    className: org.apache.storm.flux.wrappers.bolts.FluxShellBolt\n"
      "    constructorArgs: [[sh, -c, \"tr a-z A-Z | it's\"], [word]]\n"
      "    parallelism: 3\n"
      "    config: {topology.tick.tuple.freq.secs: 1}\n"
      "  - id: log\n"
      "    className: org.apache.storm.flux.wrappers.bolts.LogInfoBolt\n"
      "streams:\n"
      "  - {from: sentence-spout, to: split.sentence, grouping: {type: FIELDS, args: [word]}}\n"
      "  - {from: split.sentence, to: log, grouping: {type: SHUFFLE}}\n",
      &d);
  CHECK(topo ==
        "# Imported from the Apache Storm Flux definition f.yaml (smc import --flux)\n"
        "topology my-topology {\n"
        "    set max.pending = 100\n"
        "    spout sentence-spout = shell(\"node randomsentence.js\") -> (word)\n"
        "    bolt  split_sentence = shell(\"sh -c 'tr a-z A-Z | it'\\\\''s'\") x3 <- sentence-spout fields(word) -> "
        "(word) { tick = 1s }\n"
        "    sink  log = stdout() <- split_sentence shuffle { tick = 5s }\n"
        "}\n");
  CHECK(d ==
        "f.yaml:3:3: warning: Storm setting 'topology.workers' has no smc counterpart; ignored\n"
        "      topology.workers: 2\n"
        "      ^~~~~~~~~~~~~~~~\n"
        "f.yaml:11:9: warning: id 'split.sentence' becomes 'split_sentence'\n"
        "      - id: split.sentence\n"
        "            ^~~~~~~~~~~~~~\n");
  test::Checked c = test::Check(topo);
  CHECK_MESSAGE(!c.diags.HasErrors(), c.text());
}

TEST_CASE("flux import: --as-shell keeps smc component commands as shell(...)") {
  std::string yaml = Export("topology t {\n  spout g = generate(count: 3)\n  bolt b = identity() <- g shuffle\n}\n"), d;
  CHECK(Import(yaml, &d, true) ==
        "# Imported from the Apache Storm Flux definition f.yaml (smc import --flux)\n"
        "topology t {\n"
        "    spout g = shell(\"smc component generate --param count=3\") -> (n)\n"
        "    bolt  b = shell(\"smc component identity --fields n\") <- g shuffle -> (n)\n"
        "}\n");
}

TEST_CASE("flux import: hostile documents are bounded") {
  std::string d;
  SUBCASE("deep flow nesting stops at yaml-cpp's depth guard") {
    std::string deep(200000, '[');
    CHECK(Import("name: t\nspouts: " + deep + "\n", &d).empty());
    CHECK(d.find("f.yaml:3:1: error: the Flux document nests too deeply for yaml-cpp's parser\n") == 0);
  }
  SUBCASE("deep block nesting") {
    std::string deep;
    for (int i = 0; i < 5000; ++i) deep += "- ";
    CHECK(Import("name: t\nbolts:\n" + deep + "x\n", &d).empty());
    CHECK(d.find("f.yaml:3:998: error: the Flux document nests too deeply") == 0);
  }
  SUBCASE("more than 1 MiB") {
    CHECK(Import("name: t\n# " + std::string(flux::kMaxFluxBytes, 'x') + "\n", &d).empty());
    CHECK(d == "f.yaml:1:1: error: the Flux document is larger than 1 MiB\n    name: t\n    ^\n");
  }
  SUBCASE("aliases repeating a long command are bounded by the output size") {
    std::string words = "[";
    for (int i = 0; i < 4000; ++i) words += (i ? ", w" : "w") + std::to_string(i);
    words += "]";
    std::string yaml = "name: t\nspouts:\n  - id: s0\n    className: " + std::string(flux::kShellSpoutClass) +
                       "\n    constructorArgs: [&c " + words + ", [x]]\n";
    for (int i = 1; i < 2000; ++i) {
      yaml += "  - {id: s" + std::to_string(i) + ", className: " + std::string(flux::kShellSpoutClass) +
              ", constructorArgs: [*c, [x]]}\n";
    }
    CHECK(Import(yaml, &d).empty());
    CHECK(d == "f.yaml:1:1: error: the imported topology would be larger than 16 MiB\n    name: t\n    ^\n");
  }
  SUBCASE("substitution and includes") {
    CHECK(Import("name: t\nincludes:\n  - {resource: false, file: x.yaml}\n", &d).empty());
    CHECK(d.find("f.yaml:2:1: error: Flux includes are not supported: import the included file itself") == 0);
    CHECK(Import("name: \"${topology.name}\"\n", &d).empty());
    CHECK(d.find("f.yaml:1:7: error: Flux property substitution '${topology.name}' is not supported") == 0);
  }
}

}  // namespace smc
