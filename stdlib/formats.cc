#include "stdlib/formats.h"

#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ParamSpec FormatParam(const std::string& def) {
  return Choice("format", {"lines", "tsv", "csv", "json"}, def,
                "lines (one field), tsv, csv or json (JSON Lines, one object per line)");
}

ParamSpec FieldsParam() {
  return Optional("fields", ParamType::kStringList, "field names of tsv and csv columns, or of json keys");
}

bool ReaderOutputs(const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out,
                   std::string* error, std::string* error_arg) {
  std::string format = StringArg(args, "format");
  std::vector<std::string> fields = StringListArg(args, "fields");
  if (format == "lines") {
    if (!fields.empty()) {
      *error = "'fields' has no use in the lines format, which emits (line)";
      *error_arg = "fields";
      return false;
    }
    *out = {{"default", {"line"}}};
    return true;
  }
  if (fields.empty()) {
    *error = "format '" + format + "' needs 'fields', such as fields: [\"a\", \"b\"]";
    *error_arg = "format";
    return false;
  }
  if (!ValidFieldNames(fields, error)) {
    *error_arg = "fields";
    return false;
  }
  *out = {{"default", fields}, ErrorsStream()};
  return true;
}

}  // namespace smc::stdlib
