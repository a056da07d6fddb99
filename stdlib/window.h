// Windows for the aggregating built-ins (`count` with `window:`, the `window`
// bolt): their arguments, which windows a tuple falls in, when a window
// closes, and late tuples (private to stdlib/).
//
// A window of length L sliding by S (S == L, the default: tumbling) is one of
// the spans [k*S, k*S + L), k any integer, on one of three axes:
//  - event time (`timestamp: FIELD`): the field's value in milliseconds since
//    the epoch (numbers below 1e11 are seconds; strings are numbers or RFC
//    3339 times). The watermark trails the largest timestamp seen by
//    `lateness`; a tuple whose timestamp is below the watermark is late: it
//    goes to the `late` stream (counted in the `late` metric), never into a
//    window. A window closes once the watermark reaches its end, so a tuple
//    that is not late never falls in a closed window.
//  - processing time (the default for a duration): the wall clock, in
//    milliseconds since the epoch, when the tuple arrives; windows close on
//    the instance's ticks once the clock has passed their end.
//  - count (`window: 1000`): the tuple's ordinal at this instance (0, 1, ...);
//    a window closes when its last tuple has arrived. As in Storm, a count
//    window ends every `slide` tuples and holds the last `length` of them:
//    its spans are [m*S - L, m*S), so the first windows of a sliding count
//    window start below 0 (Storm's shorter first windows) and their
//    window_start reads 0.
// End of stream closes every open window, first to last. With acking on, a
// tuple's trees are held (parked) in the last window it falls in and acked
// when that window has emitted; late and bad tuples are acked at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "dsl/catalog.h"
#include "runtime/component.h"

namespace smc::stdlib {

/// A window's shape, read from a component's arguments.
struct WindowSpec {
  enum class Axis { kNone, kEventTime, kProcessingTime, kCount };
  Axis axis = Axis::kNone;  // kNone: no `window` argument
  int64_t length = 0;       // milliseconds, or tuples (kCount)
  int64_t slide = 0;        // the same unit; == length when tumbling
  int64_t lateness = 0;     // milliseconds (kEventTime)
  int64_t offset = 0;       // the spans are [k*slide + offset, ... + length): (-length) mod slide for kCount
  std::string timestamp;    // the timestamp field (kEventTime)
};

/// Most windows one tuple may fall in (window / slide).
inline constexpr int64_t kMaxWindowsPerTuple = 1000;

/// The parameters `window`, `slide`, `timestamp` and `lateness`.
std::vector<ParamSpec> WindowParams();

/// Reads and checks the window arguments (axis kNone without `window`).
/// False with the error and the argument it names.
bool ReadWindowSpec(const ArgMap& args, WindowSpec* spec, std::string* error, std::string* error_arg);

/// The streams a windowed component adds after its default one: `late`
/// (the input's fields) and `errors` with event time.
void AddWindowStreams(const WindowSpec& spec, const std::vector<std::string>& input_fields,
                      std::vector<StreamSpec>* out);

/// A timestamp in milliseconds since the epoch: an integer or a float
/// (seconds below 1e11), or a string holding one or an RFC 3339 time.
/// False with the reason when it is none of these or out of range.
bool ParseTimestamp(const rt::Datum& d, int64_t* ms, std::string* reason);

/// floor(a / b) for b > 0.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

/// Where each tuple falls on the window's axis, and what happens to the
/// tuples that fall nowhere (late ones, bad timestamps).
class WindowClock {
 public:
  /// Resolves the timestamp field and the `late` stream.
  void Open(const rt::Context& ctx, const WindowSpec& spec);
  /// Before each batch (reads the wall clock once for processing time).
  void BeginBatch();
  /// The position of tuple `t` (input `input`) on the axis: true, or false
  /// when the tuple went to `late` or `errors` and was acked.
  bool Place(const rt::Batch& b, size_t t, int input, rt::Emitter& out, int64_t* position);
  /// After each batch: counts its late tuples in the `late` metric.
  void EndBatch();
  /// Windows ending at or before this may close now.
  int64_t Mark() const;
  /// Rebalance: takes on what another instance's clock has seen (the
  /// watermark becomes the larger of the two).
  void Merge(const WindowClock& from);
  /// The wall clock, in milliseconds since the epoch.
  static int64_t WallMs();

 private:
  WindowSpec spec_;
  std::vector<int> ts_field_;  // per input
  int late_stream_ = -1;
  int64_t max_seen_ = INT64_MIN;
  int64_t ordinal_ = 0;   // kCount: tuples placed
  int64_t now_ms_ = 0;    // kProcessingTime: at BeginBatch
  int64_t late_now_ = 0;  // late tuples of this batch
  rt::SharedEmitter* metrics_ = nullptr;
  std::vector<rt::Datum> values_;
  std::string text_, scratch_;
};

/// The open windows of one instance, each with the per-window `State` of
/// its component, and the trees its tuples hold.
template <typename State>
class Windows {
 public:
  struct Window {
    int64_t start = 0, end = 0;
    State state{};
    rt::HeldTrees held;
  };

  explicit Windows(const WindowSpec& spec) : spec_(spec) {}

  /// The windows containing `position`, first to last (created when new);
  /// the last is where the tuple's trees are held. Valid until the next call.
  const std::vector<Window*>& At(int64_t position) {
    const int64_t p = position - spec_.offset;
    const int64_t hi = FloorDiv(p, spec_.slide);
    const int64_t lo = FloorDiv(p - spec_.length, spec_.slide) + 1;
    if (hi == cached_hi_ && lo == cached_lo_) return cached_;
    cached_.clear();
    for (int64_t k = lo; k <= hi; ++k) {
      auto [it, inserted] = open_.try_emplace(k);
      if (inserted) {
        it->second.start = k * spec_.slide + spec_.offset;
        it->second.end = it->second.start + spec_.length;
      }
      cached_.push_back(&it->second);
    }
    cached_hi_ = hi;
    cached_lo_ = lo;
    return cached_;
  }

  /// Closes every window that ends at or before `mark`, first to last:
  /// emit(window), then its held trees are acked.
  template <typename F>
  void CloseUpTo(int64_t mark, rt::Emitter& out, F emit) {
    while (!open_.empty() && open_.begin()->second.end <= mark) CloseFirst(out, emit);
  }
  /// Closes every open window (the end of the stream).
  template <typename F>
  void CloseAll(rt::Emitter& out, F emit) {
    while (!open_.empty()) CloseFirst(out, emit);
  }
  size_t size() const { return open_.size(); }

  /// Calls f(k, window) for every open window, first to last (k: the
  /// window's index, the same in every instance).
  template <typename F>
  void ForEach(F f) {
    for (auto& [k, w] : open_) f(k, w);
  }
  /// The open window with index `k`, created when new.
  Window& Get(int64_t k) {
    auto [it, inserted] = open_.try_emplace(k);
    if (inserted) {
      it->second.start = k * spec_.slide + spec_.offset;
      it->second.end = it->second.start + spec_.length;
      cached_hi_ = INT64_MIN;
    }
    return it->second;
  }

 private:
  template <typename F>
  void CloseFirst(rt::Emitter& out, F& emit) {
    Window& w = open_.begin()->second;
    emit(w);
    out.Release(&w.held);
    open_.erase(open_.begin());
    cached_hi_ = INT64_MIN;
  }
  WindowSpec spec_;
  std::map<int64_t, Window> open_;                         // by k
  int64_t cached_hi_ = INT64_MIN, cached_lo_ = INT64_MIN;  // the windows in cached_
  std::vector<Window*> cached_;
};

/// A window's start as it is reported (count windows: not below 0).
inline int64_t ReportedStart(const WindowSpec& spec, int64_t start) {
  return spec.axis == WindowSpec::Axis::kCount && start < 0 ? 0 : start;
}

/// The tick a processing-time window needs when the topology sets none:
/// a tenth of its slide, between 10ms and 1s (0: no ticks for other axes).
int64_t WindowTickNs(const WindowSpec& spec);

/// A bolt over windows (CRTP): each tuple is placed on the window's axis
/// and handed with the windows it falls in to `Derived::Add(batch, t,
/// input, windows)`; its trees are held in the last of them; windows close
/// as the clock allows (after each batch, on ticks, at the end), each
/// through `Derived::EmitWindow(window, out)`. Derived::Open calls
/// OpenWindows first.
template <typename Derived, typename State>
class WindowedBolt : public rt::Component {
 public:
  using Window = typename Windows<State>::Window;

  int64_t DefaultTickNs() const override { return WindowTickNs(spec_); }
  // A window's tuples are held until it has emitted.
  rt::AckMode Acking() const override { return rt::AckMode::kExplicit; }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    clock_.BeginBatch();
    for (size_t t = 0; t < b.size(); ++t) {
      int64_t position;
      if (!clock_.Place(b, t, input, out, &position)) continue;
      const std::vector<Window*>& in = windows_->At(position);
      static_cast<Derived*>(this)->Add(b, t, input, in);
      if (acking_) out.Hold(b, t, &in.back()->held);
    }
    clock_.EndBatch();
    Tick(out);
  }
  void Tick(rt::Emitter& out) override {
    windows_->CloseUpTo(clock_.Mark(), out, [&](Window& w) { static_cast<Derived*>(this)->EmitWindow(w, out); });
  }
  void Finish(rt::Emitter& out) override {
    windows_->CloseAll(out, [&](Window& w) { static_cast<Derived*>(this)->EmitWindow(w, out); });
  }

 protected:
  /// Reads the window arguments and opens the clock (throws on bad ones).
  void OpenWindows(const rt::Context& ctx) {
    std::string error, error_arg;
    if (!ReadWindowSpec(*ctx.args, &spec_, &error, &error_arg)) throw std::runtime_error(error);
    clock_.Open(ctx, spec_);
    windows_ = std::make_unique<Windows<State>>(spec_);
    acking_ = ctx.acking;
  }
  size_t open_windows() const { return windows_->size(); }

  /// Rebalance (Derived::MoveState): the clock is merged into every
  /// instance of `to` (each a Derived); for each open window,
  /// `split(window, dst)` moves its State, where dst(i) is the same window
  /// of to[i] (created when new); its held trees go to to[0]'s, so that each
  /// is released once, by the one instance.
  template <typename Split>
  void MoveWindows(const std::vector<rt::Component*>& to, Split split) {
    std::vector<WindowedBolt*> dst;
    for (rt::Component* c : to) dst.push_back(static_cast<Derived*>(c));
    for (WindowedBolt* d : dst) d->clock_.Merge(clock_);
    windows_->ForEach([&](int64_t k, Window& w) {
      split(w, [&](size_t i) -> Window& { return dst[i]->windows_->Get(k); });
      if (w.held.xors.empty() || dst.empty()) return;
      rt::FlatMap64<uint64_t>& into = dst[0]->windows_->Get(k).held.xors;
      w.held.xors.ForEach([&](uint64_t root, uint64_t x) {
        auto [value, inserted] = into.TryInsert(root);
        if (inserted) *value = 0;  // a reused slot's value is stale
        *value ^= x;
      });
      w.held.xors.Clear();
    });
  }
  WindowSpec spec_;

 private:
  WindowClock clock_;
  std::unique_ptr<Windows<State>> windows_;
  bool acking_ = false;  // off: no trees to hold, no call per tuple
};

}  // namespace smc::stdlib

namespace smc::stdlib {

/// `count` with a `window` argument (stdlib/window_count.cc).
std::unique_ptr<rt::Component> MakeWindowedCount();

}  // namespace smc::stdlib
