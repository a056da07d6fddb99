#include <doctest/doctest.h>

#include <tao/pegtl/contrib/analyze.hpp>

#include "dsl/grammar.h"
#include "dsl/parser.h"
#include "tests/dsl_test_util.h"

namespace smc {
namespace {

using test::Check;

TEST_CASE("the grammar has no rule that can loop without consuming input") {
  CHECK(tao::pegtl::analyze<dsl::grammar::file>(1) == 0);
  CHECK(tao::pegtl::analyze<dsl::grammar::literal_value_for_tests>(1) == 0);
}

TEST_CASE("a topology parses into components with their source ranges") {
  auto c = Check(
      "# comment\n"
      "topology wc {\n"
      "    spout s = stdin()\n"
      "    bolt  w = split(field: \"line\") x3 <- s shuffle\n"
      "    bolt  n = count(key: \"word\") x2 <- w fields(word) { tick = 5s }\n"
      "    sink  o = stdout(format: \"tsv\") <- n global\n"
      "}\n");
  REQUIRE(c.text() == "");
  REQUIRE(c.ast.topologies.size() == 1);
  const ast::Topology& t = c.ast.topologies[0];
  CHECK(t.name.text == "wc");
  REQUIRE(t.components.size() == 4);
  const ast::Component& w = t.components[1];
  CHECK(w.kind == ComponentKind::kBolt);
  CHECK(w.name.text == "w");
  CHECK(w.impl.name.text == "split");
  REQUIRE(w.impl.args.size() == 1);
  CHECK(w.impl.args[0].name->text == "field");
  CHECK(w.parallelism == 3);
  REQUIRE(w.inputs.size() == 1);
  CHECK(w.inputs[0].source.text == "s");
  CHECK(w.inputs[0].grouping.name.text == "shuffle");
  const ast::Component& n = t.components[2];
  CHECK(n.inputs[0].grouping.name.text == "fields");
  REQUIRE(n.inputs[0].grouping.fields.size() == 1);
  CHECK(n.inputs[0].grouping.fields[0].text == "word");
  REQUIRE(n.settings.size() == 1);
  CHECK(n.settings[0].key.text == "tick");
  CHECK(n.settings[0].value.literal.type == ValueType::kDuration);
  CHECK(n.settings[0].value.literal.num == 5'000'000'000);
  LineColumn at = c.ast.source->Locate(w.name.range.begin);
  CHECK(at.line == 4);
  CHECK(at.column == 11);
}

TEST_CASE("values: strings, escapes, numbers, units, lists, parameters") {
  auto lit = [](const char* text) { return ParseLiteral(text); };
  CHECK(lit("\"a\\\"b\\\\c\\n\\t\\$\"")->str == "a\"b\\c\n\t$");
  CHECK(lit("42")->num == 42);
  CHECK(lit("-3")->num == -3);
  CHECK(lit("0.25")->real == 0.25);
  CHECK(lit("true")->num == 1);
  CHECK(lit("250ms")->num == 250'000'000);
  CHECK(lit("2m")->num == 120'000'000'000);
  CHECK(lit("1h")->num == 3'600'000'000'000);
  CHECK(lit("1.5s")->num == 1'500'000'000);
  CHECK(lit("64KiB")->num == 65536);
  CHECK(lit("16MiB")->type == ValueType::kSize);
  CHECK(lit("[1, 2, 3,]")->list.size() == 3);
  CHECK(lit("[]")->list.empty());
  CHECK_FALSE(lit("$p").has_value());
  CHECK_FALSE(lit("5sec").has_value());
  CHECK_FALSE(lit("abc").has_value());
  CHECK(Value::Duration(250'000'000).ToText() == "250ms");
  CHECK(Value::Size(65536).ToText() == "64KiB");
  CHECK(Value::Float(0.1).ToText() == "0.1");
  CHECK(Value::Float(10).ToText() == "10.0");  // .topo has no exponents
  CHECK(Value::Float(1.5e-7).ToText() == "0.00000015");
  CHECK(Value::String("a\"b").ToSource() == "\"a\\\"b\"");
}

TEST_CASE("a syntax error is reported at its line and column with what was expected") {
  auto c = Check("topology t {\n    spout s = stdin(\n}\n");
  CHECK(c.text() ==
        "t.topo:2:21: error: expected an argument or ')', got '}'\n"
        "        spout s = stdin(\n"
        "                        ^\n");
}

TEST_CASE("after a syntax error the parser resumes at the next statement") {
  auto c = Check(
      "topology t {\n"
      "    spout s = stdin() x\n"
      "    bolt a = split() <- s\n"
      "    bolt b = split() <- s shuffle { tick 5s }\n"
      "    sink o = stdout() <- b shuffle\n"
      "}\n");
  CHECK(c.text() ==
        "t.topo:2:23: error: expected 'spout', 'bolt', 'sink', 'set' or '}', got 'x'\n"
        "        spout s = stdin() x\n"
        "                          ^\n"
        "t.topo:3:26: error: expected a grouping (shuffle, fields(...), partial(...), all, global, direct, local, "
        "none or custom), got 'bolt'\n"
        "        bolt a = split() <- s\n"
        "                             ^\n"
        "t.topo:4:42: error: expected '=', got '5s'\n"
        "        bolt b = split() <- s shuffle { tick 5s }\n"
        "                                             ^\n");
  // The statements that parsed are kept.
  REQUIRE(c.ast.topologies.size() == 1);
  REQUIRE(c.ast.topologies[0].components.size() == 2);
  CHECK(c.ast.topologies[0].components[0].name.text == "s");
  CHECK(c.ast.topologies[0].components[1].name.text == "o");
}

TEST_CASE("a missing '}' at the end of the file points back at the '{'") {
  auto c = Check("topology t {\n    spout s = stdin()\n");
  CHECK(c.text() ==
        "t.topo:2:22: error: expected '}' to close topology 't', got end of file\n"
        "        spout s = stdin()\n"
        "                         ^\n"
        "t.topo:1:12: note: to match this '{'\n"
        "    topology t {\n"
        "               ^\n");
}

TEST_CASE("unterminated strings, bad escapes and unknown units") {
  CHECK(Check("param a = \"abc\n").text() ==
        "t.topo:1:15: error: expected '\"' to end the string, got end of line\n"
        "    param a = \"abc\n"
        "                  ^\n");
  CHECK(Check("param a = \"a\\qb\"\n").text() ==
        "t.topo:1:14: error: unknown escape sequence; use \\\", \\\\, \\n, \\t, \\r or \\$\n"
        "    param a = \"a\\qb\"\n"
        "                 ^\n");
  CHECK(Check("param a = 5sec\n").text() ==
        "t.topo:1:12: error: unknown unit 'sec'; expected ns, us, ms, s, m, h, B, KiB, MiB, GiB or TiB\n"
        "    param a = 5sec\n"
        "               ^~~\n");
}

TEST_CASE("tabs in the source line keep the caret aligned") {
  auto c = Check("topology t {\n\tspout s = stdn()\n\tsink o = null() <- s shuffle\n}\n");
  CHECK(c.text() ==
        "t.topo:2:12: error: unknown spout implementation 'stdn'; did you mean 'stdin'?\n"
        "    \tspout s = stdn()\n"
        "    \t          ^~~~\n");
}

}  // namespace
}  // namespace smc
