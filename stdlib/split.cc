// split(field): splits a text field into words.
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec SplitSpec() {
  ComponentSpec s;
  s.name = "split";
  s.kind = ComponentKind::kBolt;
  s.summary = "emits one tuple per word of a text field";
  s.params = {Optional("field", ParamType::kField, "the field to split; default: the first input field"),
              Optional("sep", ParamType::kString, Value::String(""),
                       "the separator; empty (the default) splits on runs of whitespace")};
  s.outputs = FixedOutputs({{"default", {"word"}}});
  s.outputs_doc = "(word)";
  return s;
}

namespace {
class Split : public rt::Component {
 public:
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kStateless, {}}; }
  void Open(const rt::Context& ctx) override {
    field_ = FieldIndexPerInput(ctx, ctx.StringArg("field"));
    sep_ = ctx.StringArg("sep");
  }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    const int f = field_[input];
    for (size_t t = 0; t < b.size(); ++t) {
      out.Anchor(b, t);
      std::string_view text = TextOf(b.Get(t, f), &text_);
      if (sep_.empty())
        SplitSpace(text, out);
      else
        SplitOn(text, out);
    }
  }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
  void SplitSpace(std::string_view s, rt::Emitter& out) {
    const char* p = s.data();
    const char* end = p + s.size();
    while (true) {
      while (p < end && IsSpace(*p)) ++p;
      if (p == end) return;
      const char* w = p;
      while (p < end && !IsSpace(*p)) ++p;
      rt::Datum d = rt::Datum::Str(std::string_view(w, p - w));
      out.Emit(0, &d);
    }
  }
  void SplitOn(std::string_view s, rt::Emitter& out) {
    size_t start = 0;
    while (start <= s.size()) {
      size_t at = s.find(sep_, start);
      std::string_view word = s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start);
      if (!word.empty()) {
        rt::Datum d = rt::Datum::Str(word);
        out.Emit(0, &d);
      }
      if (at == std::string_view::npos) return;
      start = at + sep_.size();
    }
  }

  std::vector<int> field_;
  std::string sep_;
  std::string text_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeSplit() {
  return std::make_unique<Split>();
}

}  // namespace smc::stdlib
