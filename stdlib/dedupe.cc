// dedupe(key): drops tuples whose key was seen before.
#include <algorithm>
#include <deque>
#include <unordered_set>
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/key_map.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec DedupeSpec() {
  ComponentSpec s;
  s.name = "dedupe";
  s.kind = ComponentKind::kBolt;
  s.summary = "passes the first tuple of each key and drops the repeats";
  s.params = {Optional("key", ParamType::kField, "the field that identifies a tuple; default: the first input field"),
              Optional("window", ParamType::kInt, Value::Int(0),
                       "remember only the latest this many keys; 0 (the default) remembers all")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    if (!AtLeast(args, "window", 0, error, error_arg)) return false;
    *out = {{"default", in}};
    return true;
  };
  s.outputs_doc = "the input fields";
  s.passthrough = true;
  s.keyed_by = "key";
  return s;
}

namespace {
// Heterogeneous hashing and equality: a key viewing a batch is looked up
// without copying it.
struct KeyHash {
  using is_transparent = void;
  size_t operator()(const rt::Datum& d) const { return rt::HashDatum(d); }
  size_t operator()(const OwnedDatum& d) const { return rt::HashDatum(d.View()); }
};
struct KeyEq {
  using is_transparent = void;
  bool operator()(const rt::Datum& a, const rt::Datum& b) const { return a == b; }
  bool operator()(const OwnedDatum& a, const rt::Datum& b) const { return a.View() == b; }
  bool operator()(const rt::Datum& a, const OwnedDatum& b) const { return a == b.View(); }
  bool operator()(const OwnedDatum& a, const OwnedDatum& b) const { return a.View() == b.View(); }
};

class Dedupe : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    key_ = FieldIndexPerInput(ctx, ctx.StringArg("key"));
    window_ = static_cast<size_t>(ctx.IntArg("window"));
    if (window_ > 0) recent_.reserve(std::min<size_t>(window_, 1 << 16));
  }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    for (size_t t = 0; t < b.size(); ++t) {
      out.Anchor(b, t);
      rt::Datum key = b.Get(t, key_[input]);
      if (window_ == 0) {
        auto& slot = seen_.Find(key);
        if (slot.value.seen) continue;
        slot.value.seen = true;
      } else if (!Remember(key)) {
        continue;
      }
      ReadTuple(b, t, &values_);
      out.Emit(0, values_.data());
    }
  }
  /// How many keys are remembered now (at most the window, when there is one).
  size_t Remembered() const { return window_ == 0 ? seen_.size() : recent_.size(); }

  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kKeyed, key_}; }
  // Window 0: each seen key goes to its new instance. Window N: each new
  // instance gets the keys routed to it in this instance's order, merged with
  // what another old instance moved there before (their orders interleaved
  // by relative age, as the two instances' clocks cannot be compared), and
  // keeps the latest N.
  void MoveState(const std::vector<rt::Component*>& to, const rt::KeyRoute& route) override {
    if (window_ == 0) {
      seen_.ForEach([&](KeyMap<Seen>::Slot& slot) {
        static_cast<Dedupe*>(to[route(slot.key.View())])->seen_.Find(slot.key.View()).value.seen = true;
      });
      return;
    }
    std::vector<std::vector<const OwnedDatum*>> per(to.size());
    for (const OwnedDatum* k : order_) per[route(k->View())].push_back(k);
    for (size_t i = 0; i < to.size(); ++i) {
      if (!per[i].empty()) static_cast<Dedupe*>(to[i])->MergeRecent(per[i]);
    }
  }

 private:
  // Merges `incoming` (oldest first) into the remembered keys: both
  // sequences interleaved by relative position (the newest of each last),
  // a key in both kept at its later place, the latest `window_` kept.
  void MergeRecent(const std::vector<const OwnedDatum*>& incoming) {
    std::vector<const OwnedDatum*> merged;
    merged.reserve(order_.size() + incoming.size());
    const size_t e = order_.size(), n = incoming.size();
    size_t a = 0, b = 0;
    while (a < e || b < n) {
      // Take from the existing keys while (a+1)/e <= (b+1)/n.
      if (b == n || (a < e && (a + 1) * n <= (b + 1) * e)) {
        merged.push_back(order_[a++]);
      } else {
        merged.push_back(incoming[b++]);
      }
    }
    std::unordered_set<OwnedDatum, KeyHash, KeyEq> recent;
    std::deque<const OwnedDatum*> order;
    for (size_t i = merged.size(); i-- > 0 && order.size() < window_;) {
      auto [it, inserted] = recent.insert(OwnedDatum::From(merged[i]->View()));
      if (inserted) order.push_front(&*it);
    }
    recent_.swap(recent);  // the old nodes, which `merged` views, go only now
    order_.swap(order);
  }

  // With a window: false for a remembered key; otherwise remembers it,
  // forgetting the oldest key beyond the window, and returns true. Memory
  // holds at most `window_` keys.
  bool Remember(const rt::Datum& key) {
    if (recent_.find(key) != recent_.end()) return false;
    const OwnedDatum* k = &*recent_.insert(OwnedDatum::From(key)).first;  // nodes never move
    order_.push_back(k);
    if (order_.size() > window_) {
      recent_.erase(recent_.find(order_.front()->View()));  // forgotten: its next occurrence passes again
      order_.pop_front();
    }
    return true;
  }
  struct Seen {
    bool seen = false;
  };
  std::vector<int> key_;
  size_t window_ = 0;
  KeyMap<Seen> seen_;                                      // window 0: every key
  std::unordered_set<OwnedDatum, KeyHash, KeyEq> recent_;  // window N: the latest N keys
  std::deque<const OwnedDatum*> order_;
  std::vector<rt::Datum> values_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeDedupe() {
  return std::make_unique<Dedupe>();
}

}  // namespace smc::stdlib
