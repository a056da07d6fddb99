// Regular expressions for built-ins (filter): one small interface over RE2.
//
// Contract: matching runs in time linear in the text, with memory bounded by
// the compiled pattern and no recursion on the text (RE2's automata), so no
// input line can crash or stall a run. Syntax: RE2's (Perl-like, as grep -E
// and Go users know it; no backreferences or lookaround); `(?i)` makes a
// pattern case-insensitive. Text is matched as UTF-8. A compiled Regex is
// immutable and safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}  // namespace re2

namespace smc::stdlib {

/// A compiled regular expression.
class Regex {
 public:
  /// Compiles `pattern`; null with `*error` (RE2's reason, such as
  /// "missing ): (a") when it is not a valid expression.
  static std::unique_ptr<Regex> Compile(std::string_view pattern, std::string* error);
  ~Regex();

  /// True when `text` contains a match (search, not a whole-text match).
  bool Search(std::string_view text) const;

 private:
  explicit Regex(std::unique_ptr<re2::RE2> re);
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace smc::stdlib
