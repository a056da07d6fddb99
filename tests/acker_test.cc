// The acker (runtime/acker.h) and the replay buffer (runtime/spout_acking.h)
// alone, on a ManualTime: XOR completion in any order, explicit failures,
// timeouts by rotating buckets, parked trees, pending counts.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <unordered_map>
#include <vector>

#include "runtime/acker.h"
#include "runtime/flat_map64.h"
#include "runtime/spout_acking.h"

namespace {
using smc::rt::Acker;
using smc::rt::AckUpdate;
using smc::rt::ManualTime;
using smc::rt::SpoutAcks;
constexpr int64_t kSec = 1'000'000'000;

std::vector<SpoutAcks::Done> Take(SpoutAcks& a) {
  std::vector<SpoutAcks::Done> d;
  a.Take(&d);
  return d;
}
}  // namespace

TEST_CASE("acker: a tree completes when every edge was XORed twice, in any order, and not before") {
  ManualTime time;
  Acker acker(time, 30 * kSec);
  SpoutAcks owner;
  const uint64_t root = Acker::NewId();
  acker.Start(root, &owner, 7);
  CHECK(owner.pending() == 1);
  // spout -> a (e1); a emits b (e2) and c (e3) anchored to e1; b and c ack.
  uint64_t e1 = Acker::NewId(), e2 = Acker::NewId(), e3 = Acker::NewId();
  // The consumers' updates come first: the tree must not complete early.
  std::vector<AckUpdate> b_ack = {{root, e2}}, c_ack = {{root, e3}};
  acker.Apply(&b_ack);
  std::vector<AckUpdate> a_update = {{root, e1}, {root, e2}, {root, e3}};  // a's ack of e1 with its children
  acker.Apply(&a_update);
  CHECK(Take(owner).empty());
  acker.Apply(&c_ack);
  CHECK(Take(owner).empty());  // the spout's own update (root ^ e1) is still missing
  std::vector<AckUpdate> spout = {{root, root}, {root, e1}};
  acker.Apply(&spout);
  auto done = Take(owner);
  REQUIRE(done.size() == 1);
  CHECK(done[0].msg == 7);
  CHECK(done[0].kind == SpoutAcks::kAcked);
  CHECK(owner.pending() == 0);
  CHECK(acker.InFlight() == 0);
  // Updates for a tree that is gone are ignored.
  std::vector<AckUpdate> late = {{root, e1}};
  acker.Apply(&late);
  CHECK(Take(owner).empty());
}

TEST_CASE("acker: 10,000 trees over many shards, updates shuffled in big batches, all complete exactly once") {
  ManualTime time;
  Acker acker(time, 30 * kSec);
  SpoutAcks owner;
  std::vector<AckUpdate> all;
  for (uint64_t m = 0; m < 10000; ++m) {
    uint64_t root = Acker::NewId();
    acker.Start(root, &owner, m);
    all.push_back({root, root});
    for (int k = 0; k < 3; ++k) {
      uint64_t e = Acker::NewId();
      all.push_back({root, e});  // created
      all.push_back({root, e});  // acked
    }
  }
  std::shuffle(all.begin(), all.end(), std::mt19937_64(1));
  CHECK(owner.pending() == 10000);
  for (size_t i = 0; i < all.size(); i += 1000) {
    std::vector<AckUpdate> part(all.begin() + i, all.begin() + std::min(all.size(), i + 1000));
    acker.Apply(&part);
  }
  auto done = Take(owner);
  CHECK(done.size() == 10000);
  std::vector<bool> seen(10000, false);
  for (const auto& d : done) {
    CHECK(d.kind == SpoutAcks::kAcked);
    CHECK(!seen[d.msg]);
    seen[d.msg] = true;
  }
  CHECK(owner.pending() == 0);
  CHECK(acker.completed() == 10000);
}

TEST_CASE("acker: an explicit fail fails the tree once; later updates and fails are ignored") {
  ManualTime time;
  Acker acker(time, 30 * kSec);
  SpoutAcks owner;
  uint64_t root = Acker::NewId();
  acker.Start(root, &owner, 3);
  acker.Fail(&root, 1);
  acker.Fail(&root, 1);
  std::vector<AckUpdate> u = {{root, root}};
  acker.Apply(&u);
  auto done = Take(owner);
  REQUIRE(done.size() == 1);
  CHECK(done[0].msg == 3);
  CHECK(done[0].kind == SpoutAcks::kFailed);
  CHECK(owner.pending() == 0);
  CHECK(acker.failed() == 1);
}

TEST_CASE("acker: a tree times out between the timeout and 1.5 times it, not before; completed ones never do") {
  ManualTime time;
  Acker acker(time, 10 * kSec);
  SpoutAcks owner;
  uint64_t slow = Acker::NewId(), quick = Acker::NewId();
  acker.Start(slow, &owner, 1);
  acker.Start(quick, &owner, 2);
  std::vector<AckUpdate> u = {{quick, quick}};
  acker.Apply(&u);
  CHECK(Take(owner).size() == 1);
  int64_t waited = 0;
  std::vector<SpoutAcks::Done> done;
  while (done.empty() && waited < 60 * kSec) {
    time.Advance(kSec / 10);
    waited += kSec / 10;
    acker.Sweep();
    done = Take(owner);
  }
  REQUIRE(done.size() == 1);
  CHECK(done[0].msg == 1);
  CHECK(done[0].kind == SpoutAcks::kFailed);
  CHECK(waited >= 10 * kSec);
  CHECK(waited <= 15 * kSec);
  CHECK(acker.timed_out() == 1);
  CHECK(owner.pending() == 0);
}

TEST_CASE("acker: a parked tree stops counting as pending, never times out, and completes when released") {
  ManualTime time;
  Acker acker(time, 1 * kSec);
  SpoutAcks owner;
  uint64_t root = Acker::NewId(), e = Acker::NewId();
  acker.Start(root, &owner, 9);
  std::vector<AckUpdate> spout = {{root, root}, {root, e}};
  acker.Apply(&spout);
  acker.Park(&root, 1);
  acker.Park(&root, 1);  // twice (two aggregators): counted once
  CHECK(owner.pending() == 0);
  auto parked = Take(owner);
  REQUIRE(parked.size() == 1);  // the spout hears it once, and may forget the tuple
  CHECK(parked[0].kind == SpoutAcks::kParked);
  for (int i = 0; i < 100; ++i) {
    time.Advance(kSec / 2);
    acker.Sweep();
  }
  CHECK(Take(owner).empty());
  CHECK(acker.InFlight() == 1);
  std::vector<AckUpdate> release = {{root, e}};
  acker.Apply(&release);
  auto done = Take(owner);
  REQUIRE(done.size() == 1);
  CHECK(done[0].kind == SpoutAcks::kAcked);
  CHECK(owner.pending() == 0);  // not counted down twice
  // A parked tree that fails is reported as such (it cannot be replayed).
  uint64_t other = Acker::NewId();
  acker.Start(other, &owner, 10);
  acker.Park(&other, 1);
  acker.Fail(&other, 1);
  done = Take(owner);
  REQUIRE(done.size() == 2);
  CHECK(done[1].kind == SpoutAcks::kFailedParked);
}

TEST_CASE("acker: the replay buffer gives back every kept tuple's stream and values, and counts replays") {
  smc::rt::ReplayBuffer buffer;
  using smc::rt::Datum;
  Datum a[3] = {Datum::Str("hello\tworld"), Datum::Int(-5), Datum::Float(2.5)};
  Datum b[3] = {Datum::Null(), Datum::Bool(true), Datum::Str("")};
  uint64_t ia = buffer.Add(0, a, 3), ib = buffer.Add(2, b, 3);
  CHECK(ia != ib);
  int stream = -1;
  std::vector<Datum> got;
  REQUIRE(buffer.Find(ia, &stream, &got));
  CHECK(stream == 0);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == a[0]);
  CHECK(got[1] == a[1]);
  CHECK(got[2] == a[2]);
  REQUIRE(buffer.Find(ib, &stream, &got));
  CHECK(stream == 2);
  CHECK(got[0] == b[0]);
  CHECK(got[1] == b[1]);
  CHECK(got[2] == b[2]);
  CHECK(buffer.CountReplay(ia) == 0);
  CHECK(buffer.CountReplay(ia) == 1);
  buffer.Erase(ia);
  CHECK(!buffer.Find(ia, &stream, &got));
  CHECK(buffer.size() == 1);
}

TEST_CASE("acker: the flat map agrees with std::unordered_map over random inserts, erases and clears") {
  smc::rt::FlatMap64<uint64_t> flat;
  std::unordered_map<uint64_t, uint64_t> ref;
  std::mt19937_64 rng(20261202);
  // Keys from a small range so that runs collide and erases shift them back;
  // a few spread keys too.
  auto key = [&] { return rng() % 4 == 0 ? rng() | 1 : 1 + rng() % 3000; };
  for (int step = 0; step < 200000; ++step) {
    uint64_t k = key();
    switch (rng() % 3) {
      case 0: {
        auto [v, inserted] = flat.TryInsert(k);
        CHECK(inserted == (ref.count(k) == 0));
        if (inserted) *v = 0;
        *v += step;
        ref[k] += step;
        break;
      }
      case 1: CHECK(flat.Erase(k) == (ref.erase(k) == 1)); break;
      default: {
        const uint64_t* v = flat.Find(k);
        auto it = ref.find(k);
        REQUIRE((v != nullptr) == (it != ref.end()));
        if (v) CHECK(*v == it->second);
      }
    }
    REQUIRE(flat.size() == ref.size());
    if (step % 50000 == 49999) {
      size_t seen = 0;
      flat.ForEach([&](uint64_t k2, uint64_t v) {
        ++seen;
        CHECK(ref.at(k2) == v);
      });
      CHECK(seen == ref.size());
      flat.Clear();
      ref.clear();
      CHECK(flat.Find(1) == nullptr);
    }
  }
}

TEST_CASE("acker: trees started in a group (StartMany) complete and fail as trees started one by one") {
  ManualTime time;
  Acker acker(time, 30 * kSec);
  SpoutAcks owner;
  std::vector<smc::rt::TreeStart> starts;
  std::vector<AckUpdate> updates;
  std::vector<uint64_t> roots;
  for (uint64_t m = 1; m <= 1000; ++m) {
    uint64_t root = Acker::NewId();
    owner.AddPending();
    starts.push_back({root, &owner, m});
    roots.push_back(root);
  }
  acker.StartMany(&starts);
  CHECK(starts.empty());
  CHECK(owner.pending() == 1000);
  CHECK(acker.InFlight() == 1000);
  acker.Fail(&roots[0], 1);
  for (size_t i = 1; i < roots.size(); ++i) updates.push_back({roots[i], roots[i]});
  acker.Apply(&updates);
  CHECK(owner.pending() == 0);
  CHECK(acker.InFlight() == 0);
  std::vector<SpoutAcks::Done> done = Take(owner);
  REQUIRE(done.size() == 1000);
  CHECK(done[0].msg == 1);
  CHECK(done[0].kind == SpoutAcks::kFailed);
  CHECK(
      std::all_of(done.begin() + 1, done.end(), [](const SpoutAcks::Done& d) { return d.kind == SpoutAcks::kAcked; }));
}
