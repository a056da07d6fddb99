#include "dsl/value.h"

#include <cstdio>

namespace smc {

std::string_view TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString: return "string";
    case ValueType::kInt: return "integer";
    case ValueType::kFloat: return "float";
    case ValueType::kBool: return "boolean";
    case ValueType::kDuration: return "duration";
    case ValueType::kSize: return "size";
    case ValueType::kList: return "list";
  }
  return "value";
}

Value Value::String(std::string s) {
  Value v;
  v.type = ValueType::kString;
  v.str = std::move(s);
  return v;
}
Value Value::Int(int64_t n) {
  Value v;
  v.type = ValueType::kInt;
  v.num = n;
  return v;
}
Value Value::Float(double d) {
  Value v;
  v.type = ValueType::kFloat;
  v.real = d;
  return v;
}
Value Value::Bool(bool b) {
  Value v;
  v.type = ValueType::kBool;
  v.num = b;
  return v;
}
Value Value::Duration(int64_t ns) {
  Value v;
  v.type = ValueType::kDuration;
  v.num = ns;
  return v;
}
Value Value::Size(int64_t bytes) {
  Value v;
  v.type = ValueType::kSize;
  v.num = bytes;
  return v;
}
Value Value::List(std::vector<Value> items) {
  Value v;
  v.type = ValueType::kList;
  v.list = std::move(items);
  return v;
}

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string WithUnit(int64_t n, const int64_t* scales, const char* const* units, int count) {
  for (int i = 0; i < count; ++i) {
    if (n != 0 && n % scales[i] == 0) return std::to_string(n / scales[i]) + units[i];
  }
  return std::to_string(n) + units[count - 1];
}

}  // namespace

std::string Value::ToSource() const {
  switch (type) {
    case ValueType::kString: return Quote(str);
    case ValueType::kList: {
      std::string out = "[";
      for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + list[i].ToSource();
      return out + "]";
    }
    default: return ToText();
  }
}

std::string Value::ToText() const {
  switch (type) {
    case ValueType::kString: return str;
    case ValueType::kInt: return std::to_string(num);
    case ValueType::kFloat: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", real);
      std::string s = buf;
      // Prefer the shortest form that reads back the same.
      for (int prec = 1; prec < 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, real);
        if (std::stod(buf) == real) {
          s = buf;
          break;
        }
      }
      // .topo has no exponents: 10.0 is "10.0", not "1e+01", where a plain
      // form of reasonable length reads back the same.
      for (int prec = 0; s.find('e') != std::string::npos && prec <= 17; ++prec) {
        int n = std::snprintf(buf, sizeof buf, "%.*f", prec, real);
        if (n > 0 && n < 40 && std::stod(buf) == real) s = buf;
      }
      if (s.find_first_of(".en") == std::string::npos) s += ".0";
      return s;
    }
    case ValueType::kBool: return num ? "true" : "false";
    case ValueType::kDuration: {
      static const int64_t scales[] = {3600'000'000'000, 60'000'000'000, 1'000'000'000, 1'000'000, 1'000, 1};
      static const char* const units[] = {"h", "m", "s", "ms", "us", "ns"};
      return WithUnit(num, scales, units, 6);
    }
    case ValueType::kSize: {
      static const int64_t scales[] = {int64_t{1} << 40, int64_t{1} << 30, int64_t{1} << 20, int64_t{1} << 10, 1};
      static const char* const units[] = {"TiB", "GiB", "MiB", "KiB", "B"};
      return WithUnit(num, scales, units, 5);
    }
    case ValueType::kList: return ToSource();
  }
  return {};
}

bool Value::operator==(const Value& o) const {
  return type == o.type && str == o.str && num == o.num && real == o.real && list == o.list;
}

}  // namespace smc
