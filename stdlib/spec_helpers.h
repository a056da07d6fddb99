// Small helpers for writing component signatures (private to stdlib/).
#pragma once

#include <cctype>
#include <string>
#include <vector>

#include "dsl/catalog.h"

namespace smc::stdlib {

/// A required parameter.
inline ParamSpec Required(std::string name, ParamType type, std::string doc) {
  return {std::move(name), type, true, std::nullopt, {}, std::move(doc)};
}

/// An optional parameter with a default.
inline ParamSpec Optional(std::string name, ParamType type, Value def, std::string doc) {
  return {std::move(name), type, false, std::move(def), {}, std::move(doc)};
}

/// An optional parameter without a default (or, for a field, the first input field).
inline ParamSpec Optional(std::string name, ParamType type, std::string doc) {
  return {std::move(name), type, false, std::nullopt, {}, std::move(doc)};
}

/// A string parameter among fixed choices, with a default.
inline ParamSpec Choice(std::string name, std::vector<std::string> choices, std::string def, std::string doc) {
  return {std::move(name), ParamType::kEnum, false, Value::String(std::move(def)), std::move(choices), std::move(doc)};
}

/// Outputs that do not depend on arguments.
inline OutputsFn FixedOutputs(std::vector<StreamSpec> streams) {
  return [streams](const ArgMap&, const std::vector<std::string>&, std::vector<StreamSpec>* out, std::string*,
                   std::string*) {
    *out = streams;
    return true;
  };
}

/// Outputs equal to the input fields (identity, filter, sample, ...).
inline OutputsFn PassthroughOutputs() {
  return
      [](const ArgMap&, const std::vector<std::string>& in, std::vector<StreamSpec>* out, std::string*, std::string*) {
        *out = {{"default", in}};
        return true;
      };
}

/// The stream every component that can meet bad input sends it to.
inline StreamSpec ErrorsStream() {
  return {"errors", {"input", "reason"}};
}

/// A string argument, or "" when absent.
inline std::string StringArg(const ArgMap& args, const std::string& name) {
  auto it = args.find(name);
  return it != args.end() && it->second.is_string() ? it->second.str : std::string();
}

/// A list-of-strings argument, or {} when absent.
inline std::vector<std::string> StringListArg(const ArgMap& args, const std::string& name) {
  std::vector<std::string> out;
  auto it = args.find(name);
  if (it != args.end()) {
    for (const Value& v : it->second.list) out.push_back(v.str);
  }
  return out;
}

}  // namespace smc::stdlib

namespace smc::stdlib {

/// Checks that integer argument `name` is at least `min`; otherwise sets
/// the error ("'window' must be at least 1, got 0") and returns false.
inline bool AtLeast(const ArgMap& args, const std::string& name, int64_t min, std::string* error,
                    std::string* error_arg) {
  const Value& v = args.at(name);
  if (v.num >= min) return true;
  *error = "'" + name + "' must be at least " + std::to_string(min) + ", got " + v.ToText();
  *error_arg = name;
  return false;
}

/// Checks a generating spout's `count` and `rate` (0: no end, no limit).
inline bool QuotaArgsValid(const ArgMap& args, std::string* error, std::string* error_arg) {
  return AtLeast(args, "count", 0, error, error_arg) && AtLeast(args, "rate", 0, error, error_arg);
}

/// A generating spout's fixed outputs, its `count` and `rate` checked.
inline OutputsFn QuotaOutputs(std::vector<StreamSpec> streams) {
  return [streams](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out,
                   std::string* error, std::string* error_arg) {
    if (!QuotaArgsValid(args, error, error_arg)) return false;
    *out = streams;
    return true;
  };
}

/// Checks names used as output fields: identifiers, none twice.
inline bool ValidFieldNames(const std::vector<std::string>& fields, std::string* error) {
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string& f = fields[i];
    bool ok = !f.empty() && (std::isalpha(static_cast<unsigned char>(f[0])) || f[0] == '_');
    for (char c : f) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
    if (!ok) {
      *error = "'" + f + "' is not a valid field name";
      return false;
    }
    for (size_t j = 0; j < i; ++j) {
      if (fields[j] == f) {
        *error = "field '" + f + "' is named twice";
        return false;
      }
    }
  }
  return true;
}

}  // namespace smc::stdlib
