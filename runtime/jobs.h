// The per-user registry of running jobs, for `smc ps` and `smc abort`.
//
// Each `smc run` writes a small JSON record into a private runtime folder
// ($XDG_RUNTIME_DIR/smc, or /tmp/smc-UID; mode 0700, owned by the user) and
// rewrites it about once a second with its live counters. Records of
// processes that are gone (crashed, killed) are noticed and removed by the
// next reader. Thread-compatible: one JobRegistry per thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/metrics.h"

namespace smc::rt {

struct JobRecord {
  std::string id;    // short and unique among the user's jobs
  std::string name;  // the topology's name
  std::string path;  // the .topo file, absolute
  int pid = 0;
  int pgid = 0;
  uint64_t start_ticks = 0;  // the process's start time (/proc), against pid reuse
  int64_t started_ms = 0;    // Unix time
  std::string user;
  std::string kind = "topology";  // topology, or tasks (a task graph)
  std::string state = "running";  // running, inactive (smc deactivate), stopping
  uint64_t tuples_in = 0;         // emitted by spouts
  uint64_t tuples_out = 0;        // received by sinks
  uint64_t errors = 0;
  double rate = 0;     // tuples/s into the sinks, lately
  JobMetrics metrics;  // per component

  std::string ToJson() const;
  static std::optional<JobRecord> FromJson(const std::string& text);
};

class JobRegistry {
 public:
  /// Opens (creating if needed) the user's folder; false with `error` set
  /// (naming the folder and what is wrong with it) when it cannot be used
  /// safely: it must be a folder, not a link, owned by the user, mode 0700.
  bool Open(std::string* error);
  const std::string& dir() const { return dir_; }

  /// A fresh id.
  std::string NewId() const;
  /// Writes (atomically) or rewrites a record.
  bool Write(const JobRecord& r);
  void Remove(const std::string& id);
  /// The records of live jobs, oldest first; records of dead ones are removed.
  std::vector<JobRecord> List();

  /// True when process `pid` still runs and started at `start_ticks`.
  static bool Alive(int pid, uint64_t start_ticks);
  /// The start time of a process in clock ticks since boot (0 if unknown).
  static uint64_t StartTicks(int pid);

 private:
  std::string dir_;
};

/// The warning `smc run` gives when Open failed with `error`: the job runs,
/// unregistered (smc ps and smc abort refuse the same folder, exit 74).
std::string NotRegisteredWarning(const std::string& error);

}  // namespace smc::rt
