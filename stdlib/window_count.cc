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
