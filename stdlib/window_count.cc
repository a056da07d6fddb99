// count(key, window: ...): counts per key in each window (stdlib/window.h).
#include "stdlib/component_helpers.h"
#include "stdlib/key_map.h"
#include "stdlib/window.h"

namespace smc::stdlib {

namespace {
class WindowedCount : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    std::string error, error_arg;
    if (!ReadWindowSpec(*ctx.args, &spec_, &error, &error_arg)) throw std::runtime_error(error);
    key_ = FieldIndexPerInput(ctx, ctx.StringArg("key"));
    clock_.Open(ctx, spec_);
    windows_ = std::make_unique<Windows<KeyMap<int64_t>>>(spec_);
  }
  int64_t DefaultTickNs() const override { return WindowTickNs(spec_); }
  // A window's tuples are held until it has emitted (stdlib/window.h).
  rt::AckMode Acking() const override { return rt::AckMode::kExplicit; }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    const int k = key_[input];
    clock_.BeginBatch();
    for (size_t t = 0; t < b.size(); ++t) {
      int64_t position;
      if (!clock_.Place(b, t, input, out, &position)) continue;
      const auto& in = windows_->At(position);
      const rt::Datum key = b.Get(t, k);
      for (auto* w : in) ++w->state.Find(key).value;
      out.Hold(b, t, &in.back()->held);
    }
    clock_.EndBatch();
    windows_->CloseUpTo(clock_.Mark(), out, [&](auto& w) { EmitWindow(w, out); });
  }
  void Tick(rt::Emitter& out) override {
    windows_->CloseUpTo(clock_.Mark(), out, [&](auto& w) { EmitWindow(w, out); });
  }
  void Finish(rt::Emitter& out) override {
    windows_->CloseAll(out, [&](auto& w) { EmitWindow(w, out); });
  }

 private:
  void EmitWindow(Windows<KeyMap<int64_t>>::Window& w, rt::Emitter& out) {
    const rt::Datum start = rt::Datum::Int(ReportedStart(spec_, w.start)), end = rt::Datum::Int(w.end);
    w.state.ForEach([&](KeyMap<int64_t>::Slot& slot) {
      rt::Datum v[4] = {slot.key.View(), rt::Datum::Int(slot.value), start, end};
      out.Emit(0, v);
    });
  }
  WindowSpec spec_;
  WindowClock clock_;
  std::vector<int> key_;
  std::unique_ptr<Windows<KeyMap<int64_t>>> windows_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeWindowedCount() {
  return std::make_unique<WindowedCount>();
}

}  // namespace smc::stdlib
