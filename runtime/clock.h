// Time in the runtime: a time source that tests can replace, and the small
// timers the job's clock thread runs on it (ticks, linger flushes, the --for
// deadline, the once-a-second status).
//
// Timers are plain values read and advanced by one thread (the clock thread,
// or a spout's own thread for its linger); ManualTime and SteadyTime may be
// read from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace smc::rt {

/// Where the runtime reads the time, in nanoseconds of a monotonic clock.
class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual int64_t NowNs() const = 0;
};

/// std::chrono::steady_clock.
const TimeSource& SteadyTime();

/// A clock that moves only when told: for tests.
class ManualTime final : public TimeSource {
 public:
  explicit ManualTime(int64_t start_ns = 1'000'000'000) : now_(start_ns) {}
  int64_t NowNs() const override { return now_.load(); }
  void Advance(int64_t ns) { now_.fetch_add(ns); }

 private:
  std::atomic<int64_t> now_;
};

/// A periodic timer: Due() is true once for each period that has begun
/// since the last true. A caller that comes late gets one tick, not a burst:
/// missed periods are skipped and the next one starts a period after `now`.
class Ticker {
 public:
  /// No ticks when `period_ns` is 0; the first one `period_ns` after `start_ns`.
  Ticker(int64_t start_ns, int64_t period_ns) : period_(period_ns), next_(start_ns + period_ns) {}
  bool Due(int64_t now) {
    if (period_ <= 0 || now < next_) return false;
    next_ += period_;
    if (next_ < now) next_ = now + period_;
    return true;
  }

 private:
  int64_t period_;
  int64_t next_;
};

/// True when output that started waiting at `dirty_since` (0: none waits)
/// has waited `linger_ns`.
inline bool LingerDue(int64_t dirty_since, int64_t now, int64_t linger_ns) {
  return dirty_since != 0 && now - dirty_since >= linger_ns;
}

/// Linger for one thread's own output (a spout): Due() is true when the
/// output has been held, partly batched, for `linger_ns`; it then restarts.
class Linger {
 public:
  explicit Linger(int64_t linger_ns) : linger_(linger_ns) {}
  /// `holding`: whether partly filled batches wait now.
  bool Due(bool holding, int64_t now) {
    if (!holding) {
      since_ = 0;
      return false;
    }
    if (since_ == 0) since_ = now;
    if (!LingerDue(since_, now, linger_)) return false;
    since_ = 0;
    return true;
  }

 private:
  int64_t linger_;
  int64_t since_ = 0;
};

/// A moment that passes once: Passed() is true the first time `now` reaches
/// it, false before and after. `at_ns` 0: never.
class Deadline {
 public:
  explicit Deadline(int64_t at_ns) : at_(at_ns) {}
  bool Passed(int64_t now) {
    if (at_ == 0 || now < at_) return false;
    at_ = 0;
    return true;
  }

 private:
  int64_t at_;
};

}  // namespace smc::rt
