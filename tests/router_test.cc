// The router alone (runtime/router.h): a plan from text, one producing
// instance's Router, tuples fed in, and every delivery recorded, with exact
// expectations per grouping. No threads, no flow graph.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "runtime/router.h"
#include "stdlib/builtins.h"
#include "tests/plan_util.h"

namespace {

using smc::rt::Batch;
using smc::rt::BatchPool;
using smc::rt::Datum;
using smc::rt::Message;
using smc::rt::Router;

struct Delivery {
  int component = 0;
  int instance = 0;
  Message::Kind kind = Message::Kind::kData;
  int input = 0;
  uint64_t count = 0;                            // kEos
  std::vector<std::vector<std::string>> tuples;  // kData, as text
  int source_task = 0;                           // kData
};

class Recorder final : public smc::rt::Deliveries {
 public:
  explicit Recorder(BatchPool* pool) : pool_(pool) {}
  void Deliver(int component, int instance, const Message& m) override {
    Delivery d{component, instance, m.kind, m.input, m.count, {}};
    if (m.kind == Message::Kind::kData) {
      d.source_task = m.batch->source_task();
      for (size_t t = 0; t < m.batch->size(); ++t) {
        auto& row = d.tuples.emplace_back();
        for (int k = 0; k < m.batch->width(); ++k) row.push_back(m.batch->Get(t, k).ToText());
      }
      pool_->Put(m.batch);
    }
    got.push_back(std::move(d));
  }
  // Instance -> the tuples' field `k`, in delivery order, for data to `component`.
  std::map<int, std::vector<std::string>> Field(int component, int k) const {
    std::map<int, std::vector<std::string>> out;
    for (const Delivery& d : got) {
      if (d.component != component || d.kind != Message::Kind::kData) continue;
      for (const auto& row : d.tuples) out[d.instance].push_back(row[k]);
    }
    return out;
  }
  std::vector<Delivery> got;

 private:
  BatchPool* pool_;
};

// A plan, and the router of one instance of its producer `from`.
struct Rig {
  smc::rt::Plan plan;
  BatchPool pool;
  Recorder rec{&pool};
  std::unique_ptr<Router> router;
  int consumer = 0;
  Rig(const std::string& body, const std::string& from = "s", int instance = 0) {
    plan = smc::test::PlanOf("topology t {\n" + body + "\n}\n");
    const smc::rt::PlanTopology& t = plan.topologies[0];
    std::vector<int> first_task;
    int task = 1;
    for (const auto& c : t.components) {
      first_task.push_back(task);
      task += c.parallelism;
    }
    router = std::make_unique<Router>(t, smc::test::ComponentIndex(t, from), instance, first_task, &pool, &rec);
    router->PrepareCustom(smc::StandardRegistry());
    consumer = smc::test::ComponentIndex(t, "p");
  }
  void Emit3(const std::string& a, const std::string& b, const std::string& c) {
    Datum v[3] = {Datum::Str(a), Datum::Str(b), Datum::Str(c)};
    router->Emit(0, v);
  }
};

const char* kTsv = " spout s = stdin(format: \"tsv\", fields: [\"a\", \"b\", \"c\"]) { batch.size = 4 }\n";

}  // namespace

TEST_CASE("router: fields on a non-first field: a key's tuples go to one instance whatever the other fields") {
  Rig r(std::string(kTsv) + " bolt p = identity() x4 <- s fields(b)\n");
  for (int i = 0; i < 400; ++i) r.Emit3("a" + std::to_string(i), "k" + std::to_string(i % 20), "c" + std::to_string(i));
  r.router->FlushAll();
  std::map<std::string, std::set<int>> where;
  size_t total = 0;
  for (auto& [inst, keys] : r.rec.Field(r.consumer, 1)) {
    total += keys.size();
    for (const std::string& k : keys) where[k].insert(inst);
  }
  CHECK(total == 400);
  CHECK(where.size() == 20);
  std::set<int> used;
  for (auto& [k, insts] : where) {
    CHECK_MESSAGE(insts.size() == 1, k);
    used.insert(*insts.begin());
    CHECK(*insts.begin() == static_cast<int>(smc::rt::ReduceHash(smc::rt::HashDatum(Datum::Str(k)), 4)));
  }
  CHECK(used.size() == 4);  // 20 keys spread over all four
}

TEST_CASE("router: fields on two fields: the pair decides; either field alone does not") {
  Rig r(std::string(kTsv) + " bolt p = identity() x4 <- s fields(a, c)\n");
  for (int a = 0; a < 10; ++a) {
    for (int c = 0; c < 10; ++c) {
      for (int b = 0; b < 3; ++b) r.Emit3("a" + std::to_string(a), "b" + std::to_string(b), "c" + std::to_string(c));
    }
  }
  r.router->FlushAll();
  std::map<std::string, std::set<int>> pair, first, second;
  for (const Delivery& d : r.rec.got) {
    for (const auto& row : d.tuples) {
      pair[row[0] + "/" + row[2]].insert(d.instance);
      first[row[0]].insert(d.instance);
      second[row[2]].insert(d.instance);
    }
  }
  CHECK(pair.size() == 100);
  for (auto& [k, insts] : pair) CHECK_MESSAGE(insts.size() == 1, k);
  // Both fields count: with a fixed `a`, the instance varies with `c`, and the other way round.
  int a_split = 0, c_split = 0;
  for (auto& [k, insts] : first) a_split += insts.size() > 1;
  for (auto& [k, insts] : second) c_split += insts.size() > 1;
  CHECK(a_split == 10);
  CHECK(c_split == 10);
}

TEST_CASE("router: partial key: two distinct candidates for every key and instance count") {
  for (size_t n = 2; n <= 9; ++n) {
    for (uint64_t h = 0; h < 20000; ++h) {
      auto [a, b] = smc::rt::PartialKeyCandidates(h * 0x9e3779b97f4a7c15ULL + 12345, n);
      REQUIRE(a != b);
      REQUIRE(a < n);
      REQUIRE(b < n);
    }
  }
  auto [a, b] = smc::rt::PartialKeyCandidates(42, 1);
  CHECK(a == 0);
  CHECK(b == 0);
}

TEST_CASE("router: partial key: each of 12 hot keys alone splits evenly over its two distinct candidates") {
  // Once the second candidate could equal the first (1 key in n): such a key never split.
  for (int n = 2; n <= 4; ++n) {
    for (int k = 0; k < 12; ++k) {
      CAPTURE(n);
      CAPTURE(k);
      Rig r(std::string(kTsv) + " bolt p = identity() x" + std::to_string(n) + " <- s partial(a)\n");
      std::string key = "hot" + std::to_string(k);
      for (int i = 0; i < 100; ++i) r.Emit3(key, "x", std::to_string(i));
      r.router->FlushAll();
      auto [a, b] = smc::rt::PartialKeyCandidates(smc::rt::HashDatum(Datum::Str(key)), n);
      std::map<int, size_t> got;
      for (auto& [inst, keys] : r.rec.Field(r.consumer, 0)) got[inst] = keys.size();
      CHECK(got == std::map<int, size_t>{{static_cast<int>(a), 50}, {static_cast<int>(b), 50}});
    }
  }
}

TEST_CASE("router: partial key: 12 hot keys together: each on its two distinct candidates, none overloaded") {
  // Issue 10's case: 12 hot keys in random order; once 6 of them were never
  // split (their two candidates were one instance) and one instance carried
  // 39% of the traffic. Now every instance stays within 1.5x of an even share.
  // (A key may still stay on one of its two candidates when the other is
  // busier with other keys: Storm's rule, the less loaded wins, does the same;
  // the test before this one shows that each key alone splits evenly.)
  std::mt19937 rng(10);
  for (int n = 2; n <= 8; ++n) {
    CAPTURE(n);
    Rig r(std::string(kTsv) + " bolt p = identity() x" + std::to_string(n) + " <- s partial(a)\n");
    for (int i = 0; i < 12000; ++i) r.Emit3("hot" + std::to_string(rng() % 12), "x", "y");
    r.router->FlushAll();
    std::map<std::string, std::set<int>> where;
    std::map<int, size_t> per_instance;
    for (auto& [inst, keys] : r.rec.Field(r.consumer, 0)) {
      for (const std::string& k : keys) where[k].insert(inst);
      per_instance[inst] += keys.size();
    }
    REQUIRE(where.size() == 12);
    for (auto& [k, insts] : where) {
      CAPTURE(k);
      auto [a, b] = smc::rt::PartialKeyCandidates(smc::rt::HashDatum(Datum::Str(k)), n);
      REQUIRE(a != b);
      for (int inst : insts) CHECK((inst == static_cast<int>(a) || inst == static_cast<int>(b)));
    }
    for (auto& [inst, count] : per_instance) CHECK(count <= 12000 / n + 12000 / (2 * n));  // within 1.5x of even
  }
}

TEST_CASE("router: partial key: many keys: each only on its two candidates, the instances balanced") {
  Rig r(std::string(kTsv) + " bolt p = identity() x4 <- s partial(a)\n");
  for (int round = 0; round < 100; ++round) {
    for (int k = 0; k < 12; ++k) r.Emit3("hot" + std::to_string(k), "x", "y");
  }
  r.router->FlushAll();
  std::map<int, int> per_instance;
  size_t total = 0;
  for (auto& [inst, keys] : r.rec.Field(r.consumer, 0)) {
    for (const std::string& k : keys) {
      auto [a, b] = smc::rt::PartialKeyCandidates(smc::rt::HashDatum(Datum::Str(k)), 4);
      REQUIRE((inst == static_cast<int>(a) || inst == static_cast<int>(b)));
    }
    per_instance[inst] += static_cast<int>(keys.size());
    total += keys.size();
  }
  CHECK(total == 1200);
  REQUIRE(per_instance.size() == 4);
  for (auto& [inst, n] : per_instance) CHECK(std::abs(n - 300) <= 100);
}

TEST_CASE("router: direct emit: instances 0 to parallelism-1 only, exact error beyond") {
  Rig r(
      " spout s = shell(\"x\") -> default(n), other(n)\n bolt p = identity() x3 <- s direct\n"
      " bolt q = identity() <- s.other shuffle\n");
  Datum d = Datum::Int(7);
  r.router->EmitDirect(0, 2, &d);
  r.router->EmitDirect(0, 0, &d);
  CHECK_THROWS_WITH(r.router->EmitDirect(0, 3, &d), "direct emit to instance 3 of 'p', which has 3");
  CHECK_THROWS_WITH(r.router->EmitDirect(0, -1, &d), "direct emit to instance -1 of 'p', which has 3");
  // Never a silent loss: an emit without a task cannot reach a direct reader,
  // and a direct one cannot reach a reader by another grouping.
  CHECK_THROWS_WITH(r.router->Emit(0, &d),
                    "emitted on stream 'default' without naming a task, but 'p' reads it with 'direct'");
  CHECK_THROWS_WITH(r.router->EmitDirect(1, 0, &d),
                    "emitted direct to instance 0 on stream 'other', but 'q' reads it with 'shuffle', not 'direct'");
  CHECK_THROWS_WITH(r.router->EmitDirectTask(1, 2, &d),
                    "emitted direct to task 2 on stream 'other', but 'q' reads it with 'shuffle', not 'direct'");
  r.router->FlushAll();
  auto p = r.rec.Field(r.consumer, 0);
  CHECK(p == std::map<int, std::vector<std::string>>{{0, {"7"}}, {2, {"7"}}});
  CHECK(r.rec.Field(smc::test::ComponentIndex(r.plan.topologies[0], "q"), 0).empty());
  // By task id: p's tasks are 2, 3, 4 (s is task 1).
  r.rec.got.clear();
  r.router->EmitDirectTask(0, 4, &d);
  CHECK_THROWS_WITH(r.router->EmitDirectTask(0, 5, &d), "direct emit to task 5, which is not an instance of 'p'");
  r.router->FlushAll();
  CHECK(r.rec.Field(r.consumer, 0) == std::map<int, std::vector<std::string>>{{2, {"7"}}});
}

TEST_CASE("router: every batch names the task that emitted it (tuple.task for multi-lang readers)") {
  // s x3 is tasks 1..3: instance 2 is task 3; a batch pooled and reused gets it anew.
  Rig r(std::string(" spout s = generate(count: 1) x3\n bolt p = identity() x2 <- s shuffle\n"), "s", 2);
  for (int i = 0; i < 600; ++i) {
    Datum d = Datum::Str("x");
    r.router->Emit(0, &d);
  }
  r.router->FlushAll();
  REQUIRE(r.rec.got.size() >= 2);
  for (const Delivery& d : r.rec.got) CHECK(d.source_task == 3);
}

TEST_CASE("router: shuffle of whole batches: EmitAll sends each batch whole, to the instances in turn") {
  // The producer is instance 1 of 2, so its first pick is instance 1 of 3.
  Rig r(" spout s = generate(count: 1) x2 { batch.size = 4 }\n bolt p = identity() x3 <- s shuffle\n", "s", 1);
  for (int b = 0; b < 4; ++b) {
    Batch batch(1);
    for (int i = 0; i < 4; ++i) {
      Datum d = Datum::Int(b * 10 + i);
      batch.Append(&d);
    }
    r.router->EmitAll(0, batch);
  }
  REQUIRE(r.rec.got.size() == 4);
  std::vector<int> order;
  for (const Delivery& d : r.rec.got) {
    order.push_back(d.instance);
    CHECK(d.tuples.size() == 4);
  }
  CHECK(order == std::vector<int>{1, 2, 0, 1});
  CHECK(r.rec.got[2].tuples == std::vector<std::vector<std::string>>{{"20"}, {"21"}, {"22"}, {"23"}});
  CHECK(r.router->emitted() == 16);
  CHECK(!r.router->HasOpen());
}

TEST_CASE("router: batching: full batches go at batch.size, the rest on flush; end of stream counts batches") {
  Rig r(" spout s = generate(count: 1) { batch.size = 4 }\n bolt p = identity() x2 <- s all\n");
  for (int i = 0; i < 10; ++i) {
    Datum d = Datum::Int(i);
    r.router->Emit(0, &d);
  }
  CHECK(r.rec.got.size() == 4);  // two full batches to each instance
  CHECK(r.router->HasOpen());
  r.router->SendEos();
  REQUIRE(r.rec.got.size() == 8);
  std::map<int, uint64_t> eos;
  for (const Delivery& d : r.rec.got) {
    if (d.kind == Message::Kind::kEos) eos[d.instance] = d.count;
  }
  CHECK(eos == std::map<int, uint64_t>{{0, 3}, {1, 3}});
  CHECK(r.rec.Field(r.consumer, 0)[1] == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
}

TEST_CASE("router: custom grouping: modulo puts each value on instance value mod n") {
  Rig r(
      " spout s = generate(count: 1) { batch.size = 1000 }\n bolt p = identity() x3 <- s custom modulo(field: "
      "\"n\")\n");
  for (int i = 0; i < 30; ++i) {
    Datum d = Datum::Int(i);
    r.router->Emit(0, &d);
  }
  r.router->FlushAll();
  auto p = r.rec.Field(r.consumer, 0);
  REQUIRE(p.size() == 3);
  for (auto& [inst, vals] : p) {
    CHECK(vals.size() == 10);
    for (const std::string& v : vals) CHECK(std::stoi(v) % 3 == inst);
  }
}

TEST_CASE("router: custom grouping: several instances per tuple; an instance out of range is an exact error") {
  // Value v >= 90 chooses instance v - 90 alone; others choose 0 and 2.
  class Pick final : public smc::rt::CustomGrouping {
   public:
    void Prepare(int, const std::map<std::string, smc::Value>&, const std::vector<std::string>&) override {}
    void Choose(const Datum* t, std::vector<int>* out) override {
      if (t[0].i >= 90)
        out->push_back(static_cast<int>(t[0].i) - 90);
      else
        out->insert(out->end(), {0, 2});
    }
  };
  smc::rt::Registry reg = smc::StandardRegistry();
  reg.AddGrouping("modulo", [] { return std::make_unique<Pick>(); });
  Rig r(" spout s = generate(count: 1)\n bolt p = identity() x3 <- s custom modulo(field: \"n\")\n");
  r.router = std::make_unique<Router>(r.plan.topologies[0], 0, 0, std::vector<int>{1, 2}, &r.pool, &r.rec);
  r.router->PrepareCustom(reg);
  Datum d = Datum::Int(1);
  r.router->Emit(0, &d);
  Datum bad = Datum::Int(95);
  CHECK_THROWS_WITH(r.router->Emit(0, &bad), "custom grouping 'modulo' chose instance 5 of 3");
  Datum just_past = Datum::Int(93);  // instance 3 of 3: exactly parallelism, the first index past the end
  CHECK_THROWS_WITH(r.router->Emit(0, &just_past), "custom grouping 'modulo' chose instance 3 of 3");
  Datum below = Datum::Int(89);  // under 90: instances 0 and 2
  r.router->Emit(0, &below);
  Datum last = Datum::Int(92);  // instance 2 of 3: the last valid one
  r.router->Emit(0, &last);
  r.router->FlushAll();
  CHECK(r.rec.Field(r.consumer, 0) ==
        std::map<int, std::vector<std::string>>{{0, {"1", "89"}}, {2, {"1", "89", "92"}}});
}

TEST_CASE("router: errors go to the errors stream as (input, reason), counted as errors, not emits") {
  Rig r(" spout s = stdin(format: \"json\", fields: [\"x\"])\n bolt p = identity() <- s.errors shuffle\n");
  r.router->Error("{bad", "invalid JSON");
  r.router->FlushAll();
  CHECK(r.router->errors() == 1);
  CHECK(r.router->emitted() == 0);
  REQUIRE(r.rec.got.size() == 1);
  CHECK(r.rec.got[0].tuples == std::vector<std::vector<std::string>>{{"{bad", "invalid JSON"}});
}
