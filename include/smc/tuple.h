// smc plugin API: values, tuples and batches as a plugin reads and emits them.
//
// A tuple is a list of typed values matching its stream's declared fields.
// A Value is a small struct passed by value; a string is a view into memory
// owned by smc (an input batch) or by the plugin (for values it emits), valid
// only until the call that received or emitted it returns: copy what you keep.
// A list or a map (from a multi-lang component) arrives as the JSON text of it,
// with `json` set; emit one the same way.
//
// Part of smc's public plugin API (see smc/plugin.h for the contract as a
// whole and the ABI rules). Header-only: nothing here links against smc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace smc::plugin {

enum class Type : uint8_t { kNull, kInt, kFloat, kBool, kString };

/// One value of a tuple.
struct Value {
  Type type = Type::kNull;
  bool json = false;   // kString only: `s` is the JSON text of a list or a map
  int64_t i = 0;       // kInt, kBool (0 or 1)
  double f = 0;        // kFloat
  std::string_view s;  // kString

  static Value Null() { return {}; }
  static Value Int(int64_t v) {
    Value x;
    x.type = Type::kInt;
    x.i = v;
    return x;
  }
  static Value Float(double v) {
    Value x;
    x.type = Type::kFloat;
    x.f = v;
    return x;
  }
  static Value Bool(bool v) {
    Value x;
    x.type = Type::kBool;
    x.i = v ? 1 : 0;
    return x;
  }
  /// A string; `v` must stay valid until the Emit that passes it returns.
  static Value Str(std::string_view v) {
    Value x;
    x.type = Type::kString;
    x.s = v;
    return x;
  }

  bool is_null() const { return type == Type::kNull; }
  bool is_int() const { return type == Type::kInt; }
  bool is_float() const { return type == Type::kFloat; }
  bool is_string() const { return type == Type::kString; }
  /// An int or a float as a double; 0 otherwise.
  double AsDouble() const { return type == Type::kFloat ? f : type == Type::kInt ? static_cast<double>(i) : 0.0; }
  /// The value as text: strings as they are, numbers in decimal, true/false, "" for null.
  std::string ToText() const {
    switch (type) {
      case Type::kString: return std::string(s);
      case Type::kInt: return std::to_string(i);
      case Type::kBool: return i ? "true" : "false";
      case Type::kFloat: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", f);
        return buf;
      }
      case Type::kNull: break;
    }
    return "";
  }
};

/// One tuple: `size()` values, in the order of its stream's fields. A view,
/// valid during the call that received it.
class Tuple {
 public:
  Tuple(const Value* values, int size) : values_(values), size_(size) {}
  int size() const { return size_; }
  const Value& operator[](int i) const { return values_[i]; }
  const Value* data() const { return values_; }
  const Value* begin() const { return values_; }
  const Value* end() const { return values_ + size_; }

 private:
  const Value* values_;
  int size_;
};

/// Tuples of one stream that arrived together (a view, valid during the call).
class Batch {
 public:
  Batch(const Value* values, size_t tuples, int width) : values_(values), tuples_(tuples), width_(width) {}
  size_t size() const { return tuples_; }
  int width() const { return width_; }
  Tuple operator[](size_t t) const { return Tuple(values_ + t * static_cast<size_t>(width_), width_); }

 private:
  const Value* values_;
  size_t tuples_;
  int width_;
};

}  // namespace smc::plugin
