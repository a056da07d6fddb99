// Reading .topo text around syntax errors (private to dsl/): skipping space
// and comments, finding where parsing resumes after an error, describing
// what stands at a position ("expected X, got Y") and where to point the
// caret. Plain scans of the text, linear in what they pass over, no
// recursion. Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace smc::dsl {

/// The first position at or after `pos` that is neither space nor comment.
size_t SkipSpace(std::string_view text, size_t pos);

/// The name (letters, digits, '_', '-') that starts at `pos`.
std::string WordAt(std::string_view text, size_t pos);

/// Whether a statement keyword (or, inside a block, '}') starts at `pos`.
bool IsKeywordAt(std::string_view text, size_t pos, bool top_level);

/// Where parsing resumes after an error in the statement that starts at
/// `start`: the first token of a later line that starts a statement (or
/// closes a block, outside any braces the statement opened).
size_t Sync(std::string_view text, size_t start, bool top_level);

/// What stands at `pos`, for "expected X, got Y": "'word'", "end of line", ...
std::string Describe(std::string_view text, size_t pos);

/// Where to point for an error found at `at` in the statement that starts at
/// `start`: right after the previous token when the unexpected token is on a
/// later line (as for a missing ';' in C).
size_t ErrorLocation(std::string_view text, size_t start, size_t at);

}  // namespace smc::dsl
