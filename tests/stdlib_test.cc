// Unit tests of the built-in components' semantics, driven directly through
// the runtime/component.h interface: a real plan supplies each component's
// Context (arguments with defaults, input fields, streams) and a recording
// Emitter captures what the component emits.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dsl/parser.h"
#include "dsl/validator.h"
#include "runtime/component.h"
#include "runtime/outputs.h"
#include "runtime/plan.h"
#include "stdlib/builtins.h"
#include "stdlib/formats.h"
#include "stdlib/multilang.h"
#include "tests/plan_util.h"

namespace {

using smc::rt::Batch;
using smc::rt::Datum;
using smc::rt::Type;

// A validated, compiled one-topology file; contexts point into its plan.
class Topo {
 public:
  explicit Topo(const std::string& text) {
    auto src = std::make_shared<smc::SourceFile>("t.topo", text);
    smc::Diagnostics d;
    smc::ast::File f = smc::Parse(src, &d);
    REQUIRE_MESSAGE(!d.HasErrors(), smc::RenderAll(d));
    smc::Graph g = smc::Validate(f, smc::StandardCatalog(), {}, &d);
    REQUIRE_MESSAGE(!d.HasErrors(), smc::RenderAll(d));
    plan_ = smc::rt::Compile(g);
    REQUIRE(plan_.topologies.size() == 1);
  }
  const smc::rt::PlanComponent& Comp(const std::string& name) const {
    for (const auto& c : plan_.topologies[0].components) {
      if (c.name == name) return c;
    }
    FAIL("no component " << name);
    throw 0;
  }
  smc::rt::Context Ctx(const std::string& name, int instance = 0) const {
    const auto& c = Comp(name);
    smc::rt::Context ctx;
    ctx.component = c.name;
    ctx.location = c.location;
    ctx.instance = instance;
    ctx.parallelism = c.parallelism;
    ctx.args = &c.args;
    for (const auto& in : c.inputs) ctx.input_fields.push_back(in.fields);
    for (const auto& s : c.streams) {
      ctx.stream_names.push_back(s.name);
      ctx.stream_fields.push_back(s.fields);
    }
    ctx.base_dir = plan_.base_dir;
    ctx.tick_ns = c.tick_ns;
    return ctx;
  }

 private:
  smc::rt::Plan plan_;
};

// Shows a datum with its type, so that 1 and "1" differ: 1, "1", null, true, 1.5f.
std::string Show(const Datum& d) {
  switch (d.type) {
    case Type::kNull: return "null";
    case Type::kString: return "\"" + std::string(d.s) + "\"";
    case Type::kFloat: return d.ToText() + "f";
    default: return d.ToText();
  }
}

// Records every tuple as its fields' texts joined by '|', per stream.
class Recorder : public smc::rt::Emitter {
 public:
  explicit Recorder(const smc::rt::Context& ctx) : ctx_(ctx) {}
  void Emit(int stream, const Datum* v) override {
    REQUIRE(stream >= 0);
    REQUIRE(stream < static_cast<int>(ctx_.stream_fields.size()));
    std::string text, typed;
    for (size_t k = 0; k < ctx_.stream_fields[stream].size(); ++k) {
      text += (k ? "|" : "") + v[k].ToText();
      typed += (k ? "|" : "") + Show(v[k]);
    }
    (stream == 0 ? rows : other).push_back(text);
    typed_rows.push_back(typed);
  }
  void EmitDirect(int, int, const Datum*) override { ++direct; }
  void Error(std::string_view input, std::string_view reason) override {
    errors.push_back(std::string(input) + " => " + std::string(reason));
  }
  std::vector<std::string> Take() {
    std::vector<std::string> out;
    out.swap(rows);
    typed_rows.clear();
    return out;
  }
  std::vector<std::string> rows, other, typed_rows, errors;
  int direct = 0;

 private:
  const smc::rt::Context& ctx_;
};

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A batch of one-field string tuples.
Batch Strings(const std::vector<std::string>& values) {
  Batch b(1);
  for (const std::string& s : values) {
    Datum d = Datum::Str(s);
    b.Append(&d);
  }
  return b;
}

Batch Ints(const std::vector<int64_t>& values) {
  Batch b(1);
  for (int64_t v : values) {
    Datum d = Datum::Int(v);
    b.Append(&d);
  }
  return b;
}

// A batch of two-field string tuples.
Batch Pairs(const std::vector<std::pair<std::string, std::string>>& values) {
  Batch b(2);
  for (const auto& [x, y] : values) {
    Datum d[2] = {Datum::Str(x), Datum::Str(y)};
    b.Append(d);
  }
  return b;
}

// Topology texts with one bolt `b` under test.
std::string LinesInto(const std::string& bolt, const std::string& settings = "") {
  return "topology t {\n spout s = stdin()\n bolt b = " + bolt + " <- s shuffle " + settings +
         "\n sink o = null() <- b shuffle\n}\n";
}
std::string TsvInto(const std::string& bolt, const std::string& fields = "\"k\", \"v\"") {
  return "topology t {\n spout s = stdin(format: \"tsv\", fields: [" + fields + "])\n bolt b = " + bolt +
         " <- s shuffle\n sink o = null() <- b shuffle\n}\n";
}
std::string IntsInto(const std::string& bolt) {
  return "topology t {\n spout s = generate()\n bolt b = " + bolt + " <- s shuffle\n sink o = null() <- b shuffle\n}\n";
}

// Runs a bolt over batches and returns its default-stream rows (Finish included).
struct BoltRun {
  Topo topo;
  smc::rt::Context ctx;
  std::unique_ptr<smc::rt::Component> c;
  Recorder rec;
  BoltRun(const std::string& text, std::unique_ptr<smc::rt::Component> comp, int instance = 0)
      : topo(text), ctx(topo.Ctx("b", instance)), c(std::move(comp)), rec(ctx) {
    c->Open(ctx);
  }
  void Run(const Batch& b) { c->Execute(b, 0, rec); }
};

// A control that never stops; its wake fd never becomes readable.
class Control : public smc::rt::SpoutControl {
 public:
  Control() { REQUIRE(::pipe(fds_) == 0); }
  ~Control() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  bool Stopping() const override { return false; }
  int WakeFd() const override { return fds_[0]; }

 private:
  int fds_[2];
};

// Runs a spout until it is exhausted (at most `max_calls` calls to Next).
void Drain(smc::rt::Spout& s, Recorder& rec, int max_calls = 100000) {
  Control ctl;
  int calls = 0;
  while (s.Next(rec, ctl)) REQUIRE(++calls < max_calls);
}

std::filesystem::path TempDir() {
  static std::filesystem::path dir = [] {
    char tmpl[] = "/tmp/smc-stdlib-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    return std::filesystem::path(tmpl);
  }();
  return dir;
}

std::string WriteTemp(const std::string& name, const std::string& content) {
  std::filesystem::path p = TempDir() / name;
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Reads `content` with a file spout of the given format and fields.
struct ReadResult {
  std::vector<std::string> rows, typed, errors;
};
ReadResult ReadWith(const std::string& content, const std::string& args) {
  std::string path = WriteTemp("in.txt", content);
  Topo topo("topology t {\n spout s = file(path: \"" + path + "\"" + args + ")\n sink o = null() <- s shuffle\n}\n");
  smc::rt::Context ctx = topo.Ctx("s");
  auto spout = smc::stdlib::MakeFileSpout();
  spout->Open(ctx);
  Recorder rec(ctx);
  Drain(*spout, rec);
  return {rec.rows, rec.typed_rows, rec.errors};
}

}  // namespace

// ---- split -----------------------------------------------------------------

TEST_CASE("split: runs of whitespace separate words; empty and blank lines give none") {
  BoltRun r(LinesInto("split()"), smc::stdlib::MakeSplit());
  r.Run(Strings({"  the  cow\tjumped\r\n over\v\fthe   ", "", "   \t ", "one"}));
  CHECK(r.rec.Take() == std::vector<std::string>{"the", "cow", "jumped", "over", "the", "one"});
}

TEST_CASE("split: sep splits on the exact separator and drops empty words") {
  BoltRun r(LinesInto("split(sep: \",\")"), smc::stdlib::MakeSplit());
  r.Run(Strings({"a,,b,", ",c d,", ""}));
  CHECK(r.rec.Take() == std::vector<std::string>{"a", "b", "c d"});

  BoltRun m(LinesInto("split(sep: \"::\")"), smc::stdlib::MakeSplit());
  m.Run(Strings({"x::y::::z:w"}));
  CHECK(m.rec.Take() == std::vector<std::string>{"x", "y", "z:w"});
}

TEST_CASE("split: the chosen field of several; a non-string field is split as its text") {
  BoltRun r(TsvInto("split(field: \"v\")"), smc::stdlib::MakeSplit());
  r.Run(Pairs({{"ignored words", "b c"}}));
  CHECK(r.rec.Take() == std::vector<std::string>{"b", "c"});

  BoltRun n(IntsInto("split()"), smc::stdlib::MakeSplit());
  n.Run(Ints({42, -7}));
  CHECK(n.rec.typed_rows == std::vector<std::string>{"\"42\"", "\"-7\""});
}

// ---- count -----------------------------------------------------------------

TEST_CASE("count: emit end gives every total once, at Finish") {
  BoltRun r(LinesInto("count(key: \"line\")"), smc::stdlib::MakeCount());
  CHECK(r.ctx.stream_fields[0] == std::vector<std::string>{"line", "count"});
  r.Run(Strings({"a", "b", "a"}));
  r.Run(Strings({"c", "a"}));
  CHECK(r.rec.rows.empty());
  r.c->Tick(r.rec);
  CHECK(r.rec.rows.empty());
  r.c->Finish(r.rec);
  CHECK(Sorted(r.rec.Take()) == std::vector<std::string>{"a|3", "b|1", "c|1"});
}

TEST_CASE("count: emit each gives the new total after every tuple") {
  BoltRun r(LinesInto("count(key: \"line\", emit: \"each\")"), smc::stdlib::MakeCount());
  r.Run(Strings({"a", "b", "a", "a"}));
  CHECK(r.rec.Take() == std::vector<std::string>{"a|1", "b|1", "a|2", "a|3"});
  r.c->Finish(r.rec);
  CHECK(r.rec.rows.empty());
}

TEST_CASE("count: emit tick gives the totals changed since the last tick") {
  BoltRun r(LinesInto("count(key: \"line\", emit: \"tick\")", "{ tick = 1s }"), smc::stdlib::MakeCount());
  CHECK(r.ctx.tick_ns == 1'000'000'000);
  r.Run(Strings({"a", "a", "b"}));
  CHECK(r.rec.rows.empty());
  r.c->Tick(r.rec);
  CHECK(Sorted(r.rec.Take()) == std::vector<std::string>{"a|2", "b|1"});
  r.Run(Strings({"a"}));
  r.c->Tick(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"a|3"});
  r.c->Tick(r.rec);
  CHECK(r.rec.rows.empty());
  r.Run(Strings({"b", "c"}));
  r.c->Finish(r.rec);  // what changed since the last tick
  CHECK(Sorted(r.rec.Take()) == std::vector<std::string>{"b|2", "c|1"});
}

TEST_CASE("count: integer keys stay integers and differ from their text") {
  BoltRun r(IntsInto("count(key: \"n\")"), smc::stdlib::MakeCount());
  r.Run(Ints({1, 1, 2, -3}));
  Batch mixed(1);
  Datum s = Datum::Str("1");
  mixed.Append(&s);
  r.Run(mixed);
  r.c->Finish(r.rec);
  CHECK(Sorted(r.rec.typed_rows) == std::vector<std::string>{"\"1\"|1", "-3|1", "1|2", "2|1"});
}

TEST_CASE("count: many keys (the table grows) keep exact totals") {
  BoltRun r(IntsInto("count(key: \"n\")"), smc::stdlib::MakeCount());
  std::vector<int64_t> v;
  for (int rep = 0; rep < 3; ++rep) {
    for (int64_t i = 0; i < 5000; ++i) v.push_back(i);
  }
  r.Run(Ints(v));
  r.c->Finish(r.rec);
  REQUIRE(r.rec.rows.size() == 5000);
  std::set<std::string> keys;
  for (const std::string& row : r.rec.rows) {
    CHECK(row.substr(row.find('|')) == "|3");
    keys.insert(row.substr(0, row.find('|')));
  }
  CHECK(keys.size() == 5000);
}

// ---- filter ----------------------------------------------------------------

TEST_CASE("filter: literal alternatives match as substrings, case-sensitively") {
  BoltRun r(LinesInto("filter(regex: \"error|warn\")"), smc::stdlib::MakeFilter());
  r.Run(Strings({"an error here", "WARN", "warning", "ok", "", "errwarn"}));
  CHECK(r.rec.Take() == std::vector<std::string>{"an error here", "warning", "errwarn"});
}

TEST_CASE("filter: a real regular expression (RE2, search semantics; '.' is one UTF-8 character)") {
  BoltRun r(LinesInto("filter(regex: \"^a.c$\")"), smc::stdlib::MakeFilter());
  r.Run(Strings({"abc", "xabc", "a.c", "ac", "abcd", "a\u00e9c"}));
  CHECK(r.rec.Take() == std::vector<std::string>{"abc", "a.c", "a\u00e9c"});

  BoltRun d(LinesInto("filter(regex: \"[0-9]{3}\")"), smc::stdlib::MakeFilter());
  d.Run(Strings({"code 404!", "12", "1234", "a1b2c3"}));
  CHECK(d.rec.Take() == std::vector<std::string>{"code 404!", "1234"});
}

TEST_CASE("filter: (?i) ignores case; (a|b)*c on a 400 KB line finishes, matching exactly") {
  BoltRun r(LinesInto("filter(regex: \"(?i)^sub(ject)?:\")"), smc::stdlib::MakeFilter());
  r.Run(Strings({"SUBJECT: x", "Sub: y", "re: subject:", "subjec:"}));
  CHECK(r.rec.Take() == std::vector<std::string>{"SUBJECT: x", "Sub: y"});

  BoltRun big(LinesInto("filter(regex: \"(a|b)*c\")"), smc::stdlib::MakeFilter());
  std::string ab(400 << 10, 'a');
  for (size_t i = 0; i < ab.size(); i += 3) ab[i] = 'b';
  big.Run(Strings({ab, ab + "c", "c"}));
  CHECK(big.rec.rows.size() == 2);
  CHECK(big.rec.Take() == std::vector<std::string>{ab + "c", "c"});
}

TEST_CASE("filter: an empty alternative matches everything") {
  BoltRun r(LinesInto("filter(regex: \"zz|\")"), smc::stdlib::MakeFilter());
  r.Run(Strings({"a", ""}));
  CHECK(r.rec.Take() == std::vector<std::string>{"a", ""});
}

TEST_CASE("filter: equals compares the whole text; invert keeps the others") {
  BoltRun r(LinesInto("filter(equals: \"ok\")"), smc::stdlib::MakeFilter());
  r.Run(Strings({"ok", "ok2", "OK", " ok", "ok"}));
  CHECK(r.rec.Take() == std::vector<std::string>{"ok", "ok"});

  BoltRun i(LinesInto("filter(equals: \"ok\", invert: true)"), smc::stdlib::MakeFilter());
  i.Run(Strings({"ok", "ok2", "OK"}));
  CHECK(i.rec.Take() == std::vector<std::string>{"ok2", "OK"});

  BoltRun ri(LinesInto("filter(regex: \"^x\", invert: true)"), smc::stdlib::MakeFilter());
  ri.Run(Strings({"xa", "ax", "x", "b"}));
  CHECK(ri.rec.Take() == std::vector<std::string>{"ax", "b"});
}

TEST_CASE("filter: tests the named field and passes whole tuples; integers by their text") {
  BoltRun r(TsvInto("filter(field: \"v\", equals: \"x\")"), smc::stdlib::MakeFilter());
  r.Run(Pairs({{"1", "x"}, {"x", "2"}, {"3", "x"}}));
  CHECK(r.rec.Take() == std::vector<std::string>{"1|x", "3|x"});

  BoltRun n(IntsInto("filter(equals: \"5\")"), smc::stdlib::MakeFilter());
  n.Run(Ints({5, 15, 50, 5}));
  CHECK(n.rec.typed_rows == std::vector<std::string>{"5", "5"});
}

// ---- project ---------------------------------------------------------------

TEST_CASE("project: keeps the named fields in the order given") {
  BoltRun r(TsvInto("project(fields: [\"c\", \"a\"])", "\"a\", \"b\", \"c\""), smc::stdlib::MakeProject());
  CHECK(r.ctx.stream_fields[0] == std::vector<std::string>{"c", "a"});
  Batch b(3);
  Datum t1[3] = {Datum::Str("1"), Datum::Str("2"), Datum::Int(3)};
  Datum t2[3] = {Datum::Null(), Datum::Str("y"), Datum::Str("z")};
  b.Append(t1);
  b.Append(t2);
  r.Run(b);
  CHECK(r.rec.typed_rows == std::vector<std::string>{"3|\"1\"", "\"z\"|null"});
}

// ---- parse_json ------------------------------------------------------------

TEST_CASE("parse_json: keys in order with their JSON types; missing keys are null; nested values are JSON text") {
  BoltRun r(LinesInto("parse_json(fields: [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"])"), smc::stdlib::MakeParseJson());
  CHECK(r.ctx.stream_names == std::vector<std::string>{"default", "errors"});
  CHECK(r.ctx.stream_fields[1] == std::vector<std::string>{"input", "reason"});
  r.Run(Strings({R"({"f": {"x": [1, 2], "y": "z"}, "a": 1, "b": "x\ty", "c": true, "d": 1.5, "extra": 0})",
                 R"({"a": null, "e": [1, {"k": false}]})", R"({})"}));
  CHECK(r.rec.typed_rows == std::vector<std::string>{"1|\"x\ty\"|true|1.5f|null|\"{\"x\":[1,2],\"y\":\"z\"}\"",
                                                     "null|null|null|null|\"[1,{\"k\":false}]\"|null",
                                                     "null|null|null|null|null|null"});
  CHECK(r.rec.errors.empty());
}

TEST_CASE("parse_json: malformed text and non-objects go to Error with the reason") {
  BoltRun r(LinesInto("parse_json(fields: [\"a\"])"), smc::stdlib::MakeParseJson());
  r.Run(Strings({R"({"a": )", "[1, 2]", "\"str\"", "42", "", R"({"a": 1} x)", R"({"a": 2})"}));
  CHECK(r.rec.Take() == std::vector<std::string>{"2"});
  CHECK(r.rec.errors ==
        std::vector<std::string>{
            R"({"a":  => invalid JSON at byte 6: Invalid value.)", "[1, 2] => not a JSON object",
            "\"str\" => not a JSON object", "42 => not a JSON object",
            " => invalid JSON at byte 0: The document is empty.",
            R"({"a": 1} x => invalid JSON at byte 9: The document root must not be followed by other values.)"});
}

TEST_CASE("parse_json: nesting deeper than 128 levels goes to Error, no crash; 128 levels pass") {
  BoltRun r(LinesInto("parse_json(fields: [\"a\"])"), smc::stdlib::MakeParseJson());
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  std::string ok = "{\"a\":" + std::string(127, '[') + std::string(127, ']') + "}";
  r.Run(Strings({deep, ok, R"({"a": 3})"}));
  CHECK(r.rec.Take() == std::vector<std::string>{std::string(127, '[') + std::string(127, ']'), "3"});
  REQUIRE(r.rec.errors.size() == 1);
  CHECK(r.rec.errors[0] == deep + " => invalid JSON: nested deeper than 128 levels");
}

TEST_CASE("parse_json: integers beyond int64 keep their digits; numbers and nested text exact") {
  BoltRun r(LinesInto("parse_json(fields: [\"a\", \"b\", \"c\", \"d\"])"), smc::stdlib::MakeParseJson());
  r.Run(Strings({R"({"a": 12345678901234567890123, "b": -9223372036854775808, "c": [1.5e300, 12345678901234567890123],)"
                 R"( "d": 1e3, "a": 5})"}));
  CHECK(r.rec.typed_rows == std::vector<std::string>{"\"12345678901234567890123\"|-9223372036854775808|"
                                                     "\"[1.5e300,12345678901234567890123]\"|1000f"});
  CHECK(r.rec.errors.empty());
}

// ---- sample ----------------------------------------------------------------

TEST_CASE("sample: rate 1 keeps every tuple, in order") {
  BoltRun r(IntsInto("sample(rate: 1)"), smc::stdlib::MakeSample());
  std::vector<int64_t> v(1000);
  for (int i = 0; i < 1000; ++i) v[i] = i;
  r.Run(Ints(v));
  REQUIRE(r.rec.rows.size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(r.rec.rows[i] == std::to_string(i));
}

TEST_CASE("sample: a seed repeats exactly; another seed or instance differs; the fraction is near the rate") {
  std::vector<int64_t> v(4000);
  for (int i = 0; i < 4000; ++i) v[i] = i;
  auto kept = [&](const std::string& args, int instance) {
    BoltRun r(IntsInto("sample(" + args + ") x2"), smc::stdlib::MakeSample(), instance);
    r.Run(Ints(v));
    return r.rec.Take();
  };
  std::vector<std::string> a = kept("rate: 0.25, seed: 7", 0);
  CHECK(a == kept("rate: 0.25, seed: 7", 0));
  CHECK(a != kept("rate: 0.25, seed: 8", 0));
  CHECK(a != kept("rate: 0.25, seed: 7", 1));
  CHECK(a.size() > 800);
  CHECK(a.size() < 1200);
  std::vector<std::string> d = kept("", 0);  // default rate 0.1
  CHECK(d.size() > 300);
  CHECK(d.size() < 500);
}

// ---- top -------------------------------------------------------------------

TEST_CASE("top: the n most frequent keys, highest first, ties by key text") {
  BoltRun r(LinesInto("top(n: 3, key: \"line\")"), smc::stdlib::MakeTop());
  CHECK(r.ctx.stream_fields[0] == std::vector<std::string>{"line", "count"});
  r.Run(Strings({"d", "c", "a", "b", "c", "a", "b", "a", "e"}));
  r.c->Tick(r.rec);  // emit end: nothing on ticks
  CHECK(r.rec.rows.empty());
  r.c->Finish(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"a|3", "b|2", "c|2"});
}

TEST_CASE("top: fewer keys than n; all tied") {
  BoltRun r(LinesInto("top(key: \"line\")"), smc::stdlib::MakeTop());
  r.Run(Strings({"z", "y", "x"}));
  r.c->Finish(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"x|1", "y|1", "z|1"});
}

TEST_CASE("top: by a score field keeps each key's latest score") {
  BoltRun r(TsvInto("top(n: 2, key: \"k\", by: \"v\")"), smc::stdlib::MakeTop());
  CHECK(r.ctx.stream_fields[0] == std::vector<std::string>{"k", "v"});
  r.Run(Pairs({{"x", "5"}, {"y", "7"}, {"z", "2.5"}, {"x", "9"}, {"y", "1"}}));
  r.c->Finish(r.rec);
  CHECK(r.rec.typed_rows == std::vector<std::string>{"\"x\"|9", "\"z\"|2.5f"});
}

TEST_CASE("top: emit tick ranks on every tick and at the end") {
  BoltRun r(LinesInto("top(n: 1, key: \"line\", emit: \"tick\")"), smc::stdlib::MakeTop());
  r.Run(Strings({"a", "b", "b"}));
  r.c->Tick(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"b|2"});
  r.Run(Strings({"a", "a"}));
  r.c->Tick(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"a|3"});
  r.c->Finish(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"a|3"});
}

// ---- rolling_count ---------------------------------------------------------

TEST_CASE("rolling_count: a tuple counts for window/tick ticks, then is forgotten") {
  BoltRun r(LinesInto("rolling_count(key: \"line\", window: 3s)", "{ tick = 1s }"), smc::stdlib::MakeRollingCount());
  CHECK(r.c->DefaultTickNs() == 1'000'000'000);
  r.Run(Strings({"a", "b", "a"}));
  r.c->Tick(r.rec);  // t=1s: window holds slot 0
  CHECK(Sorted(r.rec.Take()) == std::vector<std::string>{"a|2", "b|1"});
  r.Run(Strings({"a"}));
  r.c->Tick(r.rec);  // t=2s
  CHECK(Sorted(r.rec.Take()) == std::vector<std::string>{"a|3", "b|1"});
  r.c->Tick(r.rec);  // t=3s: still both slots
  CHECK(Sorted(r.rec.Take()) == std::vector<std::string>{"a|3", "b|1"});
  r.c->Tick(r.rec);  // t=4s: slot 0 has left the window
  CHECK(Sorted(r.rec.Take()) == std::vector<std::string>{"a|1"});
  r.c->Tick(r.rec);  // t=5s: empty
  CHECK(r.rec.rows.empty());
  r.Run(Strings({"c"}));
  r.c->Finish(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"c|1"});
}

TEST_CASE("rolling_count: without a tick setting, ticks every sixth of the window") {
  BoltRun r(LinesInto("rolling_count(key: \"line\")"), smc::stdlib::MakeRollingCount());
  CHECK(r.c->DefaultTickNs() == 10'000'000'000);
  BoltRun w(LinesInto("rolling_count(key: \"line\", window: 3s)"), smc::stdlib::MakeRollingCount());
  CHECK(w.c->DefaultTickNs() == 500'000'000);
  // Six slots of 500ms: a tuple stays for six ticks.
  w.Run(Strings({"k"}));
  for (int i = 0; i < 6; ++i) {
    w.c->Tick(w.rec);
    CHECK(w.rec.Take() == std::vector<std::string>{"k|1"});
  }
  w.c->Tick(w.rec);
  CHECK(w.rec.rows.empty());
}

// ---- sort ------------------------------------------------------------------

TEST_CASE("sort: the last window tuples, ascending or descending, numbers by value") {
  BoltRun a(IntsInto("sort(window: 3)"), smc::stdlib::MakeSort());
  a.Run(Ints({5, 10, 4, 2}));
  a.c->Tick(a.rec);
  CHECK(a.rec.Take() == std::vector<std::string>{"2", "4", "10"});
  a.Run(Ints({1}));
  a.c->Finish(a.rec);
  CHECK(a.rec.Take() == std::vector<std::string>{"1", "2", "4"});

  BoltRun d(IntsInto("sort(order: \"desc\")"), smc::stdlib::MakeSort());
  d.Run(Ints({5, 10, 4, 2, -1}));
  d.c->Finish(d.rec);
  CHECK(d.rec.Take() == std::vector<std::string>{"10", "5", "4", "2", "-1"});
}

TEST_CASE("sort: text keys sort by text, stably; whole tuples are emitted") {
  BoltRun r(TsvInto("sort(key: \"k\")"), smc::stdlib::MakeSort());
  r.Run(Pairs({{"b", "1"}, {"a", "2"}, {"b", "3"}, {"10", "4"}, {"9", "5"}}));
  r.c->Finish(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"10|4", "9|5", "a|2", "b|1", "b|3"});
}

// ---- dedupe ----------------------------------------------------------------

TEST_CASE("dedupe: the first tuple of each key passes; window 0 remembers all") {
  BoltRun r(TsvInto("dedupe(key: \"k\")"), smc::stdlib::MakeDedupe());
  r.Run(Pairs({{"a", "1"}, {"b", "2"}, {"a", "3"}, {"c", "4"}, {"b", "5"}}));
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 3000; ++i) many.push_back({"a", std::to_string(i)});
  r.Run(Pairs(many));
  CHECK(r.rec.Take() == std::vector<std::string>{"a|1", "b|2", "c|4"});
}

TEST_CASE("dedupe: a window forgets the oldest keys") {
  BoltRun r(LinesInto("dedupe(window: 2)"), smc::stdlib::MakeDedupe());
  r.Run(Strings({"a", "b", "a", "b", "c", "a", "c"}));
  // a and b are remembered; c pushes a out, so a passes again; c is still remembered.
  CHECK(r.rec.Take() == std::vector<std::string>{"a", "b", "c", "a"});
}

// ---- throttle --------------------------------------------------------------

TEST_CASE("throttle: passes everything, in order, at no more than the rate") {
  BoltRun r(IntsInto("throttle(rate: 1000)"), smc::stdlib::MakeThrottle());
  std::vector<int64_t> v(200);
  for (int i = 0; i < 200; ++i) v[i] = i;
  auto t0 = std::chrono::steady_clock::now();
  r.Run(Ints(v));
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(s >= 0.15);
  CHECK(s < 2.0);
  REQUIRE(r.rec.rows.size() == 200);
  for (int i = 0; i < 200; ++i) CHECK(r.rec.rows[i] == std::to_string(i));
}

// ---- spouts ----------------------------------------------------------------

TEST_CASE("generate: instances share the count and interleave the integers from start") {
  Topo topo("topology t {\n spout s = generate(count: 10, start: 100) x3\n sink o = null() <- s shuffle\n}\n");
  std::vector<std::vector<std::string>> got;
  for (int i = 0; i < 3; ++i) {
    smc::rt::Context ctx = topo.Ctx("s", i);
    auto s = smc::stdlib::MakeGenerateSpout();
    s->Open(ctx);
    Recorder rec(ctx);
    Drain(*s, rec);
    for (const std::string& t : rec.typed_rows) CHECK(t.find('"') == std::string::npos);  // integers
    got.push_back(rec.rows);
  }
  CHECK(got[0] == std::vector<std::string>{"100", "103", "106", "109"});
  CHECK(got[1] == std::vector<std::string>{"101", "104", "107"});
  CHECK(got[2] == std::vector<std::string>{"102", "105", "108"});
}

TEST_CASE("generate: count 0 never ends") {
  Topo topo("topology t {\n spout s = generate()\n sink o = null() <- s shuffle\n}\n");
  smc::rt::Context ctx = topo.Ctx("s");
  auto s = smc::stdlib::MakeGenerateSpout();
  s->Open(ctx);
  Recorder rec(ctx);
  Control ctl;
  for (int i = 0; i < 5; ++i) CHECK(s->Next(rec, ctl));
  REQUIRE(rec.rows.size() >= 5);
  for (size_t i = 0; i < rec.rows.size(); ++i) REQUIRE(rec.rows[i] == std::to_string(i));
}

TEST_CASE("random_sentence: the five sentences; the count split over instances; seeds repeat") {
  const std::set<std::string> sentences = {"the cow jumped over the moon", "an apple a day keeps the doctor away",
                                           "four score and seven years ago", "snow white and the seven dwarfs",
                                           "i am at two with nature"};
  auto run = [&](const std::string& args, int instance) {
    Topo topo("topology t {\n spout s = random_sentence(" + args + ") x2\n sink o = null() <- s shuffle\n}\n");
    smc::rt::Context ctx = topo.Ctx("s", instance);
    auto s = smc::stdlib::MakeRandomSentenceSpout();
    s->Open(ctx);
    Recorder rec(ctx);
    Drain(*s, rec);
    return rec.rows;
  };
  std::vector<std::string> a0 = run("count: 501", 0), a1 = run("count: 501", 1);
  CHECK(a0.size() == 251);
  CHECK(a1.size() == 250);
  std::set<std::string> seen(a0.begin(), a0.end());
  CHECK(seen == sentences);
  for (const std::string& s : a1) CHECK(sentences.count(s) == 1);
  CHECK(a0 == run("count: 501", 0));
  CHECK(a0 != run("count: 501, seed: 2", 0));
  CHECK(a0 != std::vector<std::string>(a1.begin(), a1.end()));
}

// ---- readers (file spout; stdin shares the code) ----------------------------

TEST_CASE("file spout, lines: one tuple per line; CR stripped; blank lines kept; a last line without newline") {
  ReadResult r = ReadWith("a\nb\r\n\n  c d \nlast", "");
  CHECK(r.rows == std::vector<std::string>{"a", "b", "", "  c d ", "last"});
  CHECK(r.errors.empty());
  CHECK(ReadWith("", "").rows.empty());
}

TEST_CASE("file spout, lines: long lines across read chunks stay whole") {
  std::string big(3 << 20, 'x');
  ReadResult r = ReadWith("s\n" + big + "\ne\n", "");
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0] == "s");
  CHECK(r.rows[1] == big);
  CHECK(r.rows[2] == "e");
}

TEST_CASE("file spout, tsv: columns as strings; wrong widths go to Error") {
  ReadResult r = ReadWith("1\t2\n\n3\n4\t5\t6\n\t\r\nx y\tz", ", format: \"tsv\", fields: [\"a\", \"b\"]");
  CHECK(r.typed == std::vector<std::string>{"\"1\"|\"2\"", "\"\"|\"\"", "\"x y\"|\"z\""});
  CHECK(r.errors == std::vector<std::string>{"3 => expected 2 tab-separated fields, got 1",
                                             "4\t5\t6 => expected 2 tab-separated fields, got 3"});
}

TEST_CASE("file spout, csv: quoting, doubled quotes, trailing comma; malformed rows go to Error") {
  ReadResult r = ReadWith("x,\"y,z\",\"q\"\"r\"\na,b,\n,,\n\"a\"x,b,c\n1,2\n1,2,3,4\nst\"ray,b,c\n\"open,b,c\n",
                          ", format: \"csv\", fields: [\"a\", \"b\", \"c\"]");
  CHECK(r.rows == std::vector<std::string>{"x|y,z|q\"r", "a|b|", "||"});
  CHECK(r.errors == std::vector<std::string>{"\"a\"x,b,c => unexpected text after a quoted field",
                                             "1,2 => expected 3 comma-separated fields, got 2",
                                             "1,2,3,4 => expected 3 comma-separated fields, got 4",
                                             "st\"ray,b,c => a quote inside an unquoted field",
                                             "\"open,b,c\n => unterminated quoted field"});
}

TEST_CASE("file spout, csv: quoted fields hold newlines and CRLFs (RFC 4180); a stray quote swallows nothing") {
  ReadResult r = ReadWith("\"a\nb\",\"c\r\nd\"\"\n\"\r\n\"\",\"\"\r\nx\"y,z\nlast,one",
                          ", format: \"csv\", fields: [\"a\", \"b\"]");
  CHECK(r.rows == std::vector<std::string>{"a\nb|c\r\nd\"\n", "|", "last|one"});
  CHECK(r.errors == std::vector<std::string>{"x\"y,z => a quote inside an unquoted field"});
}

TEST_CASE("file spout, json: keys with their types, missing null, nested as JSON; bad lines go to Error") {
  ReadResult r = ReadWith("{\"b\": \"x\", \"a\": 1}\n{\"a\": {\"z\": [1]}}\n[1]\n{bad\n{\"a\": 2.5, \"b\": false}\n",
                          ", format: \"json\", fields: [\"a\", \"b\"]");
  CHECK(r.typed == std::vector<std::string>{"1|\"x\"", "\"{\"z\":[1]}\"|null", "2.5f|false"});
  CHECK(r.errors == std::vector<std::string>{"[1] => not a JSON object",
                                             "{bad => invalid JSON at byte 1: Missing a name for object member."});
}

TEST_CASE("file spout, json: a deep record goes to Error and the records after it come out") {
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  ReadResult r = ReadWith("{\"a\": 1}\n" + deep + "\n{\"a\": 2}\n", ", format: \"json\", fields: [\"a\"]");
  CHECK(r.rows == std::vector<std::string>{"1", "2"});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0] == deep + " => invalid JSON: nested deeper than 128 levels");
}

TEST_CASE("file spout: a missing file fails Open with the path and the reason") {
  Topo topo(
      "topology t {\n spout s = file(path: \"/nonexistent/smc-missing.txt\")\n sink o = null() <- s shuffle\n}\n");
  smc::rt::Context ctx = topo.Ctx("s");
  auto s = smc::stdlib::MakeFileSpout();
  CHECK_THROWS_WITH(s->Open(ctx), "cannot open '/nonexistent/smc-missing.txt': No such file or directory");
}

// ---- writers (file sink, through runtime/outputs.h) ------------------------

namespace {
// Five mixed fields written by a file sink in `format`.
std::string WriteMixed(const std::string& format) {
  std::string path = (TempDir() / ("out-" + format + ".txt")).string();
  std::string text =
      "topology t {\n spout s = stdin()\n bolt p = parse_json(fields: [\"k\", \"n\", \"z\", \"b\", \"f\"]) <- s "
      "shuffle\n"
      " sink o = file(path: \"" +
      path + "\", format: \"" + format + "\") <- p shuffle\n}\n";
  Batch b(5);
  Datum t1[5] = {Datum::Str("plain"), Datum::Int(-3), Datum::Null(), Datum::Bool(true), Datum::Float(1.5)};
  Datum t2[5] = {Datum::Str("a\tb\\c\nd\re"), Datum::Int(0), Datum::Str(""), Datum::Bool(false), Datum::Float(-0.25)};
  Datum t3[5] = {Datum::Str("has,comma"), Datum::Str("say \"hi\""), Datum::Str("x\ny"), Datum::Str("ctl\x01"),
                 Datum::Str("caf\xc3\xa9")};
  b.Append(t1);
  b.Append(t2);
  b.Append(t3);
  Topo topo(text);
  smc::rt::Context ctx = topo.Ctx("o");
  smc::rt::Outputs outputs;
  ctx.outputs = &outputs;
  auto sink = smc::stdlib::MakeFileSink();
  sink->Open(ctx);
  Recorder rec(ctx);
  sink->Execute(b, 0, rec);
  sink->Finish(rec);
  outputs.CloseAll();
  CHECK(outputs.Failed() == nullptr);
  return ReadAll(path);
}
}  // namespace

TEST_CASE("file sink, tsv: tabs, newlines, CRs and backslashes escaped; null empty") {
  CHECK(WriteMixed("tsv") ==
        "plain\t-3\t\ttrue\t1.5\n"
        "a\\tb\\\\c\\nd\\re\t0\t\tfalse\t-0.25\n"
        "has,comma\tsay \"hi\"\tx\\ny\tctl\x01\tcaf\xc3\xa9\n");
}

TEST_CASE("file sink, csv: fields with commas, quotes or newlines quoted, quotes doubled") {
  CHECK(WriteMixed("csv") ==
        "plain,-3,,true,1.5\n"
        "\"a\tb\\c\nd\re\",0,,false,-0.25\n"
        "\"has,comma\",\"say \"\"hi\"\"\",\"x\ny\",ctl\x01,caf\xc3\xa9\n");
}

TEST_CASE("file sink, json: one object per line keyed by field, strings escaped, types kept") {
  CHECK(WriteMixed("json") ==
        "{\"k\": \"plain\", \"n\": -3, \"z\": null, \"b\": true, \"f\": 1.5}\n"
        "{\"k\": \"a\\tb\\\\c\\nd\\re\", \"n\": 0, \"z\": \"\", \"b\": false, \"f\": -0.25}\n"
        "{\"k\": \"has,comma\", \"n\": \"say \\\"hi\\\"\", \"z\": \"x\\ny\", \"b\": \"ctl\\u0001\", \"f\": "
        "\"caf\xc3\xa9\"}\n");
}

TEST_CASE("file sink: a path that cannot be opened fails Open with the reason") {
  std::string dir = TempDir().string();
  Topo topo("topology t {\n spout s = stdin()\n sink o = file(path: \"" + dir + "\") <- s shuffle\n}\n");
  smc::rt::Context ctx = topo.Ctx("o");
  smc::rt::Outputs outputs;
  ctx.outputs = &outputs;
  auto sink = smc::stdlib::MakeFileSink();
  CHECK_THROWS_WITH(sink->Open(ctx), ("cannot open '" + dir + "' for writing: Is a directory").c_str());
}

TEST_CASE("file sink: large output is written whole, in order") {
  std::string path = (TempDir() / "big.txt").string();
  Topo topo("topology t {\n spout s = generate()\n sink o = file(path: \"" + path +
            "\", format: \"lines\") <- s shuffle\n}\n");
  smc::rt::Context ctx = topo.Ctx("o");
  smc::rt::Outputs outputs;
  ctx.outputs = &outputs;
  auto sink = smc::stdlib::MakeFileSink();
  sink->Open(ctx);
  Recorder rec(ctx);
  std::string expect;
  for (int chunk = 0; chunk < 20; ++chunk) {
    std::vector<int64_t> v;
    for (int i = 0; i < 5000; ++i) {
      v.push_back(chunk * 5000 + i);
      expect += std::to_string(chunk * 5000 + i) + "\n";
    }
    sink->Execute(Ints(v), 0, rec);
  }
  sink->Finish(rec);
  outputs.CloseAll();
  CHECK(ReadAll(path) == expect);
}

TEST_CASE("csv: what the file sink writes the file spout reads back identically (randomised, fixed seed)") {
  std::mt19937 rng(20261201);
  const std::string alphabet = "ab,\"\n\r \t\\x\xc3\xa9";
  for (int width : {1, 2, 5}) {
    std::string path = (TempDir() / ("rt-" + std::to_string(width) + ".csv")).string();
    std::string fields;
    for (int k = 0; k < width; ++k) fields += std::string(k ? ", " : "") + "\"f" + std::to_string(k) + "\"";
    Topo topo("topology t {\n spout s = stdin(format: \"csv\", fields: [" + fields + "])\n sink o = file(path: \"" +
              path + "\", format: \"csv\") <- s shuffle\n}\n");
    smc::rt::Context ctx = topo.Ctx("o");
    smc::rt::Outputs outputs;
    ctx.outputs = &outputs;
    auto sink = smc::stdlib::MakeFileSink();
    sink->Open(ctx);
    Recorder rec(ctx);
    std::vector<std::string> expect;
    std::vector<std::string> cells(width);
    Batch b(width);
    for (int t = 0; t < 2000; ++t) {
      std::string row;
      std::vector<Datum> d(width);
      for (int k = 0; k < width; ++k) {
        cells[k].clear();
        int len = static_cast<int>(rng() % 6);
        for (int i = 0; i < len; ++i) cells[k] += alphabet[rng() % alphabet.size()];
        row += (k ? "|" : "") + cells[k];
        d[k] = Datum::Str(cells[k]);
      }
      b.Append(d.data());
      expect.push_back(row);
    }
    sink->Execute(b, 0, rec);
    sink->Finish(rec);
    outputs.CloseAll();
    std::string written = ReadAll(path);
    ReadResult r = ReadWith(written, ", format: \"csv\", fields: [" + fields + "]");
    CHECK(r.errors.empty());
    CHECK(r.rows == expect);
  }
}

// ---- custom grouping -------------------------------------------------------

TEST_CASE("modulo grouping: value mod instances, negatives wrapped, non-integers to instance 0") {
  auto g = smc::stdlib::MakeModuloGrouping();
  std::map<std::string, smc::Value> args = {{"field", smc::Value::String("n")}};
  g->Prepare(3, args, {"x", "n"});
  auto choose = [&](Datum n) {
    Datum t[2] = {Datum::Str("ignored"), n};
    std::vector<int> out;
    g->Choose(t, &out);
    return out;
  };
  CHECK(choose(Datum::Int(7)) == std::vector<int>{1});
  CHECK(choose(Datum::Int(9)) == std::vector<int>{0});
  CHECK(choose(Datum::Int(-1)) == std::vector<int>{2});
  CHECK(choose(Datum::Int(-3)) == std::vector<int>{0});
  CHECK(choose(Datum::Str("5")) == std::vector<int>{0});
  CHECK(choose(Datum::Null()) == std::vector<int>{0});
  CHECK(choose(Datum::Float(5.0)) == std::vector<int>{0});
}

TEST_CASE("multi-lang: lists and maps stay JSON from a child's tuple, through a batch, to the next child") {
  rapidjson::Document doc;
  doc.Parse(R"([1, ["a", {"b": null}], {"k": [2]}, "[1]"])");
  REQUIRE(doc.IsArray());
  std::vector<std::string> scratch(4);
  std::vector<Datum> v;
  for (rapidjson::SizeType k = 0; k < 4; ++k) v.push_back(smc::stdlib::JsonDatum(doc[k], &scratch[k]));
  CHECK(!v[0].json);
  CHECK((v[1].type == Type::kString && v[1].json && v[1].s == R"(["a",{"b":null}])"));
  CHECK((v[2].type == Type::kString && v[2].json && v[2].s == R"({"k":[2]})"));
  CHECK((v[3].type == Type::kString && !v[3].json));  // a string that looks like a list stays a string
  Batch b(4);
  b.Append(v.data());
  Batch copy(4);
  copy.AppendAll(b);
  std::string out;
  smc::stdlib::AppendTupleJson("7", "s", "default", 3, copy, 0, &out);
  CHECK(
      out ==
      R"({"id": "7", "comp": "s", "stream": "default", "task": 3, "tuple": [1, ["a",{"b":null}], {"k":[2]}, "[1]"]})");
  CHECK(copy.Get(0, 1).ToText() == R"(["a",{"b":null}])");  // built-ins see the text
}

TEST_CASE("multi-lang: the handshake's conf: the Storm keys smc knows, then topology.* and conf.* settings") {
  smc::rt::Plan plan = smc::test::PlanOf(
      "topology t {\n set topology.debug = true\n set conf.db.url = \"x\"\n spout s = shell(\"x\") -> (n)\n"
      " bolt b = shell(\"y\") x2 <- s shuffle -> (n) { tick = 2s, topology.debug = false, conf.wait = 1500ms,"
      " topology.tick.tuple.freq.secs = 9 }\n sink o = null() <- b shuffle\n}\n");
  smc::rt::Context ctx;
  ctx.topology = smc::rt::ViewOf(plan.topologies[0], 1);
  ctx.tick_ns = 2'000'000'000;
  CHECK(smc::stdlib::ConfJson(ctx, 10'000'000'000) ==
        R"({"db.url": "x", "topology.acker.executors": 0, "topology.debug": false, )"
        R"("topology.max.spout.pending": 8, "topology.message.timeout.secs": 10, "topology.name": "t", )"
        R"("topology.subprocess.timeout.secs": 30, "topology.tick.tuple.freq.secs": 9, "topology.workers": 1, )"
        R"("wait": 1.5})");
  ctx.topology = smc::rt::ViewOf(plan.topologies[0], 0);  // the spout: the topology's settings only, no tick
  ctx.tick_ns = 0;
  CHECK(smc::stdlib::ConfJson(ctx, 30'000'000'000) ==
        R"({"db.url": "x", "topology.acker.executors": 0, "topology.debug": true, )"
        R"("topology.max.spout.pending": 8, "topology.message.timeout.secs": 30, "topology.name": "t", )"
        R"("topology.subprocess.timeout.secs": 30, "topology.workers": 1})");
}
