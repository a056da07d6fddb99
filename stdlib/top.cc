// top(n, key): the n most frequent keys.
#include <algorithm>
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/key_map.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec TopSpec() {
  ComponentSpec s;
  s.name = "top";
  s.kind = ComponentKind::kBolt;
  s.summary = "ranks keys by how often they occur (or by a numeric field) and emits the first n";
  s.params = {
      Optional("n", ParamType::kInt, Value::Int(10), "how many keys to emit"),
      Required("key", ParamType::kField, "the field to rank"),
      Optional("by", ParamType::kField, Value::String(""),
               "a numeric field holding each key's latest score; empty (the default) counts occurrences"),
      Choice("emit", {"end", "tick"}, "end", "end: once, when the input ends; tick: the ranking on every tick")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out, std::string* error,
                 std::string* error_arg) {
    std::string key = StringArg(args, "key"), by = StringArg(args, "by");
    if (!AtLeast(args, "n", 1, error, error_arg)) return false;
    std::string score = by.empty() ? "count" : by;
    if (score == key) {
      *error = "the key and the score cannot both be '" + key + "'";
      *error_arg = "key";
      return false;
    }
    *out = {{"default", {key, score}}};
    return true;
  };
  s.outputs_doc = "(KEY, count), or (KEY, BY) with 'by'; highest first";
  s.keyed_by = "key";
  return s;
}

namespace {
class Top : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    n_ = static_cast<size_t>(ctx.IntArg("n"));
    key_ = FieldIndexPerInput(ctx, ctx.StringArg("key"));
    std::string by = ctx.StringArg("by");
    if (!by.empty()) by_ = FieldIndexPerInput(ctx, by);
    on_tick_ = ctx.StringArg("emit") == "tick";
  }
  rt::AckMode Acking() const override { return rt::AckMode::kHold; }  // until it emits
  void Execute(const rt::Batch& b, int input, rt::Emitter&) override {
    for (size_t t = 0; t < b.size(); ++t) {
      auto& slot = scores_.Find(b.Get(t, key_[input]));
      if (by_.empty()) {
        slot.value += 1;
      } else {
        rt::Datum s = b.Get(t, by_[input]);
        slot.value = s.type == rt::Type::kFloat    ? s.f
                     : s.type == rt::Type::kString ? std::atof(std::string(s.s).c_str())
                                                   : static_cast<double>(s.i);
      }
    }
  }
  void Tick(rt::Emitter& out) override {
    if (on_tick_) EmitRanking(out);
  }
  void Finish(rt::Emitter& out) override { EmitRanking(out); }
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kKeyed, key_}; }
  // Each key's count (or latest score) goes to its new instance: counts of
  // one key from two old instances (partial grouping) add up; of two
  // scores, which is the later cannot be told, and the higher is kept.
  void MoveState(const std::vector<rt::Component*>& to, const rt::KeyRoute& route) override {
    scores_.ForEach([&](Slot& slot) {
      auto* dst = static_cast<Top*>(to[route(slot.key.View())]);
      if (by_.empty()) {
        dst->scores_.Find(slot.key.View()).value += slot.value;
        return;
      }
      const bool had = dst->scores_.Lookup(slot.key.View()) != nullptr;
      Slot& d = dst->scores_.Find(slot.key.View());
      d.value = had ? std::max(d.value, slot.value) : slot.value;
    });
  }

 private:
  using Slot = KeyMap<double>::Slot;
  void EmitRanking(rt::Emitter& out) {
    std::vector<Slot*> all;
    scores_.ForEach([&](Slot& s) { all.push_back(&s); });
    size_t n = std::min(n_, all.size());
    auto better = [](const Slot* a, const Slot* b) {
      if (a->value != b->value) return a->value > b->value;
      return a->key.View().ToText() < b->key.View().ToText();
    };
    std::partial_sort(all.begin(), all.begin() + n, all.end(), better);
    for (size_t k = 0; k < n; ++k) {
      double v = all[k]->value;
      rt::Datum score = by_.empty() || v == static_cast<double>(static_cast<int64_t>(v))
                            ? rt::Datum::Int(static_cast<int64_t>(v))
                            : rt::Datum::Float(v);
      rt::Datum tuple[2] = {all[k]->key.View(), score};
      out.Emit(0, tuple);
    }
  }
  size_t n_ = 10;
  std::vector<int> key_;
  std::vector<int> by_;
  bool on_tick_ = false;
  KeyMap<double> scores_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeTop() {
  return std::make_unique<Top>();
}

}  // namespace smc::stdlib
