// The runtime's timers (runtime/clock.h) on a ManualTime: exact tick counts,
// linger and deadlines, with no real waiting.
#include <doctest/doctest.h>

#include <vector>

#include "runtime/clock.h"

namespace {
constexpr int64_t kMs = 1'000'000;
}

TEST_CASE("clock: a 50 ms ticker stepped every ms for 1 s ticks exactly 20 times, at the period boundaries") {
  smc::rt::ManualTime time(5 * kMs);
  smc::rt::Ticker tick(time.NowNs(), 50 * kMs);
  int ticks = 0;
  std::vector<int64_t> at;
  for (int i = 0; i < 1000; ++i) {
    time.Advance(kMs);
    if (tick.Due(time.NowNs())) {
      ++ticks;
      at.push_back((time.NowNs() - 5 * kMs) / kMs);
    }
  }
  CHECK(ticks == 20);
  CHECK(at.front() == 50);
  CHECK(at[1] == 100);
  CHECK(at.back() == 1000);
}

TEST_CASE("clock: a late caller gets one tick, not a burst, and the next a period later") {
  smc::rt::Ticker tick(0, 50 * kMs);
  CHECK(!tick.Due(49 * kMs));
  CHECK(tick.Due(175 * kMs));   // three periods late: one tick
  CHECK(!tick.Due(176 * kMs));  // no catching up
  CHECK(!tick.Due(224 * kMs));
  CHECK(tick.Due(225 * kMs));
  CHECK(!tick.Due(226 * kMs));
  CHECK(tick.Due(275 * kMs));
}

TEST_CASE("clock: a ticker without a period never ticks") {
  smc::rt::Ticker tick(0, 0);
  for (int64_t t = 0; t < 1000 * kMs; t += kMs) REQUIRE(!tick.Due(t));
}

TEST_CASE("clock: linger is due exactly linger after output started waiting, and restarts") {
  CHECK(!smc::rt::LingerDue(0, 100 * kMs, kMs));  // nothing waits
  CHECK(!smc::rt::LingerDue(10 * kMs, 10 * kMs + kMs - 1, kMs));
  CHECK(smc::rt::LingerDue(10 * kMs, 11 * kMs, kMs));
  smc::rt::Linger linger(2 * kMs);
  CHECK(!linger.Due(true, 10 * kMs));  // starts waiting
  CHECK(!linger.Due(true, 11 * kMs));
  CHECK(linger.Due(true, 12 * kMs));
  CHECK(!linger.Due(true, 13 * kMs));   // waiting again since 13
  CHECK(!linger.Due(false, 14 * kMs));  // flushed meanwhile: forgotten
  CHECK(!linger.Due(true, 15 * kMs));
  CHECK(!linger.Due(true, 16 * kMs));
  CHECK(linger.Due(true, 17 * kMs));
}

TEST_CASE("clock: a deadline passes once; none without one") {
  smc::rt::Deadline d(100 * kMs);
  CHECK(!d.Passed(99 * kMs));
  CHECK(d.Passed(100 * kMs));
  CHECK(!d.Passed(101 * kMs));
  smc::rt::Deadline none(0);
  CHECK(!none.Passed(1'000'000 * kMs));
}

TEST_CASE("clock: ManualTime moves only when told") {
  smc::rt::ManualTime t(7);
  CHECK(t.NowNs() == 7);
  t.Advance(3);
  CHECK(t.NowNs() == 10);
  int64_t a = smc::rt::SteadyTime().NowNs(), b = smc::rt::SteadyTime().NowNs();
  CHECK(b >= a);
}
