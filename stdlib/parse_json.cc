// parse_json(fields): reads JSON objects from a text field.
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/json_fields.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec ParseJsonSpec() {
  ComponentSpec s;
  s.name = "parse_json";
  s.kind = ComponentKind::kBolt;
  s.summary = "parses a JSON object from a text field and emits the named keys";
  s.params = {Required("fields", ParamType::kStringList, "the keys to emit, in this order (missing keys are null)"),
              Optional("field", ParamType::kField, "the field holding the JSON text; default: the first input field")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out, std::string* error,
                 std::string* error_arg) {
    std::vector<std::string> fields = StringListArg(args, "fields");
    *error_arg = "fields";
    if (fields.empty()) {
      *error = "'parse_json' needs at least one field";
      return false;
    }
    if (!ValidFieldNames(fields, error)) return false;
    *out = {{"default", fields}, ErrorsStream()};
    return true;
  };
  s.outputs_doc = "the fields named by 'fields'; errors(input, reason) for text that is not a JSON object";
  return s;
}

namespace {
class ParseJson : public rt::Component {
 public:
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kStateless, {}}; }
  void Open(const rt::Context& ctx) override {
    field_ = FieldIndexPerInput(ctx, ctx.StringArg("field"));
    std::vector<std::string> keys;
    for (const Value& f : ctx.Arg("fields").list) keys.push_back(f.str);
    json_ = std::make_unique<JsonFields>(std::move(keys));
  }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    const int f = field_[input];
    for (size_t t = 0; t < b.size(); ++t) {
      out.Anchor(b, t);
      rt::Datum d = b.Get(t, f);
      if (d.type != rt::Type::kString) {
        out.Error(d.ToText(), "not a JSON object");
        continue;
      }
      if (!json_->Parse(d.s, &why_)) {
        out.Error(d.s, why_);
        continue;
      }
      out.Emit(0, json_->values().data());
    }
  }

 private:
  std::vector<int> field_;
  std::unique_ptr<JsonFields> json_;
  std::string why_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeParseJson() {
  return std::make_unique<ParseJson>();
}

}  // namespace smc::stdlib
