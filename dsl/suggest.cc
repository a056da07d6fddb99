#include "dsl/suggest.h"

#include <algorithm>
#include <numeric>

namespace smc {

int EditDistance(std::string_view a, std::string_view b) {
  std::vector<int> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates) {
  constexpr int kMaxDistance = 3;
  std::string best;
  int best_distance = kMaxDistance + 1;
  for (const std::string& c : candidates) {
    if (c == name) continue;
    int d = EditDistance(name, c);
    // A distance as long as the word itself replaces it entirely: no suggestion.
    if (d < best_distance && d < static_cast<int>(std::max(name.size(), c.size()))) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  std::string c = ClosestName(name, candidates);
  return c.empty() ? "" : "; did you mean '" + c + "'?";
}

}  // namespace smc
