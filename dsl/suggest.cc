#include "dsl/suggest.h"

#include <algorithm>
#include <numeric>

namespace smc {

int EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and
  // transpositions of neighbours ("wrod" -> "word") each cost 1.
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates) {
  // At most three edits, and at most half the longer word changed: "lvl"
  // finds "level" and "splt" finds "split", but "size" does not find "dir".
  constexpr int kMaxDistance = 3;
  std::string best;
  int best_distance = kMaxDistance + 1;
  for (const std::string& c : candidates) {
    if (c == name) continue;
    int d = EditDistance(name, c);
    if (d < best_distance && 2 * d <= static_cast<int>(std::max(name.size(), c.size()))) {
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
