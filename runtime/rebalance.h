// Changing a running topology's parallelism: `smc rebalance JOB -e COMP=N`
// (Storm's rebalance, with keyed state kept; see job_rebalance.cc).
//
// The command writes a request file into the job registry's private folder
// (runtime/jobs.h) and sends the job SIGURG; the job's clock thread takes the
// request, carries it out and writes a reply file named by the request's
// nonce, which the command reads and removes. Both files are written
// atomically (a temp file and a rename) with mode 0600, and read only when
// they are regular files owned by the user, not links, with no group or
// other permissions, and small; a request that does not parse is refused.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace smc::rt {

/// The largest request file a job reads.
inline constexpr size_t kMaxRebalanceRequestBytes = 64 << 10;

struct RebalanceRequest {
  std::string nonce;                                 // names the reply file: [A-Za-z0-9]{1,32}
  int64_t wait_ns = 30'000'000'000;                  // how long the job may take to drain
  std::vector<std::pair<std::string, int>> changes;  // component -> its new instance count

  /// "smc-rebalance 1\nnonce N\nwait NS\nset COMP N\n..."
  std::string ToText() const;
  /// Nothing when the text is not a well-formed request.
  static std::optional<RebalanceRequest> FromText(const std::string& text);
};

/// One per process: SIGURG (whose default action is to ignore it) says that
/// a request may be waiting.
class RebalanceSignal {
 public:
  static RebalanceSignal& Get();
  void InstallHandler();
  void Raise() { pending_.store(true, std::memory_order_relaxed); }  // async-signal-safe
  /// True once after each signal.
  bool Take() { return pending_.exchange(false, std::memory_order_relaxed); }

 private:
  RebalanceSignal() = default;
  std::atomic<bool> pending_{false};
};

/// The files in the registry folder `dir` for job `id`.
std::string RebalanceRequestPath(const std::string& dir, const std::string& id);
std::string RebalanceReplyPath(const std::string& dir, const std::string& id, const std::string& nonce);

/// Writes `text` to `path` atomically with mode 0600; false on failure.
bool WritePrivateFile(const std::string& path, const std::string& text);
/// Reads `path` when it is a regular file owned by this user, not a link,
/// with no group or other permissions and at most `max_bytes`; nothing
/// otherwise (with `why` set when it exists but is refused).
std::optional<std::string> ReadPrivateFile(const std::string& path, size_t max_bytes, std::string* why = nullptr);

}  // namespace smc::rt
