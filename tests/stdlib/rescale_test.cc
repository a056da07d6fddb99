// Unit tests of rebalance for the keyed built-ins (Component::Rescalable and
// MoveState): a stream is split over n instances by the key's route, their
// state is moved mid-stream into m fresh instances, the rest of the stream
// follows the new route, and what all of them emitted together must equal a
// run that was never rescaled.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/router.h"
#include "tests/stdlib/harness.h"

using namespace smc::test;  // the harness's helpers, in every test below

namespace {
using Make = std::unique_ptr<smc::rt::Component> (*)();

// With acking on, what the instances hold and release: every tuple is a tree
// of its own (a root) with one edge; each must come back once, with its edge.
struct Ledger {
  uint64_t next_root = 1;
  std::map<uint64_t, uint64_t> held;      // root -> its edge
  std::map<uint64_t, uint64_t> released;  // root -> what came back, XORed
  std::map<uint64_t, int> releases;       // root -> how many releases named it
};

class HoldRecorder : public Recorder {
 public:
  HoldRecorder(const smc::rt::Context& ctx, Ledger* ledger) : Recorder(ctx), ledger_(ledger) {}
  void Hold(const Batch&, size_t, smc::rt::HeldTrees* group) override {
    const uint64_t root = ledger_->next_root++;
    const uint64_t edge = root * 0x9e3779b97f4a7c15ULL ^ 0x5bd1e995;
    ledger_->held[root] = edge;
    auto [value, inserted] = group->xors.TryInsert(root);
    if (inserted) *value = 0;
    *value ^= edge;
  }
  void Release(smc::rt::HeldTrees* group) override {
    group->xors.ForEach([&](uint64_t root, uint64_t x) {
      ledger_->released[root] ^= x;
      ++ledger_->releases[root];
    });
    group->xors.Clear();
  }

 private:
  Ledger* ledger_;
};

// Instances of one bolt `b` fed by the route of a key field.
class Fleet {
 public:
  Fleet(const std::string& text, Make make, size_t n, int key_field = 0, bool acking = false)
      : topo_(text), ctx_(topo_.Ctx("b")), make_(make), key_field_(key_field) {
    ctx_.acking = acking;
    Start(n);
    instances_ = std::move(fresh_);
  }
  // Executes `b` split over the instances by the key's route.
  void Feed(const Batch& b) {
    const size_t n = instances_.size();
    std::vector<Batch> parts;
    for (size_t i = 0; i < n; ++i) parts.emplace_back(b.width());
    std::vector<Datum> row(b.width());
    for (size_t t = 0; t < b.size(); ++t) {
      for (int k = 0; k < b.width(); ++k) row[k] = b.Get(t, k);
      parts[Route(row[key_field_], n)].Append(row.data());
    }
    for (size_t i = 0; i < n; ++i) {
      if (parts[i].size() > 0) instances_[i]->Execute(parts[i], 0, *recorders_[first_ + i]);
    }
  }
  // Ticks every instance; records what they emitted since the last tick, sorted.
  void Tick() {
    for (size_t i = 0; i < instances_.size(); ++i) instances_[i]->Tick(*recorders_[first_ + i]);
    std::vector<std::string> rows;
    for (size_t r = 0; r < recorders_.size(); ++r) {
      const auto& all = recorders_[r]->rows;
      rows.insert(rows.end(), all.begin() + static_cast<std::ptrdiff_t>(seen_[r]), all.end());
      seen_[r] = all.size();
    }
    ticks.push_back(Sorted(rows));
  }
  // Moves every instance's state into m fresh ones, which replace them.
  void Rescale(size_t m) {
    Start(m);
    std::vector<smc::rt::Component*> to;
    for (auto& c : fresh_) to.push_back(c.get());
    const smc::rt::KeyRoute route = [m](const Datum& key) { return Route(key, m); };
    for (auto& c : instances_) {
      REQUIRE(c->Rescalable().kind == smc::rt::Rescaling::kKeyed);
      c->MoveState(to, route);
    }
    instances_ = std::move(fresh_);  // the old ones go, without Finish
    first_ = recorders_.size() - m;
  }
  void Finish() {
    for (size_t i = 0; i < instances_.size(); ++i) instances_[i]->Finish(*recorders_[first_ + i]);
  }
  // Everything every instance (old ones included) emitted, sorted.
  std::vector<std::string> Rows() const { return Gather(&Recorder::rows); }
  std::vector<std::string> Other() const { return Gather(&Recorder::other); }
  size_t size() const { return instances_.size(); }
  static size_t Route(const Datum& key, size_t n) { return smc::rt::ReduceHash(smc::rt::HashDatum(key), n); }

  Ledger ledger;
  std::vector<std::vector<std::string>> ticks;  // per Tick: what was emitted since the one before

 private:
  void Start(size_t n) {
    fresh_.clear();
    for (size_t i = 0; i < n; ++i) {
      fresh_.push_back(make_());
      fresh_.back()->Open(ctx_);
      recorders_.push_back(std::make_unique<HoldRecorder>(ctx_, &ledger));
      seen_.push_back(0);
    }
  }
  std::vector<std::string> Gather(std::vector<std::string> Recorder::*field) const {
    std::vector<std::string> all;
    for (const auto& r : recorders_) all.insert(all.end(), ((*r).*field).begin(), ((*r).*field).end());
    return Sorted(all);
  }
  Topo topo_;
  smc::rt::Context ctx_;
  Make make_;
  int key_field_;
  std::vector<std::unique_ptr<smc::rt::Component>> instances_, fresh_;
  std::vector<std::unique_ptr<HoldRecorder>> recorders_;  // every instance's, old ones first
  std::vector<size_t> seen_;                              // per recorder: rows taken by Tick
  size_t first_ = 0;                                      // the current instances' first recorder
};

// Runs `drive` on a fleet rescaled from n to m instances (drive calls its
// second argument mid-stream) and on the reference: `ref_instances` that are
// never rescaled (1: a single instance over the whole stream; m: the new
// route from the start). Both must emit the same.
template <typename Drive>
void CheckRescaled(const std::string& text, Make make, size_t n, size_t m, Drive drive, size_t ref_instances = 1,
                   int key_field = 0, bool acking = false) {
  CAPTURE(n);
  CAPTURE(m);
  Fleet ref(text, make, ref_instances, key_field, acking);
  drive(ref, [] {});
  Fleet f(text, make, n, key_field, acking);
  drive(f, [&] {
    f.Rescale(m);
    REQUIRE(f.size() == m);
  });
  CHECK(f.Rows() == ref.Rows());
  CHECK(f.Other() == ref.Other());
  CHECK(f.ticks == ref.ticks);
  if (acking) {  // every held tree released exactly once
    CHECK(!f.ledger.held.empty());
    CHECK(f.ledger.released == f.ledger.held);
    for (const auto& [root, count] : f.ledger.releases) {
      CAPTURE(root);
      CHECK(count == 1);
    }
  }
}

const std::vector<std::pair<size_t, size_t>> kShapes = {{1, 3}, {3, 2}};

Batch Keys(const std::vector<int>& ids, const std::string& prefix = "k") {
  std::vector<std::string> v;
  for (int i : ids) v.push_back(prefix + std::to_string(i));
  return Strings(v);
}

// (key, event time in seconds) pairs: every key of 0..keys-1 at each second
// from `from` to `to`, in a batch per second.
void Rounds(Fleet& f, int keys, int from, int to) {
  for (int s = from; s <= to; ++s) {
    std::vector<std::pair<std::string, std::string>> b;
    for (int k = 0; k < keys; ++k) {
      // Some a little behind the latest (within the lateness), none late.
      const std::string ts = (k % 3 == 1) ? std::to_string(s) + ".5" : std::to_string(s - (k % 4 == 2 ? 1 : 0));
      b.push_back({"k" + std::to_string(k), ts});
    }
    f.Feed(Pairs(b));
  }
}
}  // namespace

// ---- Rescalable ------------------------------------------------------------

TEST_CASE("rescale: the keyed built-ins are kKeyed on their key field; count windows and window are not") {
  auto kind = [](const std::string& text, Make make) {
    Topo topo(text);
    smc::rt::Context ctx = topo.Ctx("b");
    auto c = make();
    c->Open(ctx);
    return c->Rescalable();
  };
  for (auto [bolt, make] : std::vector<std::pair<std::string, Make>>{
           {"dedupe(key: \"v\")", smc::stdlib::MakeDedupe},
           {"dedupe(key: \"v\", window: 3)", smc::stdlib::MakeDedupe},
           {"top(key: \"v\")", smc::stdlib::MakeTop},
           {"rolling_count(key: \"v\")", smc::stdlib::MakeRollingCount},
           {"count(key: \"v\", window: 10s, timestamp: \"k\")", smc::stdlib::MakeCount},
           {"count(key: \"v\", window: 10s)", smc::stdlib::MakeCount}}) {
    CAPTURE(bolt);
    smc::rt::Rescaling r = kind(TsvInto(bolt), make);
    CHECK(r.kind == smc::rt::Rescaling::kKeyed);
    CHECK(r.key == std::vector<int>{1});
  }
  CHECK(kind(TsvInto("count(key: \"v\", window: 10)"), smc::stdlib::MakeCount).kind == smc::rt::Rescaling::kNone);
  CHECK(kind(TsvInto("window(window: 10s)"), smc::stdlib::MakeWindow).kind == smc::rt::Rescaling::kNone);
}

// ---- dedupe ----------------------------------------------------------------

TEST_CASE("rescale dedupe: the keys seen before the move stay seen") {
  for (const char* window : {"0", "1000"}) {  // 1000: more than the keys, so nothing is forgotten
    CAPTURE(window);
    for (auto [n, m] : kShapes) {
      CheckRescaled(LinesInto(std::string("dedupe(window: ") + window + ")"), smc::stdlib::MakeDedupe, n, m,
                    [](Fleet& f, auto mid) {
                      f.Feed(Keys({1, 2, 3, 1, 4, 5, 6, 2, 7, 8, 9, 10, 11}));
                      f.Feed(Keys({3, 12, 13, 4}));
                      mid();
                      f.Feed(Keys({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));
                      f.Feed(Keys({14, 17, 5, 18}));
                      f.Finish();
                    });
    }
  }
}

TEST_CASE("rescale dedupe with a window: each new instance keeps the latest of its keys, at most the window") {
  // One instance remembers the latest 4 of k0..k9 (k6..k9); split over two,
  // each remembers those of them routed to it, and the older keys pass.
  Fleet f(LinesInto("dedupe(window: 4)"), smc::stdlib::MakeDedupe, 1);
  f.Feed(Keys({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  f.Rescale(2);
  const size_t before = f.Rows().size();
  f.Feed(Keys({6, 7, 8, 9}));
  CHECK(f.Rows().size() == before);  // remembered
  f.Feed(Keys({5}));
  CHECK(f.Rows().size() == before + 1);  // forgotten before the move

  // Three instances, each remembering 2 keys, merged into one that keeps 2:
  // of the six, at most two are still dropped.
  Fleet g(LinesInto("dedupe(window: 2)"), smc::stdlib::MakeDedupe, 3);
  std::vector<int> ids;
  for (int i = 0; i < 60; ++i) ids.push_back(i);
  g.Feed(Keys(ids));
  // Each instance's last two keys.
  std::vector<std::vector<int>> last(3);
  for (int i : ids) {
    auto& l = last[Fleet::Route(Datum::Str("k" + std::to_string(i)), 3)];
    l.push_back(i);
    if (l.size() > 2) l.erase(l.begin());
  }
  std::vector<int> remembered;
  for (const auto& l : last) {
    REQUIRE(l.size() == 2);
    remembered.insert(remembered.end(), l.begin(), l.end());
  }
  g.Rescale(1);
  const size_t g_before = g.Rows().size();
  g.Feed(Keys({last[2][1]}));  // the newest key of the last instance moved is kept
  CHECK(g.Rows().size() == g_before);
  g.Feed(Keys(remembered));
  CHECK(g.Rows().size() - g_before >= 4);
}

// ---- top -------------------------------------------------------------------

TEST_CASE("rescale top: counts and scores move with their keys") {
  auto drive = [](Fleet& f, auto mid) {
    f.Feed(Keys({1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 6, 7, 8, 9}));
    mid();
    f.Feed(Keys({1, 1, 1, 1, 1, 2, 9, 9, 10, 11, 5, 5}));
    f.Finish();
  };
  for (auto [n, m] : kShapes) {
    // Every key ranked: the union is a single instance's ranking.
    CheckRescaled(LinesInto("top(n: 100, key: \"line\")"), smc::stdlib::MakeTop, n, m, drive);
    // The first 2 of each instance: as if the new route had been used from the start.
    CheckRescaled(LinesInto("top(n: 2, key: \"line\")"), smc::stdlib::MakeTop, n, m, drive, m);
    CheckRescaled(TsvInto("top(n: 100, key: \"k\", by: \"v\")"), smc::stdlib::MakeTop, n, m, [](Fleet& f, auto mid) {
      f.Feed(Pairs({{"a", "5"}, {"b", "7"}, {"c", "2.5"}, {"d", "1"}, {"e", "4"}}));
      mid();
      f.Feed(Pairs({{"a", "9"}, {"f", "3"}}));
      f.Finish();
    });
  }
}

// ---- rolling_count ---------------------------------------------------------

TEST_CASE("rescale rolling_count: counts leave the window on the same tick as without the move") {
  for (auto [n, m] : kShapes) {
    CheckRescaled(LinesInto("rolling_count(key: \"line\", window: 3s)", "{ tick = 1s }"), smc::stdlib::MakeRollingCount,
                  n, m, [](Fleet& f, auto mid) {
                    f.Feed(Keys({1, 2, 3, 4, 5, 1, 1}));
                    f.Tick();
                    f.Feed(Keys({2, 6, 7, 8, 1}));
                    f.Tick();
                    f.Feed(Keys({3, 9, 10}));
                    mid();  // the rings are two ticks on: not where fresh ones start
                    f.Feed(Keys({1, 11, 12, 3}));
                    f.Tick();
                    f.Tick();
                    f.Feed(Keys({4, 12}));
                    f.Tick();
                    f.Tick();
                    f.Tick();
                    f.Feed(Keys({5}));
                    f.Finish();
                  });
  }
}

// ---- count with a window ---------------------------------------------------

TEST_CASE("rescale windowed count by event time: windows, the watermark and late tuples, with acking") {
  for (bool acking : {false, true}) {
    CAPTURE(acking);
    for (auto [n, m] : kShapes) {
      CheckRescaled(
          TsvInto("count(key: \"k\", window: 10s, slide: 5s, timestamp: \"v\", lateness: 2s)"), smc::stdlib::MakeCount,
          n, m,
          [](Fleet& f, auto mid) {
            Rounds(f, 12, 1, 8);
            f.Feed(Pairs({{"k0", "1"}, {"k5", "2"}, {"k7", "3"}}));  // late everywhere (watermark 6 s)
            Rounds(f, 12, 9, 13);
            mid();
            // Late by the watermark the new instances took on: each has seen none of its own yet.
            std::vector<std::pair<std::string, std::string>> late;
            for (int k = 0; k < 12; ++k) late.push_back({"k" + std::to_string(k), "10"});
            f.Feed(Pairs(late));
            Rounds(f, 12, 14, 17);
            f.Feed(Pairs({{"k3", "8"}, {"k11", "14.9"}}));
            Rounds(f, 7, 18, 26);
            f.Finish();
          },
          1, 0, acking);
    }
  }
}

TEST_CASE("rescale windowed count by processing time, with ticks and acking") {
  // One long window (1000h): every tuple falls in the same one, which
  // closes at Finish; ticks close nothing meanwhile.
  for (auto [n, m] : kShapes) {
    CheckRescaled(
        LinesInto("count(key: \"line\", window: 1000h)", "{ tick = 1s }"), smc::stdlib::MakeCount, n, m,
        [](Fleet& f, auto mid) {
          f.Feed(Keys({1, 2, 2, 3, 3, 3, 4, 5, 6, 7}));
          f.Tick();
          mid();
          f.Tick();
          f.Feed(Keys({1, 2, 8, 9, 3}));
          f.Tick();
          f.Finish();
        },
        1, 0, true);
  }
}
