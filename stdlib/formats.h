// Record formats shared by the stdin and file spouts and the stdout and file
// sinks: lines, tsv, csv and json (JSON Lines).
#pragma once

#include <string>
#include <vector>

#include "dsl/catalog.h"

namespace smc::stdlib {

/// The `format` parameter of readers and writers.
ParamSpec FormatParam(const std::string& def);

/// The `fields` parameter of readers: names for tsv, csv and json columns.
ParamSpec FieldsParam();

/// Outputs of a reader: (line) for lines; the `fields` otherwise, with an
/// errors stream for records that do not parse.
bool ReaderOutputs(const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                   std::string* error, std::string* error_arg);

/// "(line) for format lines; the `fields` otherwise, and errors(input, reason)".
inline constexpr const char* kReaderOutputsDoc =
    "(line) in the lines format; otherwise the fields named by 'fields', and errors(input, reason)";

}  // namespace smc::stdlib
