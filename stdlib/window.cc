#include "stdlib/window.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "stdlib/component_helpers.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

namespace {
constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kMaxAbsMs = 8'640'000'000'000'000;  // 275,760 years either side of 1970
constexpr double kSecondsBelow = 1e11;                // numbers below this are seconds

const Value* Find(const ArgMap& args, const std::string& name) {
  auto it = args.find(name);
  return it == args.end() ? nullptr : &it->second;
}

bool Fail(std::string* error, std::string* error_arg, std::string text, std::string arg) {
  *error = std::move(text);
  *error_arg = std::move(arg);
  return false;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool Digits(std::string_view s, size_t at, size_t n, int64_t* out) {
  if (at + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// RFC 3339: 2026-12-03T07:15:00Z, with optional fractions of a second and a
// numeric offset; 't', 'z' and a space for 'T' accepted as the RFC allows.
bool ParseRfc3339(std::string_view s, int64_t* ms) {
  int64_t y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' ||
      !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !Digits(s, 11, 2, &h) || s[13] != ':' ||
      !Digits(s, 14, 2, &mi) || s[16] != ':' || !Digits(s, 17, 2, &sec)) {
    return false;
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 ||
      sec > 60) {
    return false;
  }
  if (sec == 60) sec = 59;  // a leap second reads as the second before it
  size_t i = 19;
  int64_t frac_ms = 0;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - start < 3) frac_ms = frac_ms * 10 + (s[i] - '0');
      ++i;
    }
    if (i == start) return false;
    for (size_t k = i - start; k < 3; ++k) frac_ms *= 10;
  }
  if (i >= s.size()) return false;
  int64_t offset_min = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int64_t oh, om;
    if (!Digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' || !Digits(s, i + 4, 2, &om) || oh > 23 ||
        om > 59) {
      return false;
    }
    offset_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  *ms = seconds * 1000 + frac_ms;
  return true;
}

bool FromNumber(double v, int64_t* ms) {
  if (!std::isfinite(v)) return false;
  // Seconds to the nearest millisecond (1.123 s is 1123 ms, not 1122.99...).
  double m = std::fabs(v) < kSecondsBelow ? std::round(v * 1000.0) : std::floor(v);
  if (std::fabs(m) > static_cast<double>(kMaxAbsMs)) return false;
  *ms = static_cast<int64_t>(m);
  return true;
}
}  // namespace

std::vector<ParamSpec> WindowParams() {
  return {Optional("window", ParamType::kDurationOrInt,
                   "a window's length: a duration (time windows) or a number of tuples (count windows); "
                   "when given, the results are per window (Storm's windowLength)"),
          Optional("slide", ParamType::kDurationOrInt,
                   "how far each window starts after the previous one, in the unit of 'window' "
                   "(Storm's slidingInterval); omitted: the window's length (tumbling windows)"),
          Optional("timestamp", ParamType::kField, Value::String(""),
                   "a field with each tuple's event time (milliseconds or seconds since the epoch, or an RFC 3339 "
                   "time; Storm's withTimestampField); empty (the default): processing time"),
          Optional("lateness", ParamType::kDuration,
                   "how far the watermark trails the largest timestamp seen; tuples below it go to 'late' "
                   "(Storm's withLag); 0 when omitted")};
}

bool ReadWindowSpec(const ArgMap& args, WindowSpec* spec, std::string* error, std::string* error_arg) {
  *spec = WindowSpec{};
  const Value* window = Find(args, "window");
  const Value* slide = Find(args, "slide");
  const Value* lateness = Find(args, "lateness");
  std::string timestamp = StringArg(args, "timestamp");
  if (!window) {
    if (slide) return Fail(error, error_arg, "'slide' needs 'window'", "slide");
    if (!timestamp.empty()) return Fail(error, error_arg, "'timestamp' needs 'window'", "timestamp");
    if (lateness) return Fail(error, error_arg, "'lateness' needs 'window' and 'timestamp'", "lateness");
    return true;
  }
  const bool by_count = window->type == ValueType::kInt;
  if (by_count) {
    if (window->num < 1) {
      return Fail(error, error_arg, "'window' must be at least 1 tuple, got " + window->ToText(), "window");
    }
  } else if (window->num < kNsPerMs) {
    return Fail(error, error_arg, "'window' must be at least 1ms, got " + window->ToText(), "window");
  }
  if (slide && (slide->type == ValueType::kInt) != by_count) {
    return Fail(error, error_arg,
                by_count ? "'slide' must be a number of tuples, as 'window' is, got " + slide->ToText()
                         : "'slide' must be a duration, as 'window' is, got " + slide->ToText(),
                "slide");
  }
  const int64_t unit = by_count ? 1 : kNsPerMs;
  spec->length = window->num / unit;
  spec->slide = slide ? slide->num / unit : spec->length;
  if (slide && spec->slide < 1) {
    return Fail(error, error_arg,
                std::string("'slide' must be at least ") + (by_count ? "1 tuple" : "1ms") + ", got " + slide->ToText(),
                "slide");
  }
  if (spec->slide > spec->length) {
    return Fail(error, error_arg,
                "'slide' must not exceed 'window' (" + window->ToText() + "), got " + slide->ToText() +
                    ": tuples between windows would belong to none",
                "slide");
  }
  if ((spec->length + spec->slide - 1) / spec->slide > kMaxWindowsPerTuple) {
    return Fail(error, error_arg,
                "'slide' must be at least 1/" + std::to_string(kMaxWindowsPerTuple) +
                    " of 'window': each tuple would fall in more than " + std::to_string(kMaxWindowsPerTuple) +
                    " windows",
                "slide");
  }
  if (by_count && !timestamp.empty()) {
    return Fail(error, error_arg,
                "'timestamp' needs a time window: a count window (window: " + window->ToText() +
                    ") takes tuples in the order they arrive",
                "timestamp");
  }
  if (lateness && timestamp.empty()) {
    return Fail(error, error_arg, "'lateness' needs 'timestamp': only event time has late tuples", "lateness");
  }
  if (lateness && lateness->num < 0) {
    return Fail(error, error_arg, "'lateness' must not be negative, got " + lateness->ToText(), "lateness");
  }
  spec->axis = by_count             ? WindowSpec::Axis::kCount
               : !timestamp.empty() ? WindowSpec::Axis::kEventTime
                                    : WindowSpec::Axis::kProcessingTime;
  spec->lateness = lateness ? lateness->num / kNsPerMs : 0;
  if (by_count) spec->offset = (spec->slide - spec->length % spec->slide) % spec->slide;  // ends at m*slide
  spec->timestamp = timestamp;
  return true;
}

void AddWindowStreams(const WindowSpec& spec, const std::vector<std::string>& input_fields,
                      std::vector<StreamSpec>* out) {
  if (spec.axis != WindowSpec::Axis::kEventTime) return;
  out->push_back({"late", input_fields});
  out->push_back(ErrorsStream());
}

bool ParseTimestamp(const rt::Datum& d, int64_t* ms, std::string* reason) {
  bool ok = false;
  switch (d.type) {
    case rt::Type::kInt: ok = FromNumber(static_cast<double>(d.i), ms); break;
    case rt::Type::kFloat: ok = FromNumber(d.f, ms); break;
    case rt::Type::kString: {
      std::string_view s = d.s;
      const char* end = s.data() + s.size();
      int64_t i = 0;
      double f = 0;
      if (auto r = std::from_chars(s.data(), end, i); r.ec == std::errc() && r.ptr == end && !s.empty()) {
        ok = FromNumber(static_cast<double>(i), ms);
      } else if (auto r2 = std::from_chars(s.data(), end, f); r2.ec == std::errc() && r2.ptr == end && !s.empty()) {
        ok = FromNumber(f, ms);
      } else {
        ok = ParseRfc3339(s, ms);
      }
      break;
    }
    default: break;
  }
  if (ok && (*ms > kMaxAbsMs || *ms < -kMaxAbsMs)) ok = false;
  if (!ok) {
    *reason = d.type == rt::Type::kNull ? "no timestamp"
                                        : "timestamp '" + d.ToText() +
                                              "' is not seconds or milliseconds since the epoch, nor an RFC 3339 time";
  }
  return ok;
}

void WindowClock::Open(const rt::Context& ctx, const WindowSpec& spec) {
  spec_ = spec;
  metrics_ = ctx.shared;
  if (spec_.axis != WindowSpec::Axis::kEventTime) return;
  ts_field_ = FieldIndexPerInput(ctx, spec_.timestamp);
  late_stream_ = ctx.Stream("late");
  for (size_t i = 1; i < ctx.input_fields.size(); ++i) {
    if (ctx.input_fields[i] != ctx.input_fields[0]) {
      throw std::runtime_error(
          "the inputs of a window by 'timestamp' must have the same fields (its 'late' "
          "stream carries them)");
    }
  }
}

int64_t WindowClock::WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void WindowClock::BeginBatch() {
  if (spec_.axis == WindowSpec::Axis::kProcessingTime) now_ms_ = WallMs();
}

bool WindowClock::Place(const rt::Batch& b, size_t t, int input, rt::Emitter& out, int64_t* position) {
  switch (spec_.axis) {
    case WindowSpec::Axis::kCount: *position = ordinal_++; return true;
    case WindowSpec::Axis::kProcessingTime: *position = now_ms_; return true;
    default: break;
  }
  int64_t ts = 0;
  std::string reason;
  if (!ParseTimestamp(b.Get(t, ts_field_[input]), &ts, &reason)) {
    text_.clear();
    for (int k = 0; k < b.width(); ++k) {
      if (k) text_.push_back('\t');
      text_.append(TextOf(b.Get(t, k), &scratch_));
    }
    out.Anchor(b, t);
    out.Error(text_, reason);
    out.ClearAnchors();
    out.AckInput(b, t);
    return false;
  }
  if (max_seen_ != INT64_MIN && ts < max_seen_ - spec_.lateness) {  // below the watermark
    ReadTuple(b, t, &values_);
    out.Anchor(b, t);
    out.Emit(late_stream_, values_.data());
    out.ClearAnchors();
    out.AckInput(b, t);
    ++late_now_;
    return false;
  }
  if (ts > max_seen_) max_seen_ = ts;
  *position = ts;
  return true;
}

void WindowClock::EndBatch() {
  if (late_now_ == 0) return;
  if (metrics_) metrics_->AddMetric("late", static_cast<double>(late_now_));
  late_now_ = 0;
}

int64_t WindowClock::Mark() const {
  switch (spec_.axis) {
    case WindowSpec::Axis::kCount: return ordinal_;
    case WindowSpec::Axis::kProcessingTime: return WallMs();
    case WindowSpec::Axis::kEventTime: return max_seen_ == INT64_MIN ? INT64_MIN : max_seen_ - spec_.lateness;
    default: return INT64_MIN;
  }
}

void WindowClock::Merge(const WindowClock& from) {
  max_seen_ = std::max(max_seen_, from.max_seen_);
  ordinal_ = std::max(ordinal_, from.ordinal_);
}

}  // namespace smc::stdlib

namespace smc::stdlib {

int64_t WindowTickNs(const WindowSpec& spec) {
  if (spec.axis != WindowSpec::Axis::kProcessingTime) return 0;
  return std::clamp<int64_t>(spec.slide * kNsPerMs / 10, 10 * kNsPerMs, 1000 * kNsPerMs);
}

}  // namespace smc::stdlib
