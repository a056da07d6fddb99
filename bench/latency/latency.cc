// bench/latency: an smc plugin for end-to-end latency at a fixed rate.
//
//   spout Paced(rate, count: N | seconds: S)   emits (ts) at `rate` tuples/s
//   sink  Latency(path)                        writes now - ts percentiles
//
// ts is the tuple's *scheduled* send time on CLOCK_MONOTONIC (start + i /
// rate), not the time it was emitted: a spout held back (a full queue, a
// late wake-up) still stamps its tuples with the time they were due, so the
// delay counts in their latency (no coordinated omission). Next emits every
// tuple whose time has come (at most kMaxPerNext per call) and otherwise
// sleeps until the next one is due, at most 1 ms.
//
// The sink keeps a log-linear histogram (64 sub-buckets per power of two:
// values within 1.6%, a fixed 30 KiB whatever the count) and at Finish writes
// to `path`, one "name value" per line: count, min_ns, p50_ns, p90_ns, p99_ns,
// p999_ns, max_ns, mean_ns. A percentile is the upper edge of the bucket that
// holds it (never below the true value, at most 1.6% above).
// Built by bench/run (bench/latency/CMakeLists.txt) against an installed smc.
#include <smc/plugin.h>
#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace {

using smc::plugin::Batch;
using smc::plugin::Context;
using smc::plugin::Emitter;
using smc::plugin::Param;
using smc::plugin::ParamType;
using smc::plugin::Tuple;
using smc::plugin::Value;

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

constexpr int64_t kMaxPerNext = 4096;

class Paced : public smc::plugin::Spout {
 public:
  void Open(const Context& ctx) override {
    rate_ = ctx.Float("rate");
    if (!(rate_ >= 1 && rate_ <= 1e9)) throw std::runtime_error("rate must be 1 to 1e9 tuples/s");
    int64_t count = ctx.Int("count");
    double seconds = ctx.Float("seconds");
    if (count < 0 || seconds < 0 || (count > 0) == (seconds > 0)) {
      throw std::runtime_error("give exactly one of count (> 0) and seconds (> 0)");
    }
    total_ = count > 0 ? count : static_cast<int64_t>(seconds * rate_);
    if (total_ < 1) throw std::runtime_error("rate * seconds must be at least 1");
  }
  bool Next(Emitter& out) override {
    if (start_ == 0) {
      // Precise wake-ups for this thread (the default timer slack is 50 us).
      prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
      start_ = NowNs();
    }
    int64_t now = NowNs();
    int64_t due = Due(now);
    if (due <= sent_) {
      // Nothing due: sleep until the next tuple's time, at most 1 ms.
      int64_t wake = std::min(Scheduled(sent_), now + 1000000);
      timespec ts{static_cast<time_t>(wake / 1000000000), static_cast<long>(wake % 1000000000)};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
      due = Due(NowNs());
    }
    for (int64_t end = std::min(due, sent_ + kMaxPerNext); sent_ < end && !out.Stopping(); ++sent_) {
      Value v = Value::Int(Scheduled(sent_));
      out.Emit(0, &v);
    }
    return sent_ < total_ && !out.Stopping();
  }

 private:
  // Tuple i is due at start + i / rate.
  int64_t Scheduled(int64_t i) const { return start_ + static_cast<int64_t>(static_cast<double>(i) * 1e9 / rate_); }
  // How many tuples are due by `now` (capped at the total).
  int64_t Due(int64_t now) const {
    int64_t n = static_cast<int64_t>(static_cast<double>(now - start_) * rate_ / 1e9) + 1;
    while (n > 0 && Scheduled(n - 1) > now) --n;  // rounding
    return std::min(n, total_);
  }
  double rate_ = 0;
  int64_t total_ = 0, sent_ = 0, start_ = 0;
};

class Histogram {
 public:
  void Add(uint64_t v) {
    ++counts_[Index(v)];
    ++count_;
    sum_ += static_cast<double>(v);
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }
  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0; }
  // The least bucket edge below which at least p of the values lie.
  uint64_t Percentile(double p) const {
    if (!count_) return 0;
    uint64_t rank = static_cast<uint64_t>(p * static_cast<double>(count_));
    if (static_cast<double>(rank) < p * static_cast<double>(count_)) ++rank;
    rank = std::max<uint64_t>(rank, 1);
    uint64_t cum = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      cum += counts_[i];
      if (cum >= rank) return std::min(Lower(i + 1) - 1, max_);
    }
    return max_;
  }

 private:
  // Values below 128 exactly; above, the top 7 bits (64 buckets per octave).
  static size_t Index(uint64_t v) {
    if (v < 128) return static_cast<size_t>(v);
    int shift = 63 - __builtin_clzll(v) - 6;
    return 128 + static_cast<size_t>(shift - 1) * 64 + static_cast<size_t>((v >> shift) - 64);
  }
  static uint64_t Lower(size_t i) {
    if (i < 128) return i;
    size_t k = i - 128;
    return static_cast<uint64_t>(k % 64 + 64) << (k / 64 + 1);
  }
  std::array<uint64_t, 128 + 57 * 64> counts_{};
  uint64_t count_ = 0, min_ = UINT64_MAX, max_ = 0;
  double sum_ = 0;
};

class Latency : public smc::plugin::Bolt {
 public:
  void Open(const Context& ctx) override {
    path_ = ctx.String("path");
    if (path_.empty()) throw std::runtime_error("path is empty");
    if (path_.front() != '/') path_ = ctx.base_dir + "/" + path_;
    field_ = ctx.InputField(0, "ts");
    if (field_ < 0) throw std::runtime_error("the input has no field ts");
  }
  // One clock read per batch: its tuples arrived together.
  void ExecuteBatch(const Batch& batch, int input, Emitter& out) override {
    int64_t now = NowNs();
    for (size_t t = 0; t < batch.size(); ++t) Record(batch[t], now, out);
  }
  void Execute(const Tuple& t, int input, Emitter& out) override { Record(t, NowNs(), out); }
  void Finish(Emitter& out) override {
    FILE* f = fopen(path_.c_str(), "w");
    if (!f) throw std::runtime_error("cannot write " + path_);
    fprintf(f,
            "count %llu\nmin_ns %llu\np50_ns %llu\np90_ns %llu\np99_ns %llu\np999_ns %llu\nmax_ns %llu\nmean_ns %.0f\n",
            static_cast<unsigned long long>(h_.count()), static_cast<unsigned long long>(h_.min()),
            static_cast<unsigned long long>(h_.Percentile(0.5)), static_cast<unsigned long long>(h_.Percentile(0.9)),
            static_cast<unsigned long long>(h_.Percentile(0.99)), static_cast<unsigned long long>(h_.Percentile(0.999)),
            static_cast<unsigned long long>(h_.max()), h_.mean());
    if (fclose(f) != 0) throw std::runtime_error("write failed: " + path_);
  }

 private:
  void Record(const Tuple& t, int64_t now, Emitter& out) {
    const Value& v = t[field_];
    if (!v.is_int()) {
      out.Error(v.ToText(), "ts is not an int");
      return;
    }
    h_.Add(static_cast<uint64_t>(std::max<int64_t>(0, now - v.i)));
  }
  std::string path_;
  int field_ = 0;
  Histogram h_;
};

void Describe(smc::plugin::Registrar& r) {
  auto& paced = r.AddSpout<Paced>("Paced", "emits (ts) at a fixed rate; ts = the tuple's scheduled time (ns)");
  paced.params = {Param::Required("rate", ParamType::kFloat, "tuples per second"),
                  Param::Optional("count", ParamType::kInt, Value::Int(0), "tuples in all (or seconds)"),
                  Param::Optional("seconds", ParamType::kFloat, Value::Float(0), "how long to run (or count)")};
  paced.outputs = {{"default", {"ts"}}};
  auto& sink = r.AddSink<Latency>("Latency", "writes the percentiles of now - ts to path at the end");
  sink.params = {Param::Required("path", ParamType::kString, "the result file")};
  sink.max_parallelism = 1;
}

}  // namespace

SMC_PLUGIN(Describe)
