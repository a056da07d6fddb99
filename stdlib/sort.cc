// sort(key, window): keeps a rolling window of tuples and emits it sorted.
#include <algorithm>
#include <vector>
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec SortSpec() {
  ComponentSpec s;
  s.name = "sort";
  s.kind = ComponentKind::kBolt;
  s.summary = "keeps the last 'window' tuples and emits them sorted on every tick and at the end";
  s.params = {Optional("key", ParamType::kField, "the field to sort by; default: the first input field"),
              Optional("window", ParamType::kInt, Value::Int(100), "how many of the latest tuples to keep"),
              Choice("order", {"asc", "desc"}, "asc", "ascending or descending")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    if (!AtLeast(args, "window", 1, error, error_arg)) return false;
    *out = {{"default", in}};
    return true;
  };
  s.outputs_doc = "the input fields";
  s.passthrough = true;
  return s;
}

namespace {
class Sort : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    key_ = FieldIndexPerInput(ctx, ctx.StringArg("key"));
    window_ = static_cast<size_t>(ctx.IntArg("window"));
    descending_ = ctx.StringArg("order") == "desc";
  }
  rt::AckMode Acking() const override { return rt::AckMode::kHold; }  // until it emits
  // The window is a ring of rows reused in place (no allocation per tuple
  // once it is full); it grows to `window` rows only as tuples come. Tuples
  // of a batch that later ones of the same batch push out are skipped.
  void Execute(const rt::Batch& b, int input, rt::Emitter&) override {
    const size_t width = static_cast<size_t>(b.width());
    for (size_t t = b.size() > window_ ? b.size() - window_ : 0; t < b.size(); ++t) {
      Row* row;
      if (ring_.size() < window_) {
        row = &ring_.emplace_back();
      } else {
        row = &ring_[head_];
        head_ = (head_ + 1) % window_;
      }
      row->key = key_[input];
      row->values.resize(width);
      for (size_t k = 0; k < width; ++k) row->values[k].Assign(b.Get(t, static_cast<int>(k)));
    }
  }
  void Tick(rt::Emitter& out) override { EmitSorted(out); }
  void Finish(rt::Emitter& out) override { EmitSorted(out); }

 private:
  struct Row {
    int key = 0;
    std::vector<OwnedDatum> values;
  };
  static bool Less(const OwnedDatum& a, const OwnedDatum& b) {
    bool an = a.type == rt::Type::kInt || a.type == rt::Type::kFloat;
    bool bn = b.type == rt::Type::kInt || b.type == rt::Type::kFloat;
    if (an && bn) {
      double x = a.type == rt::Type::kInt ? static_cast<double>(a.i) : a.f;
      double y = b.type == rt::Type::kInt ? static_cast<double>(b.i) : b.f;
      return x < y;
    }
    if (an != bn) return an;  // numbers before text
    if (a.type == rt::Type::kString && b.type == rt::Type::kString) return a.s < b.s;
    return a.View().ToText() < b.View().ToText();
  }
  void EmitSorted(rt::Emitter& out) {
    rows_.clear();  // oldest first: a stable sort keeps arrival order among equal keys
    for (size_t k = 0; k < ring_.size(); ++k) rows_.push_back(&ring_[(head_ + k) % ring_.size()]);
    std::vector<const Row*>& rows = rows_;
    std::stable_sort(rows.begin(), rows.end(), [&](const Row* a, const Row* b) {
      return descending_ ? Less(b->values[b->key], a->values[a->key]) : Less(a->values[a->key], b->values[b->key]);
    });
    for (const Row* r : rows) {
      values_.clear();
      for (const OwnedDatum& d : r->values) values_.push_back(d.View());
      out.Emit(0, values_.data());
    }
  }
  std::vector<int> key_;
  size_t window_ = 100;
  bool descending_ = false;
  std::vector<Row> ring_;  // the window; once full, ring_[head_] is the oldest
  size_t head_ = 0;
  std::vector<const Row*> rows_;
  std::vector<rt::Datum> values_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeSort() {
  return std::make_unique<Sort>();
}

}  // namespace smc::stdlib
