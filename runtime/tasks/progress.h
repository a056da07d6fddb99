// The progress protocol of tasks: lines a task writes to $SMC_PROGRESS_FD.
//
// A line is one of: `42` or `42%` (a percentage), `3/10` (3 of 10 done),
// either followed by a space and a message, or a JSON object with
// "progress" (a fraction, 0..1) or "percent" or "done"/"total", and
// "message". Anything else is taken as a message alone. Lines are bounded
// (kMaxProgressLine; the rest of a longer line is dropped) and messages are
// cut to kMaxProgressMessage bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace smc::rt {

inline constexpr size_t kMaxProgressLine = 4096;
inline constexpr size_t kMaxProgressMessage = 200;

struct Progress {
  std::optional<double> fraction;  // 0..1
  std::optional<std::string> message;
};

/// Parses one line (without its newline).
Progress ParseProgressLine(std::string_view line);

/// Accumulates bytes read from a progress pipe into bounded lines.
class ProgressReader {
 public:
  /// Feeds bytes; calls `on_line` for every complete line.
  template <typename F>
  void Feed(std::string_view bytes, F&& on_line) {
    for (char c : bytes) {
      if (c == '\n') {
        on_line(std::string_view(line_));
        line_.clear();
      } else if (line_.size() < kMaxProgressLine) {
        line_.push_back(c);  // beyond the bound, the rest of the line is dropped
      }
    }
  }

 private:
  std::string line_;
};

/// Reads what waits on the non-blocking progress pipe `*fd` (a bounded
/// number of reads), applying each line to `*fraction` and `*message`;
/// closes it and sets -1 at its end. True when anything changed.
bool DrainProgress(int* fd, ProgressReader& reader, double* fraction, std::string* message);

}  // namespace smc::rt
