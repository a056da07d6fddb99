// Helpers shared by the built-in components' implementations (private to stdlib/).
#pragma once

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/component.h"
#include "runtime/tuple.h"

namespace smc::stdlib {

/// Copies tuple `t` of `b` into `values` (resized to the batch's width).
inline void ReadTuple(const rt::Batch& b, size_t t, std::vector<rt::Datum>* values) {
  values->resize(b.width());
  for (int k = 0; k < b.width(); ++k) (*values)[k] = b.Get(t, k);
}

/// The text of a datum: a view of a string, or numbers written into `scratch`.
inline std::string_view TextOf(const rt::Datum& d, std::string* scratch) {
  if (d.type == rt::Type::kString) return d.s;
  *scratch = d.ToText();
  return *scratch;
}

/// Index of a field argument in each input; throws if an input lacks it
/// (the validator prevents that for built-ins).
inline std::vector<int> FieldIndexPerInput(const rt::Context& ctx, const std::string& field) {
  std::vector<int> out;
  for (size_t i = 0; i < ctx.input_fields.size(); ++i) {
    int idx = ctx.InputField(static_cast<int>(i), field);
    if (idx < 0) throw std::runtime_error("input " + std::to_string(i) + " has no field '" + field + "'");
    out.push_back(idx);
  }
  return out;
}

/// A value kept beyond the batch it came in (strings owned).
struct OwnedDatum {
  rt::Type type = rt::Type::kNull;
  int64_t i = 0;
  double f = 0;
  std::string s;

  static OwnedDatum From(const rt::Datum& d) { return {d.type, d.i, d.f, std::string(d.s)}; }
  /// Becomes a copy of `d`, reusing the string's capacity.
  void Assign(const rt::Datum& d) {
    type = d.type;
    i = d.i;
    f = d.f;
    s.assign(d.s.data(), d.s.size());
  }
  rt::Datum View() const {
    rt::Datum d;
    d.type = type;
    d.i = i;
    d.f = f;
    d.s = s;
    return d;
  }
};

/// Paces a spout at `rate` tuples per second (0: no pacing).
class Pacer {
 public:
  explicit Pacer(double rate) : rate_(rate), start_(std::chrono::steady_clock::now()) {}
  /// How many tuples may go now, at most `max`; sleeps briefly when none may.
  int64_t Allowance(int64_t max) {
    if (rate_ <= 0) return max;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    int64_t due = static_cast<int64_t>(elapsed * rate_) - sent_;
    if (due <= 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      return 0;
    }
    // Behind by more than one call's worth (the spout was paused by smc
    // deactivate, or waited on backpressure): the rest is forgiven, so the
    // rate holds from now on instead of bursting to catch up.
    if (due > max) {
      sent_ += due - max;
      due = max;
    }
    sent_ += due;
    return due;
  }

 private:
  double rate_;
  std::chrono::steady_clock::time_point start_;
  int64_t sent_ = 0;
};

/// This instance's share of `total` items split over `parallelism` instances.
inline int64_t ShareOf(int64_t total, int instance, int parallelism) {
  return total / parallelism + (instance < total % parallelism ? 1 : 0);
}

/// How much a generating spout instance may emit: its share of the `count`
/// argument (0: no end), at its share of the `rate` argument (0: no limit),
/// about one batch per call.
class Quota {
 public:
  explicit Quota(const rt::Context& ctx)
      : remaining_(ctx.IntArg("count") > 0 ? ShareOf(ctx.IntArg("count"), ctx.instance, ctx.parallelism) : -1),
        batch_(std::max(1, ctx.batch_size)),
        pacer_(static_cast<double>(ctx.IntArg("rate")) / ctx.parallelism) {}
  /// Tuples to emit now (possibly 0 after a short sleep when paced).
  int64_t Next() {
    int64_t n = pacer_.Allowance(batch_);
    if (remaining_ >= 0) {
      n = std::min(n, remaining_);
      remaining_ -= n;
    }
    return n;
  }
  bool exhausted() const { return remaining_ == 0; }

 private:
  int64_t remaining_;  // -1: no end
  int64_t batch_;
  Pacer pacer_;
};

}  // namespace smc::stdlib
