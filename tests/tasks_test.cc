// Unit tests of the task-graph runtime's pure parts: the progress protocol
// and the retry backoff.
#include <doctest/doctest.h>

#include "runtime/tasks/progress.h"
#include "runtime/tasks/scheduler.h"

using smc::rt::ParseProgressLine;

TEST_CASE("progress lines: percentages, counts, JSON, messages") {
  auto p = ParseProgressLine("42");
  CHECK(*p.fraction == doctest::Approx(0.42));
  CHECK(!p.message);
  p = ParseProgressLine("42% reading input");
  CHECK(*p.fraction == doctest::Approx(0.42));
  CHECK(*p.message == "reading input");
  p = ParseProgressLine("3/4 files");
  CHECK(*p.fraction == doctest::Approx(0.75));
  CHECK(*p.message == "files");
  p = ParseProgressLine("{\"progress\": 0.5, \"message\": \"half\"}");
  CHECK(*p.fraction == doctest::Approx(0.5));
  CHECK(*p.message == "half");
  p = ParseProgressLine("{\"done\": 1, \"total\": 8}");
  CHECK(*p.fraction == doctest::Approx(0.125));
  p = ParseProgressLine("150%");
  CHECK(*p.fraction == doctest::Approx(1.0));  // clamped
  p = ParseProgressLine("3/0");
  CHECK(*p.fraction == doctest::Approx(0.0));
  p = ParseProgressLine("42abc");
  CHECK(!p.fraction);
  CHECK(*p.message == "42abc");
  p = ParseProgressLine("compiling\tstep");
  CHECK(*p.message == "compiling step");  // control characters become spaces
  p = ParseProgressLine(std::string(1000, 'x'));
  CHECK(p.message->size() == smc::rt::kMaxProgressMessage);
  p = ParseProgressLine("{\"progress\": 1e999}");
  CHECK(!p.fraction);  // not a finite number rapidjson accepts: ignored
}

TEST_CASE("progress lines: JSON percent, its precedence after progress, and done/total") {
  auto p = ParseProgressLine("{\"percent\": 25, \"message\": \"a quarter\"}");
  CHECK(*p.fraction == doctest::Approx(0.25));
  CHECK(*p.message == "a quarter");
  p = ParseProgressLine("{\"percent\": 250}");
  CHECK(*p.fraction == doctest::Approx(1.0));  // clamped
  p = ParseProgressLine("{\"progress\": 0.1, \"percent\": 90}");
  CHECK(*p.fraction == doctest::Approx(0.1));  // "progress" first
  p = ParseProgressLine("{\"percent\": 5, \"done\": 1, \"total\": 2}");
  CHECK(*p.fraction == doctest::Approx(0.05));  // then "percent"
  p = ParseProgressLine("{\"percent\": \"50\"}");
  CHECK(!p.fraction);  // not a number: ignored
}

TEST_CASE("progress reader: bounded lines") {
  smc::rt::ProgressReader r;
  std::vector<std::string> lines;
  auto add = [&](std::string_view l) { lines.emplace_back(l); };
  r.Feed("1\n2", add);
  r.Feed("0\n", add);
  r.Feed(std::string(10000, 'y') + "\nlast\n", add);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "1");
  CHECK(lines[1] == "20");
  CHECK(lines[2].size() == smc::rt::kMaxProgressLine);
  CHECK(lines[3] == "last");
}

TEST_CASE("backoff: exponential, jittered, capped") {
  smc::rt::TaskSpec t;
  t.backoff_ns = 1'000'000'000;
  t.backoff_max_ns = 10'000'000'000;
  CHECK(smc::rt::BackoffDelay(t, 1, 0.0) == 800'000'000);
  CHECK(smc::rt::BackoffDelay(t, 1, 1.0) == 1'200'000'000);
  CHECK(smc::rt::BackoffDelay(t, 3, 0.5) == 4'000'000'000);
  CHECK(smc::rt::BackoffDelay(t, 5, 0.5) == 10'000'000'000);    // 16 s capped
  CHECK(smc::rt::BackoffDelay(t, 900, 0.5) == 10'000'000'000);  // no overflow
  CHECK(smc::rt::ResultVariable("fetch-data.v2") == "SMC_RESULT_fetch_data_v2");
}
