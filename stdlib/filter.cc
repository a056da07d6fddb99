// filter(field, regex | equals): keeps the tuples whose field matches.
#include <regex>

#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec FilterSpec() {
  ComponentSpec s;
  s.name = "filter";
  s.kind = ComponentKind::kBolt;
  s.summary = "keeps the tuples whose field matches a regular expression or equals a value";
  s.params = {Optional("field", ParamType::kField, "the field to test; default: the first input field"),
              Optional("regex", ParamType::kString, "keep when the field contains a match (ECMAScript syntax)"),
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
      try {
        std::regex re(StringArg(args, "regex"));
      } catch (const std::regex_error& e) {
        *error = "invalid regular expression: " + std::string(e.what());
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

}  // namespace smc::stdlib
