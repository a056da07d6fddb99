// project(fields): keeps some fields, in a given order.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec ProjectSpec() {
  ComponentSpec s;
  s.name = "project";
  s.kind = ComponentKind::kBolt;
  s.summary = "keeps the named fields of each tuple, in the order given";
  s.params = {Required("fields", ParamType::kFieldList, "the fields to keep")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
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

}  // namespace smc::stdlib
