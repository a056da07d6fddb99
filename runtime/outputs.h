// The outputs a job writes to: standard output and files, each with one
// Writer shared by every sink instance that writes there. Thread-safe.
//
// `linger_ns` is the asking sink's batch.linger: an output writes what it
// holds once it has waited the shortest linger of its sinks (see writer.h).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/writer.h"

namespace smc::rt {

class Outputs {
 public:
  /// Standard output.
  Writer* Stdout(int64_t linger_ns);
  /// `path` (relative to the working directory), created or truncated once.
  /// Throws std::runtime_error when it cannot be opened.
  Writer* File(const std::string& path, int64_t linger_ns);

  /// Wraps every write to an output that is a terminal (see
  /// Writer::set_around_write). Set before the first output is opened.
  void set_terminal_guard(Writer::AroundWrite f) { terminal_guard_ = std::move(f); }

  /// Bytes queued in every writer.
  size_t queued_bytes();
  /// The first writer that failed, or null.
  Writer* Failed();
  /// Writes everything out and closes.
  void CloseAll();

 private:
  std::mutex mu_;
  Writer::AroundWrite terminal_guard_;
  std::map<std::string, std::unique_ptr<Writer>> writers_;  // "" is stdout
};

}  // namespace smc::rt
