// rolling_count(key, window): counts per key over a sliding time window.
#include <stdexcept>
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/key_map.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec RollingCountSpec() {
  ComponentSpec s;
  s.name = "rolling_count";
  s.kind = ComponentKind::kBolt;
  s.summary = "counts tuples per key over a sliding time window, emitting the counts on every tick";
  s.params = {Required("key", ParamType::kField, "the field to count by"),
              Optional("window", ParamType::kDuration, Value::Duration(60'000'000'000), "the window's length")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out, std::string* error,
                 std::string* error_arg) {
    std::string key = StringArg(args, "key");
    if (args.at("window").num <= 0) {
      *error = "'window' must be positive";
      *error_arg = "window";
      return false;
    }
    if (key == "count") {
      *error = "the key cannot be named 'count', the name of the output's count field";
      *error_arg = "key";
      return false;
    }
    *out = {{"default", {key, "count"}}};
    return true;
  };
  s.outputs_doc = "(KEY, count)";
  s.keyed_by = "key";
  return s;
}

namespace {
// Counts per key in `slots` time slots that together span the window; each
// tick closes the current slot, emits every key's total over the window and
// forgets keys whose total fell to zero.
class RollingCount : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    key_ = FieldIndexPerInput(ctx, ctx.StringArg("key"));
    int64_t window = ctx.Arg("window").num;
    int64_t tick = ctx.tick_ns > 0 ? ctx.tick_ns : window / kDefaultSlots;
    tick = std::max<int64_t>(tick, 1);
    default_tick_ns_ = tick;
    slots_ = static_cast<size_t>(std::max<int64_t>(1, (window + tick - 1) / tick));
  }
  int64_t DefaultTickNs() const override { return default_tick_ns_; }
  rt::AckMode Acking() const override { return rt::AckMode::kHold; }  // until it emits
  void Execute(const rt::Batch& b, int input, rt::Emitter&) override {
    for (size_t t = 0; t < b.size(); ++t) {
      auto& slot = counts_.Find(b.Get(t, key_[input]));
      if (slot.value.empty()) slot.value.assign(slots_, 0);
      ++slot.value[current_];
    }
  }
  void Tick(rt::Emitter& out) override {
    EmitTotals(out);
    current_ = (current_ + 1) % slots_;
    // The new current slot starts empty; keys with nothing left are dropped.
    KeyMap<std::vector<int64_t>> kept;
    counts_.ForEach([&](auto& slot) {
      slot.value[current_] = 0;
      int64_t total = 0;
      for (int64_t c : slot.value) total += c;
      if (total > 0) kept.Find(slot.key.View()).value = slot.value;
    });
    counts_ = std::move(kept);
  }
  void Finish(rt::Emitter& out) override { EmitTotals(out); }
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kKeyed, key_}; }
  // Each key's slots go to its new instance, aligned by age: the slot this
  // instance filled j ticks ago adds to the one the new instance filled j
  // ticks ago (the instances' rings may be at different places), so every
  // count leaves the window on the same tick as it would have here.
  void MoveState(const std::vector<rt::Component*>& to, const rt::KeyRoute& route) override {
    counts_.ForEach([&](auto& slot) {
      if (slot.value.empty()) return;
      auto* dst = static_cast<RollingCount*>(to[route(slot.key.View())]);
      if (dst->slots_ != slots_) throw std::logic_error("rolling_count: rebalance between different windows");
      std::vector<int64_t>& d = dst->counts_.Find(slot.key.View()).value;
      if (d.empty()) d.assign(slots_, 0);
      for (size_t j = 0; j < slots_; ++j)
        d[(dst->current_ + slots_ - j) % slots_] += slot.value[(current_ + slots_ - j) % slots_];
    });
  }

 private:
  static constexpr int64_t kDefaultSlots = 6;
  void EmitTotals(rt::Emitter& out) {
    counts_.ForEach([&](auto& slot) {
      int64_t total = 0;
      for (int64_t c : slot.value) total += c;
      if (total == 0) return;
      rt::Datum v[2] = {slot.key.View(), rt::Datum::Int(total)};
      out.Emit(0, v);
    });
  }
  std::vector<int> key_;
  size_t slots_ = 6;
  int64_t default_tick_ns_ = 0;
  size_t current_ = 0;
  KeyMap<std::vector<int64_t>> counts_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeRollingCount() {
  return std::make_unique<RollingCount>();
}

}  // namespace smc::stdlib
