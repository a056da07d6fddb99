#include <doctest/doctest.h>

#include "dsl/graph_dump.h"
#include "dsl/suggest.h"
#include "tests/dsl_test_util.h"

namespace smc {
namespace {

using test::Check;

const char* kWordCount =
    "topology wordcount {\n"
    "    spout sentences = stdin()\n"
    "    bolt  split     = split(field: \"line\")  x3 <- sentences shuffle\n"
    "    bolt  count     = count(key: \"word\")    x3 <- split fields(word)\n"
    "    sink  out       = stdout(format: \"tsv\")    <- count global\n"
    "}\n";

TEST_CASE("the validated graph resolves names, outputs, groupings and settings") {
  auto c = Check(kWordCount);
  REQUIRE(c.text() == "");
  REQUIRE(c.graph.topologies.size() == 1);
  const GraphTopology& t = c.graph.topologies[0];
  REQUIRE(t.components.size() == 4);
  const GraphComponent& count = t.components[2];
  CHECK(count.parallelism == 3);
  REQUIRE(count.outputs.size() == 1);
  CHECK(count.outputs[0].fields == std::vector<std::string>{"word", "count"});
  REQUIRE(count.inputs.size() == 1);
  CHECK(count.inputs[0].source == 1);
  CHECK(count.inputs[0].grouping.kind == GroupingKind::kFields);
  CHECK(count.inputs[0].grouping.field_indices == std::vector<int>{0});
  CHECK(count.args.at("emit").str == "end");  // the default, applied
  CHECK(count.settings.at("batch.size").num == 256);
  CHECK(t.components[0].outputs[0].fields == std::vector<std::string>{"line"});
}

TEST_CASE("smc graph's text form") {
  auto c = Check(kWordCount);
  CHECK(GraphToText(c.graph) ==
        "topology wordcount\n"
        "  sentences[1] (stdin)\n"
        "  split[3] (split) <-shuffle- sentences\n"
        "  count[3] (count) <-fields(word)- split\n"
        "  out[1] (stdout) <-global- count\n");
}

TEST_CASE("smc graph's DOT form") {
  auto c = Check(kWordCount);
  CHECK(GraphToDot(c.graph) ==
        "digraph smc {\n"
        "  rankdir=LR;\n"
        "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        "  edge [fontname=\"Helvetica\", fontsize=10];\n"
        "  subgraph \"cluster_wordcount\" {\n"
        "    label=\"topology wordcount\";\n"
        "    \"wordcount/sentences\" [label=\"sentences\\nspout stdin x1\", shape=invhouse];\n"
        "    \"wordcount/split\" [label=\"split\\nbolt split x3\", shape=box];\n"
        "    \"wordcount/count\" [label=\"count\\nbolt count x3\", shape=box];\n"
        "    \"wordcount/out\" [label=\"out\\nsink stdout x1\", shape=house];\n"
        "    \"wordcount/sentences\" -> \"wordcount/split\" [label=\"shuffle\\n(line)\"];\n"
        "    \"wordcount/split\" -> \"wordcount/count\" [label=\"fields(word)\\n(word)\"];\n"
        "    \"wordcount/count\" -> \"wordcount/out\" [label=\"global\\n(word, count)\"];\n"
        "  }\n"
        "}\n");
}

TEST_CASE("unknown names get 'did you mean' and the exact rendering") {
  auto c = Check(
      "topology t {\n"
      "    spout s = stdin()\n"
      "    bolt w = splt() <- s shuffle\n"
      "    sink o = stdout() <- s shufle\n"
      "}\n");
  CHECK(c.text() ==
        "t.topo:3:14: error: unknown bolt implementation 'splt'; did you mean 'split'?\n"
        "        bolt w = splt() <- s shuffle\n"
        "                 ^~~~\n"
        "t.topo:4:28: error: unknown grouping 'shufle'; did you mean 'shuffle'?\n"
        "        sink o = stdout() <- s shufle\n"
        "                               ^~~~~~\n");
}

TEST_CASE("a duplicate name has a note at the first declaration") {
  auto c = Check(
      "topology t {\n"
      "    spout s = stdin()\n"
      "    spout s = stdin()\n"
      "    sink o = stdout() <- s shuffle\n"
      "}\n");
  CHECK(c.text() ==
        "t.topo:3:11: error: duplicate component 's' in topology 't'\n"
        "        spout s = stdin()\n"
        "              ^\n"
        "t.topo:2:11: note: first declared here\n"
        "        spout s = stdin()\n"
        "              ^\n");
}

TEST_CASE("fields groupings are checked against computed outputs") {
  auto c = Check(
      "topology t {\n"
      "    spout s = stdin()\n"
      "    bolt w = split() <- s shuffle\n"
      "    bolt n = count(key: \"word\") <- w fields(word)\n"
      "    sink o = stdout() <- n fields(wrod), n partial(total)\n"
      "}\n");
  CHECK(c.text() ==
        "t.topo:5:35: error: stream 'default' of 'n' has no field 'wrod'; did you mean 'word'?\n"
        "        sink o = stdout() <- n fields(wrod), n partial(total)\n"
        "                                      ^~~~\n"
        "t.topo:5:52: error: stream 'default' of 'n' has no field 'total'; it has (word, count)\n"
        "        sink o = stdout() <- n fields(wrod), n partial(total)\n"
        "                                                       ^~~~~\n");
}

TEST_CASE("a cycle names its components; warnings do not fail") {
  auto c = Check(
      "topology t {\n"
      "    spout s = stdin()\n"
      "    bolt a = identity() <- s shuffle, b shuffle\n"
      "    bolt b = identity() <- a shuffle\n"
      "    sink o = stdout() <- a shuffle\n"
      "}\n");
  CHECK(c.text() ==
        "t.topo:3:10: error: cycle in topology 't': a -> b -> a\n"
        "        bolt a = identity() <- s shuffle, b shuffle\n"
        "             ^\n");
  auto w = Check(
      "topology t {\n"
      "    spout s = stdin()\n"
      "    bolt a = identity() x2 <- s global\n"
      "}\n");
  CHECK_FALSE(w.diags.HasErrors());
  CHECK(w.text() ==
        "t.topo:1:10: warning: topology 't' has no sink\n"
        "    topology t {\n"
        "             ^\n"
        "t.topo:3:33: warning: 'global' sends every tuple to the first of the 2 instances of 'a'\n"
        "        bolt a = identity() x2 <- s global\n"
        "                                    ^~~~~~\n");
}

TEST_CASE("parameters: references, interpolation, overrides") {
  auto c = Check(
      "param n = 5\n"
      "param name = \"w\"\n"
      "topology t {\n"
      "    spout s = generate(count: $n)\n"
      "    sink o = file(path: \"out-${name}-${n}.tsv\") <- s shuffle\n"
      "}\n",
      {{"n", "7"}});
  REQUIRE(c.text() == "");
  CHECK(c.graph.topologies[0].components[0].args.at("count").num == 7);
  CHECK(c.graph.topologies[0].components[1].args.at("path").str == "out-w-7.tsv");
  auto bad =
      Check("param n = 5\ntopology t {\n    spout s = generate(count: $m)\n    sink o = null() <- s shuffle\n}\n",
            {{"n", "x"}});
  CHECK(bad.text() ==
        "smc: error: -p n=x: expected an integer like the default 5\n"
        "t.topo:3:31: error: undefined parameter 'm'\n"
        "        spout s = generate(count: $m)\n"
        "                                  ^~\n");
}

TEST_CASE("arguments: types, duplicates, order, required") {
  auto c = Check(
      "topology t {\n"
      "    spout s = generate(count: \"many\")\n"
      "    bolt a = count(key: \"n\", key: \"n\") <- s shuffle\n"
      "    bolt b = count(key: \"n\", \"end\") <- s shuffle\n"
      "    sink o = file() <- a shuffle, b shuffle\n"
      "}\n");
  CHECK(c.text() ==
        "t.topo:2:31: error: argument 'count' of 'generate' must be an integer, got string \"many\"\n"
        "        spout s = generate(count: \"many\")\n"
        "                                  ^~~~~~\n"
        "t.topo:3:30: error: duplicate argument 'key'\n"
        "        bolt a = count(key: \"n\", key: \"n\") <- s shuffle\n"
        "                                 ^~~~~~~~\n"
        "t.topo:3:20: note: first given here\n"
        "        bolt a = count(key: \"n\", key: \"n\") <- s shuffle\n"
        "                       ^~~~~~~~\n"
        "t.topo:4:30: error: positional argument after a named one\n"
        "        bolt b = count(key: \"n\", \"end\") <- s shuffle\n"
        "                                 ^~~~~\n"
        "t.topo:5:14: error: missing required argument 'path' of 'file'\n"
        "        sink o = file() <- a shuffle, b shuffle\n"
        "                 ^~~~\n");
}

TEST_CASE("tasks blocks: dependencies and cycles") {
  auto c = Check(
      "tasks n {\n"
      "    task a = exec(\"a\") after c\n"
      "    task b = exec(\"b\") after a, fetsh\n"
      "    task c = exec(\"c\") after b\n"
      "    task fetch = exec(\"f\")\n"
      "}\n");
  CHECK(c.text() ==
        "t.topo:2:10: error: cycle in tasks 'n': a -> c -> b -> a (each runs after the next)\n"
        "        task a = exec(\"a\") after c\n"
        "             ^\n"
        "t.topo:3:33: error: unknown task 'fetsh' in tasks 'n'; did you mean 'fetch'?\n"
        "        task b = exec(\"b\") after a, fetsh\n"
        "                                    ^~~~~\n");
}

TEST_CASE("did you mean: close names only") {
  std::vector<std::string> names = {"split", "count", "level", "dir", "word"};
  CHECK(ClosestName("splt", names) == "split");
  CHECK(ClosestName("wrod", names) == "word");  // a transposition is one edit
  CHECK(ClosestName("lvl", names) == "level");
  CHECK(ClosestName("size", names) == "");
  CHECK(ClosestName("line", names) == "");
  CHECK(EditDistance("kitten", "sitting") == 3);
}

TEST_CASE("did you mean: a bounded distance, in a band, for long names") {
  CHECK(EditDistance("sentences", "sxntxncxs", 3) == 3);
  CHECK(EditDistance("sentences", "sxntxnxxs", 3) == 4);  // past the limit: limit + 1
  CHECK(EditDistance("sentences", "esnetcnes", 3) == 3);  // three transpositions
  CHECK(EditDistance("abc", "abcdefg", 3) == 4);          // lengths 4 apart: no work
  CHECK(EditDistance("", "abc", 3) == 3);
  CHECK(EditDistance("abc", "", 2) == 3);
  CHECK(EditDistance("flaw", "lawn") == 2);
  CHECK(EditDistance("ca", "abc") == 3);  // optimal string alignment, not Damerau
  std::string long_name(1'000'000, 'a');
  std::string typo = long_name;
  typo[500'000] = 'b';
  typo += "c";
  CHECK(EditDistance(long_name, typo, 3) == 2);
  CHECK(ClosestName(typo, {long_name, "a"}) == long_name);
  CHECK(ClosestName(long_name + "xyzw", {long_name}) == "");  // 4 longer: skipped
}

}  // namespace
}  // namespace smc
