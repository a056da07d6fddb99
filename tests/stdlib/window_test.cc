// Unit tests of windows (stdlib/window.h): timestamps, window arguments, and
// count's windows by event time and by count.
#include <doctest/doctest.h>

#include "stdlib/window.h"
#include "tests/stdlib/harness.h"

using namespace smc::test;  // the harness's helpers, in every test below

namespace {
int64_t Ms(const Datum& d) {
  int64_t ms = 0;
  std::string reason;
  REQUIRE(smc::stdlib::ParseTimestamp(d, &ms, &reason));
  return ms;
}
std::string Bad(const Datum& d) {
  int64_t ms = 0;
  std::string reason;
  CHECK_FALSE(smc::stdlib::ParseTimestamp(d, &ms, &reason));
  return reason;
}
}  // namespace

TEST_CASE("window timestamps: milliseconds, seconds, numeric strings and RFC 3339") {
  CHECK(Ms(Datum::Int(1796281200000)) == 1796281200000);
  CHECK(Ms(Datum::Int(1796281200)) == 1796281200000);
  CHECK(Ms(Datum::Float(1796281200.123)) == 1796281200123);
  CHECK(Ms(Datum::Str("1796281200")) == 1796281200000);
  CHECK(Ms(Datum::Str("1796281200.5")) == 1796281200500);
  CHECK(Ms(Datum::Str("2026-12-03T07:00:00Z")) == 1796281200000);
  CHECK(Ms(Datum::Str("2026-12-03t07:00:00.25z")) == 1796281200250);
  CHECK(Ms(Datum::Str("2026-12-03 09:00:00.123456+02:00")) == 1796281200123);
  CHECK(Ms(Datum::Str("2026-12-03T06:30:00-00:30")) == 1796281200000);
  CHECK(Ms(Datum::Str("1969-12-31T23:59:59Z")) == -1000);
  CHECK(Ms(Datum::Str("2024-02-29T00:00:00Z")) == 1709164800000);
  CHECK(Bad(Datum::Str("2025-02-29T00:00:00Z")) ==
        "timestamp '2025-02-29T00:00:00Z' is not seconds or milliseconds since the epoch, nor an RFC 3339 time");
  Bad(Datum::Str("2026-12-03T07:00:00"));  // no offset
  Bad(Datum::Str("2026-13-03T07:00:00Z"));
  Bad(Datum::Str("2026-12-03T07:00:00Zx"));
  Bad(Datum::Str(""));
  Bad(Datum::Bool(true));
  Bad(Datum::Float(1e300));
  CHECK(Bad(Datum::Null()) == "no timestamp");
}

TEST_CASE("window: FloorDiv rounds down") {
  CHECK(smc::stdlib::FloorDiv(7, 3) == 2);
  CHECK(smc::stdlib::FloorDiv(-7, 3) == -3);
  CHECK(smc::stdlib::FloorDiv(-6, 3) == -2);
  CHECK(smc::stdlib::FloorDiv(0, 3) == 0);
}

TEST_CASE("count by event time: windows close with the watermark, late tuples go to 'late'") {
  BoltRun r(TsvInto("count(key: \"k\", window: 10s, timestamp: \"v\", lateness: 2s)"), smc::stdlib::MakeCount());
  CHECK(r.ctx.stream_names == std::vector<std::string>{"default", "late", "errors"});
  r.Run(Pairs({{"a", "1"}, {"b", "9"}, {"a", "11"}}));  // seconds (below 1e11)
  CHECK(r.rec.rows.empty());                            // the watermark (9 s) has not reached 10 s
  r.Run(Pairs({{"a", "12"}, {"b", "7.999"}, {"a", "10.5"}}));
  // 12 s - 2 s reaches the first window's end; 7.999 s is below the watermark.
  CHECK(r.rec.Take() == std::vector<std::string>{"a|1|0|10000", "b|1|0|10000"});
  CHECK(r.rec.other == std::vector<std::string>{"b|7.999"});
  r.Run(Pairs({{"c", "soon"}}));
  CHECK(r.rec.errors.size() == 1);
  r.c->Finish(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"a|3|10000|20000"});
}

TEST_CASE("count by count: Storm's sliding count windows") {
  BoltRun r(LinesInto("count(key: \"line\", window: 4, slide: 2)"), smc::stdlib::MakeCount());
  CHECK(r.ctx.stream_fields[0] == std::vector<std::string>{"line", "count", "window_start", "window_end"});
  r.Run(Strings({"a", "b", "a"}));
  CHECK(r.rec.Take() == std::vector<std::string>{"a|1|0|2", "b|1|0|2"});  // the first, shorter window
  r.Run(Strings({"a", "c"}));
  CHECK(r.rec.Take() == std::vector<std::string>{"a|3|0|4", "b|1|0|4"});
  r.c->Finish(r.rec);
  CHECK(r.rec.Take() == std::vector<std::string>{"a|2|2|6", "c|1|2|6", "c|1|4|8"});
}
