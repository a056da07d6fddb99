// filter(field, regex | equals): keeps the tuples whose field matches.
#include "stdlib/component_helpers.h"

#include "stdlib/builtins.h"
#include "stdlib/regex.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec FilterSpec() {
  ComponentSpec s;
  s.name = "filter";
  s.kind = ComponentKind::kBolt;
  s.summary = "keeps the tuples whose field matches a regular expression or equals a value";
  s.params = {
      Optional("field", ParamType::kField, "the field to test; default: the first input field"),
      Optional("regex", ParamType::kString, "keep when the field contains a match (RE2 syntax; (?i) ignores case)"),
      Optional("equals", ParamType::kString, "keep when the field's text equals this"),
      Optional("invert", ParamType::kBool, Value::Bool(false), "keep the tuples that do not match instead")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    bool has_regex = args.count("regex") > 0, has_equals = args.count("equals") > 0;
    if (has_regex == has_equals) {
      *error = has_regex ? "give 'regex' or 'equals', not both" : "'filter' needs 'regex' or 'equals'";
      *error_arg = has_regex ? "equals" : "";
      return false;
    }
    if (has_regex) {
      std::string why;
      if (!Regex::Compile(StringArg(args, "regex"), &why)) {
        *error = "invalid regular expression: " + why;
        *error_arg = "regex";
        return false;
      }
    }
    *out = {{"default", in}};
    return true;
  };
  s.outputs_doc = "the input fields";
  s.passthrough = true;
  return s;
}

namespace {
// True when a regex is only literal alternatives ("error|warn"): then a plain
// substring search gives the same answer faster than a regex engine.
bool LiteralAlternatives(const std::string& re, std::vector<std::string>* out) {
  std::string cur;
  for (char c : re) {
    if (c == '|') {
      out->push_back(cur);
      cur.clear();
    } else if (std::string_view("\\^$.[]()*+?{}").find(c) != std::string_view::npos) {
      return false;
    } else {
      cur += c;
    }
  }
  out->push_back(cur);
  return true;
}

class Filter : public rt::Component {
 public:
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kStateless, {}}; }
  void Open(const rt::Context& ctx) override {
    field_ = FieldIndexPerInput(ctx, ctx.StringArg("field"));
    invert_ = ctx.Arg("invert").num != 0;
    if (ctx.args->count("equals")) {
      equals_ = ctx.StringArg("equals");
      use_equals_ = true;
    } else {
      std::string re = ctx.StringArg("regex");
      if (!LiteralAlternatives(re, &literals_)) {
        literals_.clear();
        std::string why;
        regex_ = Regex::Compile(re, &why);
        if (!regex_) throw std::runtime_error("invalid regular expression: " + why);  // checked before a run
      }
    }
  }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    const int f = field_[input];
    for (size_t t = 0; t < b.size(); ++t) {
      out.Anchor(b, t);
      std::string_view text = TextOf(b.Get(t, f), &text_);
      if (Matches(text) != invert_) {
        ReadTuple(b, t, &values_);
        out.Emit(0, values_.data());
      }
    }
  }

 private:
  bool Matches(std::string_view text) const {
    if (use_equals_) return text == equals_;
    if (regex_) return regex_->Search(text);
    for (const std::string& lit : literals_) {
      if (text.find(lit) != std::string_view::npos) return true;
    }
    return false;
  }
  std::vector<int> field_;
  bool invert_ = false;
  bool use_equals_ = false;
  std::string equals_;
  std::vector<std::string> literals_;
  std::unique_ptr<Regex> regex_;
  std::string text_;
  std::vector<rt::Datum> values_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeFilter() {
  return std::make_unique<Filter>();
}

}  // namespace smc::stdlib
