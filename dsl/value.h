// Values of the .topo language after parameters are resolved.
//
// A Value is a small tagged struct: strings, integers, floats, booleans,
// durations (nanoseconds), sizes (bytes) and lists. It is what the validated
// graph hands to the plan and, from there, to components as their arguments.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace smc {

enum class ValueType { kString, kInt, kFloat, kBool, kDuration, kSize, kList };

/// "string", "integer", "float", "boolean", "duration", "size" or "list".
std::string_view TypeName(ValueType t);

struct Value {
  ValueType type = ValueType::kString;
  std::string str;          // kString
  int64_t num = 0;          // kInt, kDuration (nanoseconds), kSize (bytes), kBool (0/1)
  double real = 0;          // kFloat
  std::vector<Value> list;  // kList

  static Value String(std::string s);
  static Value Int(int64_t v);
  static Value Float(double v);
  static Value Bool(bool v);
  static Value Duration(int64_t nanos);
  static Value Size(int64_t bytes);
  static Value List(std::vector<Value> items);

  bool is_string() const { return type == ValueType::kString; }
  /// Integers and floats as a double.
  double AsDouble() const { return type == ValueType::kFloat ? real : static_cast<double>(num); }

  /// The value written as in a .topo file: "a\"b", 42, 0.5, true, 250ms, 64KiB, [1, 2].
  std::string ToSource() const;
  /// The value as plain text, for string interpolation: strings unquoted.
  std::string ToText() const;

  bool operator==(const Value& o) const;
};

}  // namespace smc
