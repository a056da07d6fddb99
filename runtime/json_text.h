// Writing JSON text: string literals with the escapes JSON requires.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace smc::rt {

/// The length of the well-formed UTF-8 sequence (RFC 3629: no overlong
/// forms, no surrogates, at most U+10FFFF) at the start of `s`, or 0.
inline size_t Utf8SequenceLength(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  if (n == 0) return 0;
  unsigned char c = p[0];
  auto cont = [&](size_t i) { return i < n && (p[i] & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 2) return 0;
    unsigned char c1 = p[1];
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) return 0;  // overlong; surrogate
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 2) return 0;
    unsigned char c1 = p[1];
    if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) return 0;  // overlong; beyond U+10FFFF
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/// Appends `s` as a JSON string literal. Bytes that are not well-formed
/// UTF-8 become U+FFFD, one per byte, so the output is always valid JSON;
/// returns how many were replaced.
inline size_t AppendJsonString(std::string_view s, std::string* out) {
  size_t replaced = 0;
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\t': out->append("\\t"); break;
      case '\r': out->append("\\r"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else if (c < 0x80) {
          out->push_back(static_cast<char>(c));
        } else if (size_t len = Utf8SequenceLength(s.substr(i))) {
          out->append(s.data() + i, len);
          i += len - 1;
        } else {
          out->append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
          ++replaced;
        }
    }
  }
  out->push_back('"');
  return replaced;
}

/// `s` as a JSON string literal.
inline std::string JsonQuote(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

}  // namespace smc::rt
