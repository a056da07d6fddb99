// Reading JSON text from untrusted sources (data lines, child processes'
// frames, job records) without recursion on the input's nesting.
//
// Contract: ParseJsonBounded never recurses on the input (rapidjson's
// iterative parser), and refuses input nested deeper than kMaxJsonDepth
// before parsing it, so code that walks the resulting document recursively
// (conversion to tuples, re-serialisation) is bounded by kMaxJsonDepth too.
// Thread-safe: no shared state.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <string>
#include <string_view>

namespace smc::rt {

/// The deepest nesting of arrays and objects accepted anywhere JSON is read
/// (documented in smc-topo(5)). Deeper input is an error, never a crash.
inline constexpr int kMaxJsonDepth = 128;

/// The deepest nesting of `[`/`{` in `text`, outside string literals; stops
/// counting (and returns limit + 1) as soon as it passes `limit`.
inline int JsonNestingDepth(std::string_view text, int limit = kMaxJsonDepth) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return limit + 1;
      }
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return deepest;
}

/// Parses `text` into `doc` (iteratively: no recursion). Returns false and
/// sets `*why` ("nested deeper than 128 levels", or rapidjson's message with
/// the offset) when the text is too deep or is not JSON.
template <unsigned kExtraFlags = 0, class Document>
bool ParseJsonBounded(Document& doc, std::string_view text, std::string* why) {
  if (JsonNestingDepth(text) > kMaxJsonDepth) {
    if (why) *why = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return false;
  }
  doc.template Parse<rapidjson::kParseIterativeFlag | kExtraFlags>(text.data(), text.size());
  if (doc.HasParseError()) {
    if (why) {
      *why = rapidjson::GetParseError_En(doc.GetParseError());
      *why += " at offset " + std::to_string(doc.GetErrorOffset());
    }
    return false;
  }
  return true;
}

/// True when `text` is a JSON array or object (within kMaxJsonDepth).
inline bool IsJsonContainer(std::string_view text) {
  rapidjson::Document doc;
  return ParseJsonBounded(doc, text, nullptr) && (doc.IsArray() || doc.IsObject());
}

}  // namespace smc::rt
