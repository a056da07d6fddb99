// Tests of the runtime (runtime/job.h) run in-process on real plans, with a
// registry in which some built-in names are replaced by probes that record
// what each instance receives: the per-instance view the binary cannot give.
//
// The process-wide StopSignal keeps the first stop reason for the life of the
// process, so a test whose job fails or is stopped must run in a process of
// its own: those are named "isolated: ..." and registered one per ctest entry
// (tests/runtime/CMakeLists.txt); the others run together.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dsl/parser.h"
#include "dsl/validator.h"
#include "runtime/clock.h"
#include "runtime/job.h"
#include "runtime/plan.h"
#include "stdlib/builtins.h"
#include "tests/plan_util.h"

namespace {

using smc::rt::Datum;

using smc::test::PlanOf;

// What probes saw, per component and instance.
struct Seen {
  std::mutex mu;
  std::map<std::string, std::map<int, std::vector<std::string>>> values;  // first field's text
  std::map<std::string, std::map<int, int>> finishes;
  std::map<std::string, std::map<int, int>> ticks;
  void Clear() {
    std::lock_guard<std::mutex> lock(mu);
    values.clear();
    finishes.clear();
    ticks.clear();
  }
};
Seen g_seen;

// Records the first field of every tuple and passes tuples on (an identity).
class Probe : public smc::rt::Component {
 public:
  void Open(const smc::rt::Context& ctx) override {
    name_ = ctx.component;
    instance_ = ctx.instance;
  }
  void Execute(const smc::rt::Batch& b, int, smc::rt::Emitter& out) override {
    std::vector<std::string> got;
    std::vector<Datum> v(b.width());
    for (size_t t = 0; t < b.size(); ++t) {
      got.push_back(b.Get(t, 0).ToText());
      for (int k = 0; k < b.width(); ++k) v[k] = b.Get(t, k);
      out.Emit(0, v.data());
    }
    std::lock_guard<std::mutex> lock(g_seen.mu);
    auto& dst = g_seen.values[name_][instance_];
    dst.insert(dst.end(), got.begin(), got.end());
  }
  void Tick(smc::rt::Emitter&) override {
    std::lock_guard<std::mutex> lock(g_seen.mu);
    ++g_seen.ticks[name_][instance_];
  }
  void Finish(smc::rt::Emitter&) override {
    std::lock_guard<std::mutex> lock(g_seen.mu);
    ++g_seen.finishes[name_][instance_];
  }

 private:
  std::string name_;
  int instance_ = 0;
};

// Emits each integer tuple directly to instance (n mod 2), and also with Emit
// (which must not reach direct subscribers).
class DirectEmitter : public smc::rt::Component {
 public:
  void Execute(const smc::rt::Batch& b, int, smc::rt::Emitter& out) override {
    for (size_t t = 0; t < b.size(); ++t) {
      Datum d = b.Get(t, 0);
      out.EmitDirect(0, static_cast<int>(d.i % 2), &d);
    }
  }
};

// Emits every tuple without naming a task.
class PlainEmitter : public smc::rt::Component {
 public:
  void Execute(const smc::rt::Batch& b, int, smc::rt::Emitter& out) override {
    for (size_t t = 0; t < b.size(); ++t) {
      Datum d = b.Get(t, 0);
      out.Emit(0, &d);
    }
  }
};

// Throws on the tuple whose value is 777.
class Thrower : public smc::rt::Component {
 public:
  void Execute(const smc::rt::Batch& b, int, smc::rt::Emitter&) override {
    for (size_t t = 0; t < b.size(); ++t) {
      if (b.Get(t, 0).i == 777) throw std::runtime_error("boom at 777");
    }
  }
};

// The standard registry with `identity` replaced: by a Probe, or by `other`
// for the components named in `special`.
smc::rt::Registry ProbeRegistry(std::set<std::string> special = {},
                                std::function<std::unique_ptr<smc::rt::Component>()> other = nullptr) {
  smc::rt::Registry r = smc::StandardRegistry();
  // The factory cannot see the component's name; Open does. Wrap it.
  class Switch : public smc::rt::Component {
   public:
    Switch(std::set<std::string> special, std::function<std::unique_ptr<smc::rt::Component>()> other)
        : special_(std::move(special)), other_(std::move(other)) {}
    void Open(const smc::rt::Context& ctx) override {
      if (special_.count(ctx.component))
        inner_ = other_();
      else
        inner_ = std::make_unique<Probe>();
      inner_->Open(ctx);
    }
    void Execute(const smc::rt::Batch& b, int input, smc::rt::Emitter& out) override { inner_->Execute(b, input, out); }
    void Tick(smc::rt::Emitter& out) override { inner_->Tick(out); }
    void Finish(smc::rt::Emitter& out) override { inner_->Finish(out); }

   private:
    std::set<std::string> special_;
    std::function<std::unique_ptr<smc::rt::Component>()> other_;
    std::unique_ptr<smc::rt::Component> inner_;
  };
  r.AddBolt("identity", [special, other] { return std::make_unique<Switch>(special, other); });
  r.AddBolt("shell", [special, other] { return std::make_unique<Switch>(special, other); });  // may emit direct
  return r;
}

struct Ran {
  smc::rt::JobResult result;
  std::string diag;
};

Ran RunText(const std::string& text, const smc::rt::Registry& registry, int threads = 0) {
  g_seen.Clear();
  smc::rt::Plan plan = PlanOf(text);
  smc::rt::JobOptions opts;
  opts.threads = threads;
  std::ostringstream diag;
  Ran r;
  r.result = smc::rt::RunTopology(plan, 0, registry, opts, diag);
  r.diag = diag.str();
  return r;
}

const smc::rt::ComponentMetrics& Metric(const Ran& r, const std::string& name) {
  for (const auto& c : r.result.metrics.components) {
    if (c.name == name) return c;
  }
  FAIL("no metrics for " << name);
  throw 0;
}

std::string Gen(int count, const std::string& rest, const std::string& spout_par = "") {
  return "topology t {\n spout s = generate(count: " + std::to_string(count) + ")" + spout_par + "\n" + rest + "\n}\n";
}

// Tight wall-clock bounds are stretched by SMC_TEST_SLOWDOWN (default 1),
// for sanitizer builds and loaded machines.
double Slowdown() {
  const char* s = std::getenv("SMC_TEST_SLOWDOWN");
  double f = s ? std::atof(s) : 1;
  return f >= 1 ? f : 1;
}

// Waits (really) until `cond` holds, for at most 10 s x slowdown.
template <typename F>
bool WaitFor(F cond) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(10000 * Slowdown()));
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

size_t SeenCount(const std::string& name) {
  std::lock_guard<std::mutex> lock(g_seen.mu);
  size_t n = 0;
  for (auto& [inst, vals] : g_seen.values[name]) n += vals.size();
  return n;
}

int TickCount(const std::string& name, int instance) {
  std::lock_guard<std::mutex> lock(g_seen.mu);
  return g_seen.ticks[name][instance];
}

// A spout that emits three tuples, then stays open (input that has not
// ended) until g_gate_open; counts its Next calls.
std::atomic<bool> g_gate_open{false};
std::atomic<int> g_gate_calls{0};
class GateSpout : public smc::rt::Spout {
 public:
  bool Next(smc::rt::Emitter& out, const smc::rt::SpoutControl& ctl) override {
    g_gate_calls.fetch_add(1);
    if (sent_ < 3) {
      for (; sent_ < 3; ++sent_) {
        std::string text = "t" + std::to_string(sent_);
        Datum d = Datum::Str(text);
        out.Emit(0, &d);
      }
      return true;
    }
    if (g_gate_open.load() || ctl.Stopping()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return true;
  }

 private:
  int sent_ = 0;
};

// ProbeRegistry with `random_sentence` replaced by a GateSpout.
smc::rt::Registry GateRegistry() {
  smc::rt::Registry r = ProbeRegistry();
  r.AddSpout("random_sentence", [] { return std::make_unique<GateSpout>(); });
  g_gate_open = false;
  g_gate_calls = 0;
  return r;
}

// Runs `text` on another thread with time from `time`.
struct Background {
  smc::rt::Plan plan;
  smc::rt::JobResult result;
  std::ostringstream diag;
  std::thread thread;
  Background(const std::string& text, const smc::rt::Registry& reg, const smc::rt::TimeSource* time) {
    g_seen.Clear();
    plan = PlanOf(text);
    smc::rt::JobOptions opts;
    opts.time = time;
    thread = std::thread([this, &reg, opts] { result = smc::rt::RunTopology(plan, 0, reg, opts, diag); });
  }
  void Join() { thread.join(); }
  // A failed REQUIRE leaves the job running: end it before the thread goes.
  ~Background() {
    if (thread.joinable()) {
      g_gate_open = true;
      thread.join();
    }
  }
};

}  // namespace

TEST_CASE("shuffle, local and none: each instance within 10% of an even share") {
  auto reg = ProbeRegistry();
  for (std::string g : {"shuffle", "local", "none"}) {
    for (std::string spout_par : {"", " x2"}) {
      CAPTURE(g);
      CAPTURE(spout_par);
      Ran r =
          RunText(Gen(30000, " bolt p = identity() x3 <- s " + g + "\n sink o = null() <- p shuffle", spout_par), reg);
      REQUIRE(r.result.outcome == smc::rt::Outcome::kOk);
      CHECK(r.diag == "");
      std::set<std::string> all;
      REQUIRE(g_seen.values["p"].size() == 3);
      for (auto& [inst, vals] : g_seen.values["p"]) {
        CHECK(vals.size() >= 9000);
        CHECK(vals.size() <= 11000);
        all.insert(vals.begin(), vals.end());
      }
      CHECK(all.size() == 30000);
      CHECK(Metric(r, "p").executed == 30000);
      CHECK(Metric(r, "o").executed == 30000);
    }
  }
}

TEST_CASE("fields: each key on exactly one instance, chosen by value; all: every instance; global: the first") {
  auto reg = ProbeRegistry();
  // Two streams carrying the same keys, from different producer instances,
  // must route a key to the same instance: each value arrives twice, both
  // times on one instance.
  Ran r = RunText(Gen(3000,
                      " bolt a = identity() x2 <- s shuffle\n bolt b = identity() x3 <- s shuffle\n"
                      " bolt p = identity() x4 <- a fields(n), b fields(n)\n sink o = null() <- p shuffle"),
                  reg);
  REQUIRE(r.result.outcome == smc::rt::Outcome::kOk);
  std::map<std::string, std::map<int, int>> where;
  for (auto& [inst, vals] : g_seen.values["p"]) {
    CHECK(vals.size() > 300 * 2);  // spread over the four
    for (const std::string& v : vals) ++where[v][inst];
  }
  CHECK(where.size() == 3000);
  for (auto& [v, insts] : where) {
    CHECK_MESSAGE(insts.size() == 1, v);
    CHECK_MESSAGE(insts.begin()->second == 2, v);
  }

  r = RunText(Gen(1000, " bolt p = identity() x3 <- s all\n sink o = null() <- p shuffle"), reg);
  REQUIRE(g_seen.values["p"].size() == 3);
  for (auto& [inst, vals] : g_seen.values["p"]) CHECK(vals.size() == 1000);
  CHECK(Metric(r, "o").executed == 3000);

  r = RunText(Gen(1000, " bolt p = identity() x3 <- s global\n sink o = null() <- p shuffle"), reg);
  REQUIRE(g_seen.values["p"].size() == 1);
  CHECK(g_seen.values["p"][0].size() == 1000);
}

TEST_CASE("custom modulo: instance = value mod parallelism") {
  auto reg = ProbeRegistry();
  Ran r =
      RunText(Gen(999, " bolt p = identity() x3 <- s custom modulo(field: \"n\")\n sink o = null() <- p shuffle"), reg);
  REQUIRE(r.result.outcome == smc::rt::Outcome::kOk);
  REQUIRE(g_seen.values["p"].size() == 3);
  for (auto& [inst, vals] : g_seen.values["p"]) {
    CHECK(vals.size() == 333);
    for (const std::string& v : vals) CHECK(std::stoi(v) % 3 == inst);
  }
}

TEST_CASE("direct: EmitDirect reaches the chosen instance only") {
  auto reg = ProbeRegistry({"d"}, [] { return std::make_unique<DirectEmitter>(); });
  Ran r = RunText(Gen(1000,
                      " bolt d = shell(\"x\") <- s shuffle -> (n)\n bolt p = identity() x2 <- d direct\n"
                      " sink o = null() <- p shuffle"),
                  reg);
  REQUIRE(r.result.outcome == smc::rt::Outcome::kOk);
  CHECK(r.diag == "");
  REQUIRE(g_seen.values["p"].size() == 2);
  for (auto& [inst, vals] : g_seen.values["p"]) {
    CHECK(vals.size() == 500);
    for (const std::string& v : vals) CHECK(std::stoi(v) % 2 == inst);
  }
  CHECK(Metric(r, "o").executed == 1000);
}

TEST_CASE("direct: an emit without a task on a stream read with 'direct' fails the run (no silent loss)") {
  auto reg = ProbeRegistry({"d"}, [] { return std::make_unique<PlainEmitter>(); });
  Ran r = RunText(Gen(100,
                      " bolt d = shell(\"x\") <- s shuffle -> (n)\n bolt p = identity() x2 <- d direct\n"
                      " sink o = null() <- p shuffle"),
                  reg);
  CHECK(r.result.outcome == smc::rt::Outcome::kComponentFailed);
  CHECK(r.diag ==
        "smc: error: bolt 'd' (t.topo:3:7) failed: emitted on stream 'default' without naming a task, but 'p' reads "
        "it with 'direct'\n");
  CHECK(Metric(r, "d").errors == 1);
  CHECK(Metric(r, "o").executed == 0);
}

TEST_CASE("direct: a direct emit on a stream read with another grouping fails the run (no silent loss)") {
  auto reg = ProbeRegistry({"d"}, [] { return std::make_unique<DirectEmitter>(); });
  Ran r = RunText(Gen(100,
                      " bolt d = shell(\"x\") <- s shuffle -> (n)\n bolt q = identity() x2 <- d shuffle\n"
                      " sink o = null() <- q shuffle"),
                  reg);
  CHECK(r.result.outcome == smc::rt::Outcome::kComponentFailed);
  CHECK(r.diag ==
        "smc: error: bolt 'd' (t.topo:3:7) failed: emitted direct to instance 0 on stream 'default', but 'q' reads it "
        "with 'shuffle', not 'direct'\n");
  CHECK(Metric(r, "o").executed == 0);
}

TEST_CASE("end of stream: Finish once per instance, after every tuple, across a diamond") {
  auto reg = ProbeRegistry();
  for (int threads : {1, 2, 4}) {
    CAPTURE(threads);
    Ran r = RunText(Gen(20000,
                        " bolt a = identity() x3 <- s shuffle { batch.size = 7 }\n"
                        " bolt b = identity() x2 <- s fields(n) { max.pending = 1 }\n"
                        " bolt p = identity() x3 <- a shuffle, b all\n"
                        " sink o = null() <- p shuffle",
                        " x2"),
                    reg, threads);
    REQUIRE(r.result.outcome == smc::rt::Outcome::kOk);
    CHECK(g_seen.finishes["p"] == std::map<int, int>{{0, 1}, {1, 1}, {2, 1}});
    CHECK(g_seen.finishes["a"] == std::map<int, int>{{0, 1}, {1, 1}, {2, 1}});
    size_t total = 0;
    for (auto& [inst, vals] : g_seen.values["p"]) total += vals.size();
    CHECK(total == 20000 + 20000 * 3);
    CHECK(Metric(r, "o").executed == 80000);
  }
}

TEST_CASE("ticks reach a component with a tick setting while it runs, none after Finish") {
  auto reg = ProbeRegistry();
  Ran r = RunText(
      "topology t {\n spout s = generate(count: 40, rate: 100)\n bolt p = identity() x2 <- s shuffle { tick = 50ms }\n"
      " bolt q = identity() <- s shuffle\n sink o = null() <- p shuffle, q shuffle\n}\n",
      reg);
  REQUIRE(r.result.outcome == smc::rt::Outcome::kOk);
  for (int i = 0; i < 2; ++i) {
    CHECK(g_seen.ticks["p"][i] >= 3);
    CHECK(g_seen.ticks["p"][i] <= 20);
  }
  CHECK(g_seen.ticks["q"].empty());
}

TEST_CASE("clock: exact tick counts on an injected time source while the input stays open") {
  auto reg = GateRegistry();
  smc::rt::ManualTime time;
  Background job(
      "topology t {\n spout s = random_sentence()\n bolt p = identity() <- s shuffle { tick = 50ms }\n"
      " sink o = null() <- p shuffle\n}\n",
      reg, &time);
  REQUIRE(WaitFor([] { return g_gate_calls.load() > 3; }));  // started: the ticks count from here
  for (int k = 1; k <= 5; ++k) {
    time.Advance(49'000'000);
    time.Advance(1'000'000);
    REQUIRE_MESSAGE(WaitFor([&] { return TickCount("p", 0) == k; }), "tick ", k);
  }
  time.Advance(30'000'000);  // not a period: no tick
  g_gate_open = true;
  job.Join();
  CHECK(job.result.outcome == smc::rt::Outcome::kOk);
  CHECK(TickCount("p", 0) == 5);
  CHECK(SeenCount("p") == 3);
}

TEST_CASE("clock: a spout's partial batch waits for the linger; an idle bolt's goes at once") {
  auto reg = GateRegistry();
  smc::rt::ManualTime time;
  Background job(
      "topology t {\n spout s = random_sentence()\n bolt p = identity() <- s shuffle\n"
      " bolt q = identity() <- p shuffle\n sink o = null() <- q shuffle\n}\n",
      reg, &time);
  REQUIRE(WaitFor([] { return g_gate_calls.load() > 5; }));
  CHECK(SeenCount("p") == 0);  // time stands still: the spout's partial batch waits
  time.Advance(1'000'000);     // batch.linger (1 ms) passes
  REQUIRE(WaitFor([] { return SeenCount("p") == 3; }));
  // p has nothing more queued: its partial output goes at once, with time
  // still standing (no linger per hop).
  REQUIRE(WaitFor([] { return SeenCount("q") == 3; }));
  g_gate_open = true;
  job.Join();
  CHECK(job.result.outcome == smc::rt::Outcome::kOk);
  CHECK(Metric(Ran{job.result, ""}, "o").executed == 3);
}

TEST_CASE("metrics: a throttled run's seconds, latency and capacity within known bounds") {
  // 40 tuples through throttle(rate: 200): about 5 ms each, 0.2 s in all,
  // the throttle busy (asleep in Execute) nearly all of the run.
  const double slow = Slowdown();
  Ran r = RunText(
      "topology t {\n spout s = generate(count: 40)\n bolt th = throttle(rate: 200) <- s shuffle\n"
      " sink o = null() <- th shuffle\n}\n",
      smc::StandardRegistry());
  REQUIRE(r.result.outcome == smc::rt::Outcome::kOk);
  const auto& th = Metric(r, "th");
  CHECK(th.executed == 40);
  CHECK(th.emitted == 40);
  CHECK(r.result.metrics.seconds >= 0.19);
  CHECK(r.result.metrics.seconds <= 0.2 + 0.5 * slow);
  CHECK(th.execute_latency_ms >= 4.5);
  CHECK(th.execute_latency_ms <= 5.0 + 2.0 * slow);
  CHECK(th.capacity >= 0.5 / slow);
  CHECK(th.capacity <= 1.0);
  const auto& o = Metric(r, "o");
  CHECK(o.executed == 40);
  CHECK(o.execute_latency_ms < 1.0 * slow);
  CHECK(o.capacity < 0.1 * slow);
}

TEST_CASE("errors without an errors stream: the first five are shown, then the count says so") {
  class Complains : public smc::rt::Component {
   public:
    void Execute(const smc::rt::Batch& b, int, smc::rt::Emitter& out) override {
      for (size_t t = 0; t < b.size(); ++t) out.Error(b.Get(t, 0).ToText(), "bad value");
    }
  };
  auto reg = ProbeRegistry({"p"}, [] { return std::make_unique<Complains>(); });
  Ran r = RunText(Gen(500, " bolt p = identity() <- s shuffle { batch.size = 1000 }\n sink o = null() <- p shuffle",
                      " { batch.size = 1000 }"),
                  reg);
  CHECK(r.result.outcome == smc::rt::Outcome::kOk);
  CHECK(r.diag ==
        "smc: error: bolt 'p' (t.topo:3:7): bad value (input: 0)\n"
        "smc: error: bolt 'p' (t.topo:3:7): bad value (input: 1)\n"
        "smc: error: bolt 'p' (t.topo:3:7): bad value (input: 2)\n"
        "smc: error: bolt 'p' (t.topo:3:7): bad value (input: 3)\n"
        "smc: error: bolt 'p' (t.topo:3:7): bad value (input: 4)\n"
        "smc: warning: bolt 'p' (t.topo:3:7) reported 500 errors (the first 5 above)\n");
  CHECK(Metric(r, "p").errors == 500);
}

// ---- isolated: each in a process of its own ---------------------------------

TEST_CASE("isolated: a component that throws fails the job with its name, location and instance") {
  auto reg = ProbeRegistry({"p"}, [] { return std::make_unique<Thrower>(); });
  Ran r = RunText(
      Gen(100000, " bolt p = identity() x2 <- s custom modulo(field: \"n\")\n sink o = null() <- p shuffle"), reg);
  CHECK(r.result.outcome == smc::rt::Outcome::kComponentFailed);
  CHECK(r.diag == "smc: error: bolt 'p' (t.topo:3:7, instance 1) failed: boom at 777\n");
  CHECK(Metric(r, "p").errors == 1);
}

TEST_CASE("isolated: a direct emit to a missing instance fails the job") {
  class Bad : public smc::rt::Component {
   public:
    void Execute(const smc::rt::Batch& b, int, smc::rt::Emitter& out) override {
      Datum d = b.Get(0, 0);
      out.EmitDirect(0, 5, &d);
    }
  };
  auto reg = ProbeRegistry({"d"}, [] { return std::make_unique<Bad>(); });
  Ran r = RunText(Gen(10,
                      " bolt d = shell(\"x\") <- s shuffle -> (n)\n bolt p = identity() x2 <- d direct\n"
                      " sink o = null() <- p shuffle"),
                  reg);
  CHECK(r.result.outcome == smc::rt::Outcome::kComponentFailed);
  CHECK(r.diag == "smc: error: bolt 'd' (t.topo:3:7) failed: direct emit to instance 5 of 'p', which has 2\n");
}

TEST_CASE("isolated: a spout that fails to open does not crash the job (instances after it)") {
  // Regression: Job::Build() once stopped at the first Open() that threw, leaving
  // later instances without a router, and collecting metrics crashed.
  Ran r = RunText("topology t {\n spout s = file(path: \"/nonexistent/x\")\n sink o = null() <- s shuffle\n}\n",
                  smc::StandardRegistry());
  CHECK(r.result.outcome == smc::rt::Outcome::kIoError);
  CHECK(r.diag ==
        "smc: error: spout 's' (t.topo:2:8) failed: cannot open '/nonexistent/x': No such file or directory\n");
}

TEST_CASE("isolated: a second job in the same process runs after a failed one") {
  // Regression: the stop signal once kept the first job's stop reason, so a
  // later job in the same process stopped its spouts at once and lost its input.
  auto reg = ProbeRegistry({"p"}, [] { return std::make_unique<Thrower>(); });
  Ran bad = RunText(Gen(1000, " bolt p = identity() <- s shuffle\n sink o = null() <- p shuffle"), reg);
  REQUIRE(bad.result.outcome == smc::rt::Outcome::kComponentFailed);
  Ran good = RunText(Gen(1000, " bolt q = identity() <- s shuffle\n sink o = null() <- q shuffle"), ProbeRegistry());
  CHECK(good.result.outcome == smc::rt::Outcome::kOk);
  CHECK(Metric(good, "s").emitted == 1000);
  CHECK(Metric(good, "o").executed == 1000);
}

TEST_CASE("isolated: a component that throws something not a std::exception fails the job by name") {
  class ThrowsInt : public smc::rt::Component {
   public:
    void Execute(const smc::rt::Batch& b, int, smc::rt::Emitter&) override {
      for (size_t t = 0; t < b.size(); ++t) {
        if (b.Get(t, 0).i == 777) throw 42;
      }
    }
  };
  auto reg = ProbeRegistry({"p"}, [] { return std::make_unique<ThrowsInt>(); });
  // An endless spout: only the failure, which stops the whole graph, ends the run.
  Ran r = RunText(
      "topology t {\n spout s = generate()\n bolt p = identity() <- s shuffle\n sink o = null() <- p shuffle\n}\n",
      reg);
  CHECK(r.result.outcome == smc::rt::Outcome::kComponentFailed);
  CHECK(r.diag == "smc: error: bolt 'p' (t.topo:3:7) failed: threw something that is not a std::exception\n");
  CHECK(Metric(r, "p").errors == 1);
}
