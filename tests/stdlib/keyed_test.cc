// Unit tests of the built-ins that keep state per key or window: count, top,
// rolling_count, sort, dedupe.
#include <doctest/doctest.h>

#include <set>

#include "tests/stdlib/harness.h"

using namespace smc::test;  // the harness's helpers, in every test below

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

TEST_CASE("sort: the window rolls across batches and within one, equal keys oldest first") {
  // The window is a ring reused in place: batches smaller than, equal to and
  // larger than it, and a stable order among equal keys after it wrapped.
  BoltRun r(TsvInto("sort(key: \"k\", window: 4)"), smc::stdlib::MakeSort());
  r.Run(Pairs({{"b", "1"}, {"a", "2"}}));
  r.c->Tick(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"a|2", "b|1"});
  r.Run(Pairs({{"b", "3"}, {"c", "4"}, {"a", "5"}}));  // "b|1" falls out
  r.c->Tick(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"a|2", "a|5", "b|3", "c|4"});
  r.Run(Pairs({{"z", "6"}, {"b", "7"}, {"b", "8"}, {"a", "9"}, {"b", "10"}, {"c", "11"}}));  // larger than the window
  r.c->Tick(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"a|9", "b|8", "b|10", "c|11"});
  r.Run(Pairs({{"b", "12"}}));
  r.c->Finish(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"a|9", "b|10", "b|12", "c|11"});
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

TEST_CASE("dedupe: values of different types are different keys, with a window and without") {
  // 2 and false, 3 and true share a hash (HashDatum); only equality, which
  // compares types first, tells them apart.
  std::vector<Datum> keys = {Datum::Int(2), Datum::Bool(false), Datum::Str("2"),   Datum::Float(2.0),
                             Datum::Int(3), Datum::Bool(true),  Datum::Null(),     Datum::Str(""),
                             Datum::Int(2), Datum::Bool(false), Datum::Bool(true), Datum::Null()};
  for (const char* window : {"10", "0"}) {
    CAPTURE(window);
    BoltRun r(LinesInto(std::string("dedupe(window: ") + window + ")"), smc::stdlib::MakeDedupe());
    Batch b(1);
    for (const Datum& k : keys) b.Append(&k);
    r.Run(b);
    CHECK(r.rec.typed_rows == std::vector<std::string>{"2", "false", "\"2\"", "2f", "3", "true", "null", "\"\""});
  }
}

TEST_CASE("tuple: a datum equals only a datum of its own type and value") {
  CHECK(Datum::Int(2) == Datum::Int(2));
  CHECK(Datum::Str("a") == Datum::Str("a"));
  CHECK(Datum::Null() == Datum::Null());
  CHECK_FALSE(Datum::Int(2) == Datum::Bool(false));
  CHECK_FALSE(Datum::Int(1) == Datum::Bool(true));
  CHECK_FALSE(Datum::Int(2) == Datum::Float(2.0));
  CHECK_FALSE(Datum::Int(0) == Datum::Null());
  CHECK_FALSE(Datum::Str("2") == Datum::Int(2));
  CHECK_FALSE(Datum::Str("") == Datum::Null());
}

TEST_CASE("dedupe: a window forgets the oldest keys") {
  BoltRun r(LinesInto("dedupe(window: 2)"), smc::stdlib::MakeDedupe());
  r.Run(Strings({"a", "b", "a", "b", "c", "a", "c"}));
  // a and b are remembered; c pushes a out, so a passes again; c is still remembered.
  CHECK(r.rec.Take() == std::vector<std::string>{"a", "b", "c", "a"});
}
