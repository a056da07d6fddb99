// custom modulo(field): the built-in example of a custom grouping.
#include "runtime/registry.h"
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

GroupingSpec ModuloGroupingSpec() {
  GroupingSpec g;
  g.name = "modulo";
  g.summary = "sends a tuple to instance (value mod instances) of an integer field; other values to instance 0";
  g.params = {Required("field", ParamType::kField, "the integer field")};
  return g;
}

namespace {
class ModuloGrouping : public rt::CustomGrouping {
 public:
  void Prepare(int targets, const std::map<std::string, Value>& args, const std::vector<std::string>& fields) override {
    targets_ = targets;
    const std::string& field = args.at("field").str;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == field) index_ = static_cast<int>(i);
    }
  }
  void Choose(const rt::Datum* tuple, std::vector<int>* out) override {
    const rt::Datum& d = tuple[index_];
    int64_t v = d.type == rt::Type::kInt ? d.i : 0;
    int64_t r = v % targets_;
    out->push_back(static_cast<int>(r < 0 ? r + targets_ : r));
  }

 private:
  int targets_ = 1;
  int index_ = 0;
};
}  // namespace

std::unique_ptr<rt::CustomGrouping> MakeModuloGrouping() {
  return std::make_unique<ModuloGrouping>();
}

}  // namespace smc::stdlib
