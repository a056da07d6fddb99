// count(key): counts tuples per key; with `window`, per key in each window
// (stdlib/window_count.cc).
#include <unordered_map>
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/key_map.h"
#include "stdlib/spec_helpers.h"
#include "stdlib/window.h"

namespace smc::stdlib {

ComponentSpec CountSpec() {
  ComponentSpec s;
  s.name = "count";
  s.kind = ComponentKind::kBolt;
  s.summary = "counts tuples per value of a key field";
  s.params = {Required("key", ParamType::kField, "the field to count by"),
              Choice("emit", {"end", "each", "tick"}, "end",
                     "end: every total when the input ends; each: the new total after every tuple; "
                     "tick: the totals changed since the last tick, on each tick; "
                     "with 'window', each window's totals when it closes")};
  for (ParamSpec& p : WindowParams()) s.params.push_back(std::move(p));
  s.outputs = [](const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    std::string key = StringArg(args, "key");
    if (key == "count") {
      *error = "the key cannot be named 'count', the name of the output's count field";
      *error_arg = "key";
      return false;
    }
    WindowSpec window;
    if (!ReadWindowSpec(args, &window, error, error_arg)) return false;
    if (window.axis == WindowSpec::Axis::kNone) {
      *out = {{"default", {key, "count"}}};
      return true;
    }
    if (key == "window_start" || key == "window_end") {
      *error = "the key cannot be named '" + key + "', the name of a field of a window's results";
      *error_arg = "key";
      return false;
    }
    if (StringArg(args, "emit") != "end") {
      *error = "'emit' does not apply with 'window': each window's counts are emitted when it closes";
      *error_arg = "emit";
      return false;
    }
    *out = {{"default", {key, "count", "window_start", "window_end"}}};
    AddWindowStreams(window, in, out);
    return true;
  };
  s.outputs_doc =
      "(KEY, count); with 'window', (KEY, count, window_start, window_end), and with 'timestamp' late(the input's "
      "fields) and errors(input, reason)";
  s.keyed_by = "key";
  return s;
}

namespace {
class Count : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    key_ = FieldIndexPerInput(ctx, ctx.StringArg("key"));
    std::string emit = ctx.StringArg("emit");
    mode_ = emit == "each" ? kEach : emit == "tick" ? kTick : kEnd;
  }
  // Totals at the end or on ticks hold their inputs' trees until they are emitted.
  rt::AckMode Acking() const override { return mode_ == kEach ? rt::AckMode::kAuto : rt::AckMode::kHold; }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    const int k = key_[input];
    for (size_t t = 0; t < b.size(); ++t) {
      out.Anchor(b, t);
      rt::Datum key = b.Get(t, k);
      KeyMap<Entry>::Slot& slot = counts_.Find(key);
      ++slot.value.count;
      if (mode_ == kEach) {
        EmitEntry(slot, out);
      } else if (mode_ == kTick && !slot.value.changed) {
        slot.value.changed = true;
        changed_.push_back(&slot);
      }
    }
  }
  void Tick(rt::Emitter& out) override {
    if (mode_ != kTick) return;
    for (KeyMap<Entry>::Slot* slot : changed_) {
      EmitEntry(*slot, out);
      slot->value.changed = false;
    }
    changed_.clear();
  }
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kKeyed, key_}; }
  void MoveState(const std::vector<rt::Component*>& to, const rt::KeyRoute& route) override {
    counts_.ForEach([&](KeyMap<Entry>::Slot& slot) {
      auto* dst = static_cast<Count*>(to[route(slot.key.View())]);
      KeyMap<Entry>::Slot& d = dst->counts_.Find(slot.key.View());
      d.value.count += slot.value.count;  // partial grouping: a key's two partial counts merge
      if (slot.value.changed && !d.value.changed) {
        d.value.changed = true;
        dst->changed_.push_back(&d);
      }
    });
  }
  void Finish(rt::Emitter& out) override {
    if (mode_ == kEnd)
      counts_.ForEach([&](KeyMap<Entry>::Slot& slot) { EmitEntry(slot, out); });
    else
      Tick(out);  // what changed since the last tick
  }

 private:
  struct Entry {
    int64_t count = 0;
    bool changed = false;
  };
  void EmitEntry(KeyMap<Entry>::Slot& slot, rt::Emitter& out) {
    rt::Datum v[2] = {slot.key.View(), rt::Datum::Int(slot.value.count)};
    out.Emit(0, v);
  }
  enum Mode { kEnd, kEach, kTick } mode_ = kEnd;
  std::vector<int> key_;
  KeyMap<Entry> counts_;
  std::vector<KeyMap<Entry>::Slot*> changed_;
};

// A count with `window` is a windowed count: the choice is made when the
// instance opens, with its arguments.
class CountOrWindowed : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    impl_ = ctx.args->count("window") ? MakeWindowedCount() : std::make_unique<Count>();
    impl_->Open(ctx);
  }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override { impl_->Execute(b, input, out); }
  void Tick(rt::Emitter& out) override { impl_->Tick(out); }
  void Finish(rt::Emitter& out) override { impl_->Finish(out); }
  int64_t DefaultTickNs() const override { return impl_->DefaultTickNs(); }
  rt::AckMode Acking() const override { return impl_->Acking(); }
  rt::Rescaling Rescalable() const override { return impl_->Rescalable(); }
  void MoveState(const std::vector<rt::Component*>& to, const rt::KeyRoute& route) override {
    std::vector<rt::Component*> impls;
    for (rt::Component* c : to) impls.push_back(static_cast<CountOrWindowed*>(c)->impl_.get());
    impl_->MoveState(impls, route);
  }

 private:
  std::unique_ptr<rt::Component> impl_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeCount() {
  return std::make_unique<CountOrWindowed>();
}

}  // namespace smc::stdlib
