// count(key, window: ...): counts per key in each window (stdlib/window.h).
#include "stdlib/component_helpers.h"
#include "stdlib/key_map.h"
#include "stdlib/window.h"

namespace smc::stdlib {

namespace {
class WindowedCount : public WindowedBolt<WindowedCount, KeyMap<int64_t>> {
 public:
  void Open(const rt::Context& ctx) override {
    OpenWindows(ctx);
    key_ = FieldIndexPerInput(ctx, ctx.StringArg("key"));
  }
  void Add(const rt::Batch& b, size_t t, int input, const std::vector<Window*>& in) {
    const rt::Datum key = b.Get(t, key_[input]);
    for (Window* w : in) ++w->state.Find(key).value;
  }
  // Count windows span each instance's own tuple ordinals, which mean
  // nothing at another instance: only time windows move.
  rt::Rescaling Rescalable() const override {
    if (spec_.axis == WindowSpec::Axis::kCount) return {};
    return {rt::Rescaling::kKeyed, key_};
  }
  // Each open window's count of a key goes to that window at the key's new
  // instance; the watermark and the held trees as MoveWindows says.
  void MoveState(const std::vector<rt::Component*>& to, const rt::KeyRoute& route) override {
    MoveWindows(to, [&](Window& w, auto dst) {
      w.state.ForEach([&](KeyMap<int64_t>::Slot& slot) {
        dst(route(slot.key.View())).state.Find(slot.key.View()).value += slot.value;
      });
    });
  }
  void EmitWindow(Window& w, rt::Emitter& out) {
    const rt::Datum start = rt::Datum::Int(ReportedStart(spec_, w.start)), end = rt::Datum::Int(w.end);
    w.state.ForEach([&](KeyMap<int64_t>::Slot& slot) {
      rt::Datum v[4] = {slot.key.View(), rt::Datum::Int(slot.value), start, end};
      out.Emit(0, v);
    });
  }

 private:
  std::vector<int> key_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeWindowedCount() {
  return std::make_unique<WindowedCount>();
}

}  // namespace smc::stdlib
