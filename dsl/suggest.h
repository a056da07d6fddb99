// "Did you mean ...?": the closest known name to a mistyped one.
//
// Bounded for hostile input: a distance is computed only within a band of
// `limit` edits around the diagonal, in O(min(n, m)) memory and O(n * limit)
// time, and a candidate whose length differs by more than the limit is
// skipped without any work. Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smc {

/// The most edits a suggestion may be away from what was written.
inline constexpr int kMaxSuggestionDistance = 3;

/// Edit distance between a and b (optimal string alignment: insertions,
/// deletions, substitutions and transpositions of neighbours each cost 1),
/// or `limit + 1` when it is more than `limit`.
int EditDistance(std::string_view a, std::string_view b, int limit);

/// The exact edit distance; O(n * m) time, O(min(n, m)) memory.
int EditDistance(std::string_view a, std::string_view b);

/// The candidate closest to `name` within 3 edits that change at most half
/// of the longer word, or "" when none is close enough.
std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates);

/// "; did you mean 'X'?" for the closest candidate, or "".
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace smc
