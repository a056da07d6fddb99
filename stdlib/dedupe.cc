// dedupe(key): drops tuples whose key was seen before.
#include <deque>
#include "stdlib/component_helpers.h"
#include "stdlib/key_map.h"
#include "stdlib/builtins.h"
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
  return s;
}

namespace {
class Dedupe : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    key_ = FieldIndexPerInput(ctx, ctx.StringArg("key"));
    window_ = static_cast<size_t>(ctx.IntArg("window"));
  }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    for (size_t t = 0; t < b.size(); ++t) {
      rt::Datum key = b.Get(t, key_[input]);
      auto& slot = seen_.Find(key);
      if (slot.value.seen) continue;
      slot.value.seen = true;
      if (window_ > 0) {
        order_.push_back(&slot);
        if (order_.size() > window_) {
          order_.front()->value.seen = false;  // forgotten: its next occurrence passes again
          order_.pop_front();
        }
      }
      ReadTuple(b, t, &values_);
      out.Emit(0, values_.data());
    }
  }

 private:
  struct Seen {
    bool seen = false;
  };
  std::vector<int> key_;
  size_t window_ = 0;
  KeyMap<Seen> seen_;
  std::deque<KeyMap<Seen>::Slot*> order_;
  std::vector<rt::Datum> values_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeDedupe() { return std::make_unique<Dedupe>(); }

}  // namespace smc::stdlib
