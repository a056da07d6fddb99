// Picking named keys out of one JSON object per record (the json reader
// format and parse_json), from untrusted text.
//
// Contract: one pass of rapidjson's iterative SAX parser: no recursion on the
// input and no document tree. Nesting deeper than rt::kMaxJsonDepth stops the
// parse with an error, never a crash. Values are kept exactly: integers that
// fit int64 become kInt; integers beyond int64 keep their digits as text
// (kString, never rounded to a double); other numbers become kFloat; nested
// objects and arrays become their JSON text as written, whitespace outside
// strings removed. Not thread-safe: one extractor per component instance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/tuple.h"

namespace smc::stdlib {

/// Extracts the values of `keys` from JSON objects.
class JsonFields {
 public:
  explicit JsonFields(std::vector<std::string> keys);

  /// Parses `text`; on success fills values() (a missing key is null; of
  /// repeated keys the first counts) and returns true. On failure returns
  /// false with `*why`: "invalid JSON at byte N: MESSAGE",
  /// "invalid JSON: nested deeper than 128 levels" or "not a JSON object".
  /// values() view this object's buffers until the next Parse.
  bool Parse(std::string_view text, std::string* why);
  const std::vector<rt::Datum>& values() const { return values_; }

 private:
  friend class JsonFieldsHandler;
  std::vector<std::string> keys_;
  std::vector<rt::Datum> values_;
  std::vector<bool> set_;
  std::vector<std::string> scratch_;
};

/// Appends JSON text `text` with the whitespace outside strings removed.
void AppendMinifiedJson(std::string_view text, std::string* out);

}  // namespace smc::stdlib
