// project(fields): keeps some fields, in a given order.
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec ProjectSpec() {
  ComponentSpec s;
  s.name = "project";
  s.kind = ComponentKind::kBolt;
  s.summary = "keeps the named fields of each tuple, in the order given";
  s.params = {Required("fields", ParamType::kFieldList, "the fields to keep")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out, std::string* error,
                 std::string* error_arg) {
    std::vector<std::string> fields = StringListArg(args, "fields");
    *error_arg = "fields";
    if (fields.empty()) {
      *error = "'project' needs at least one field";
      return false;
    }
    if (!ValidFieldNames(fields, error)) return false;
    *out = {{"default", fields}};
    return true;
  };
  s.outputs_doc = "the fields named by 'fields'";
  return s;
}

namespace {
class Project : public rt::Component {
 public:
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kStateless, {}}; }
  void Open(const rt::Context& ctx) override {
    for (const Value& f : ctx.Arg("fields").list) indices_.push_back(FieldIndexPerInput(ctx, f.str));
    values_.resize(indices_.size());
  }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    for (size_t t = 0; t < b.size(); ++t) {
      out.Anchor(b, t);
      for (size_t k = 0; k < indices_.size(); ++k) values_[k] = b.Get(t, indices_[k][input]);
      out.Emit(0, values_.data());
    }
  }

 private:
  std::vector<std::vector<int>> indices_;  // per output field, per input
  std::vector<rt::Datum> values_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeProject() {
  return std::make_unique<Project>();
}

}  // namespace smc::stdlib
