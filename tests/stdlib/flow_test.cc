// Unit tests of the built-ins that make or pace the flow: sample, throttle,
// the generating spouts, the modulo custom grouping.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "tests/stdlib/harness.h"

using namespace smc::test;  // the harness's helpers, in every test below

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

TEST_CASE("random_string: strings of the length over the alphabet, every character drawn, seeds repeat") {
  auto run = [](const std::string& args) {
    Topo topo("topology t {\n spout s = random_string(" + args + ")\n sink o = null() <- s shuffle\n}\n");
    smc::rt::Context ctx = topo.Ctx("s");
    auto s = smc::stdlib::MakeRandomStringSpout();
    s->Open(ctx);
    Recorder rec(ctx);
    Drain(*s, rec);
    return rec.rows;
  };
  std::vector<std::string> a = run("length: 7, alphabet: \"xyz\", count: 3000, seed: 3");
  REQUIRE(a.size() == 3000);
  std::map<char, int> seen;
  for (const std::string& str : a) {
    REQUIRE(str.size() == 7);  // odd: the last character has a draw of its own
    for (char c : str) ++seen[c];
  }
  REQUIRE(seen.size() == 3);
  for (auto [c, n] : seen) CHECK(std::abs(n - 7000) < 500);  // 21000 draws, a third each
  CHECK(run("length: 7, alphabet: \"xyz\", count: 3000, seed: 3") == a);
  CHECK(run("length: 7, alphabet: \"xyz\", count: 3000, seed: 4") != a);
  std::vector<std::string> one = run("length: 1, alphabet: \"q\", count: 2");
  CHECK(one == std::vector<std::string>{"q", "q"});
  CHECK(run("length: 0, count: 2") == std::vector<std::string>{"", ""});
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
