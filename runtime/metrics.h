// Per-component metrics in Storm UI terms, and their text and JSON forms.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smc::rt {

/// Tuples emitted on one output stream of a component (all its instances).
struct StreamMetrics {
  std::string name;
  uint64_t emitted = 0;
};

/// One edge of the graph: a stream read by a component, and what waits on it.
struct EdgeMetrics {
  std::string from, stream, to;  // producer, its stream, consumer
  std::string grouping;          // "shuffle", "fields", ...
  uint64_t queued = 0;           // data batches delivered to `to`'s instances on this edge, not yet processed
  int max_pending = 0;           // `to`'s max.pending: spouts wait while one instance holds that many batches
};

struct ComponentMetrics {
  std::string name;
  std::string kind;  // spout, bolt, sink
  std::string impl;
  std::string location;
  int parallelism = 1;
  uint64_t emitted = 0;           // tuples emitted, all streams
  uint64_t executed = 0;          // tuples received and processed
  uint64_t errors = 0;            // bad input reported, failures
  double execute_latency_ms = 0;  // mean time to process one tuple
  double capacity = 0;            // busiest instance: fraction of the run it was busy (executing or in flight), <= 1
  std::vector<StreamMetrics> streams;  // per output stream, in declaration order
  // Metrics the component reported by name (multi-lang "metrics" messages),
  // by name: the value as JSON text (a number: the total over its instances).
  std::vector<std::pair<std::string, std::string>> reported;
};

/// What one instance reported with multi-lang "metrics" messages. A number
/// adds to the metric's total (Storm's CountShellMetric); any other value
/// replaces the metric's value (its JSON text). Bounded: at most kMaxNames
/// names per instance and kMaxValueBytes per value (more is ignored).
/// Thread-safe.
class ReportedMetrics {
 public:
  static constexpr size_t kMaxNames = 64;
  static constexpr size_t kMaxValueBytes = 1024;
  /// False when the metric was ignored (too many names, value too long).
  bool Add(const std::string& name, double amount);
  bool Set(const std::string& name, std::string_view json);
  /// Merges this instance's metrics into a component's, by name.
  void MergeInto(std::vector<std::pair<std::string, std::string>>* out) const;

 private:
  struct Entry {
    bool numeric = false;
    double total = 0;
    std::string json;
  };
  bool Admit(const std::string& name) const;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

struct JobMetrics {
  std::string topology;
  double seconds = 0;
  std::vector<ComponentMetrics> components;
  std::vector<EdgeMetrics> edges;  // by consumer, then its inputs in order
};

/// The table of components, then their streams and edges (and what
/// components reported), as `--metrics` and `smc ps JOB` print it.
std::string MetricsText(const JobMetrics& m);
/// The same as one line of JSON (ends with a newline).
std::string MetricsJson(const JobMetrics& m);
/// Prometheus text exposition format 0.0.4: counters and gauges per
/// component, stream and edge, labelled with topology and names.
std::string MetricsPrometheus(const JobMetrics& m);

/// "1.2M", "35k", "812": a count for the live status line.
std::string ShortCount(double n);

}  // namespace smc::rt
