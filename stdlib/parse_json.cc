// parse_json(fields): reads JSON objects from a text field.
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

}  // namespace smc::stdlib
