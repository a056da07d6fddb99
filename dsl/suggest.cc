#include "dsl/suggest.h"

#include <algorithm>
#include <limits>

namespace smc {

int EditDistance(std::string_view a, std::string_view b, int limit) {
  if (a.size() < b.size()) std::swap(a, b);  // rows follow the shorter word
  const size_t n = a.size(), m = b.size();
  const size_t band = static_cast<size_t>(std::max(limit, 0));
  if (n - m > band) return limit + 1;
  const int over = limit + 1;  // stands for "more than the limit"
  // Three rolling rows: i - 2 (for transpositions), i - 1 and i. Cells
  // outside the band |i - j| <= limit are never within the limit.
  std::vector<int> before(m + 1, over), prev(m + 1, over), cur(m + 1, over);
  for (size_t j = 0; j <= std::min(m, band); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    const size_t lo = i > band ? i - band : 0;
    const size_t hi = std::min(m, i + band);
    // Only the band is computed; the cells just outside it, which the next
    // rows read, are "over" (the rows rotate, so they may hold old values).
    if (lo == 0)
      cur[0] = static_cast<int>(std::min<size_t>(i, static_cast<size_t>(over)));
    else
      cur[lo - 1] = over;
    if (hi < m) cur[hi + 1] = over;
    int row_min = lo == 0 ? cur[0] : over;
    for (size_t j = std::max<size_t>(lo, 1); j <= hi; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int d = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = std::min(d, before[j - 2] + 1);
      cur[j] = std::min(d, over);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min >= over) return over;  // every path is already past the limit
    std::swap(before, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[m], over);
}

int EditDistance(std::string_view a, std::string_view b) {
  const size_t longest = std::max(a.size(), b.size());
  constexpr size_t kMost = std::numeric_limits<int>::max() / 2;  // limit + 2 must not overflow
  const int limit = static_cast<int>(std::min(longest, kMost));
  return EditDistance(a, b, limit);
}

std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates) {
  // At most three edits, and at most half the longer word changed: "lvl"
  // finds "level" and "splt" finds "split", but "size" does not find "dir".
  std::string best;
  int best_distance = kMaxSuggestionDistance + 1;
  for (const std::string& c : candidates) {
    if (c == name) continue;
    const size_t longer = std::max(name.size(), c.size());
    const size_t shorter = std::min(name.size(), c.size());
    if (longer - shorter > static_cast<size_t>(kMaxSuggestionDistance)) continue;  // cannot be within 3 edits
    const int d = EditDistance(name, c, best_distance - 1);
    if (d < best_distance && 2 * static_cast<size_t>(d) <= longer) {
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
