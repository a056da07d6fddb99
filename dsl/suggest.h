// "Did you mean ...?": the closest known name to a mistyped one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smc {

/// Edit distance between a and b, a transposition of neighbours counting as one edit.
int EditDistance(std::string_view a, std::string_view b);

/// The candidate closest to `name` within 3 edits that change at most half
/// of the longer word, or "" when none is close enough.
std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates);

/// "; did you mean 'X'?" for the closest candidate, or "".
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace smc
