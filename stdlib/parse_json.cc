// parse_json(fields): reads JSON objects from a text field.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include "stdlib/component_helpers.h"
#include "stdlib/formats.h"
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec ParseJsonSpec() {
  ComponentSpec s;
  s.name = "parse_json";
  s.kind = ComponentKind::kBolt;
  s.summary = "parses a JSON object from a text field and emits the named keys";
  s.params = {Required("fields", ParamType::kStringList, "the keys to emit, in this order (missing keys are null)"),
              Optional("field", ParamType::kField, "the field holding the JSON text; default: the first input field")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
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
  void Open(const rt::Context& ctx) override {
    field_ = FieldIndexPerInput(ctx, ctx.StringArg("field"));
    for (const Value& f : ctx.Arg("fields").list) keys_.push_back(f.str);
    values_.resize(keys_.size());
    scratch_.resize(keys_.size());
  }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    const int f = field_[input];
    for (size_t t = 0; t < b.size(); ++t) {
      rt::Datum d = b.Get(t, f);
      if (d.type != rt::Type::kString) {
        out.Error(d.ToText(), "not a JSON object");
        continue;
      }
      // A document per tuple, on a reused buffer: one reused Document would
      // keep every parse's memory until the end of the run.
      rapidjson::MemoryPoolAllocator<> pool(pool_buffer_, sizeof pool_buffer_);
      rapidjson::Document doc(&pool);
      doc.Parse(d.s.data(), d.s.size());
      if (doc.HasParseError()) {
        out.Error(d.s, std::string("invalid JSON at byte ") + std::to_string(doc.GetErrorOffset()) + ": " +
                           rapidjson::GetParseError_En(doc.GetParseError()));
        continue;
      }
      if (!doc.IsObject()) {
        out.Error(d.s, "not a JSON object");
        continue;
      }
      for (size_t k = 0; k < keys_.size(); ++k) {
        auto it = doc.FindMember(rapidjson::StringRef(keys_[k].data(), keys_[k].size()));
        values_[k] = it == doc.MemberEnd() ? rt::Datum::Null() : JsonDatum(it->value, &scratch_[k]);
      }
      out.Emit(0, values_.data());
    }
  }

 private:
  std::vector<int> field_;
  std::vector<std::string> keys_;
  std::vector<rt::Datum> values_;
  std::vector<std::string> scratch_;
  char pool_buffer_[16384];
};
}  // namespace

std::unique_ptr<rt::Component> MakeParseJson() { return std::make_unique<ParseJson>(); }

}  // namespace smc::stdlib
