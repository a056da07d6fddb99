// Unit tests of the built-ins that cut and test text: split, filter, project,
// parse_json.
#include <doctest/doctest.h>

#include "tests/stdlib/harness.h"

using namespace smc::test;  // the harness's helpers, in every test below

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

TEST_CASE("filter: '.' in a pattern without anchors is any character, not a literal dot") {
  BoltRun r(LinesInto("filter(regex: \"a.c\")"), smc::stdlib::MakeFilter());
  r.Run(Strings({"abc", "xa-cx", "a.c", "ac", "a..c"}));
  CHECK(r.rec.Take() == std::vector<std::string>{"abc", "xa-cx", "a.c"});
  BoltRun alt(LinesInto("filter(regex: \"v1.2|x\")"), smc::stdlib::MakeFilter());
  alt.Run(Strings({"v1.2", "v102", "v12", "x"}));
  CHECK(alt.rec.Take() == std::vector<std::string>{"v1.2", "v102", "x"});
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
