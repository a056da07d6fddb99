// Per-component metrics in Storm UI terms, and their text and JSON forms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace smc::rt {

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
  double capacity = 0;            // busiest instance: fraction of the run it spent executing
};

struct JobMetrics {
  std::string topology;
  double seconds = 0;
  std::vector<ComponentMetrics> components;
};

std::string MetricsText(const JobMetrics& m);
std::string MetricsJson(const JobMetrics& m);

/// "1.2M", "35k", "812": a count for the live status line.
std::string ShortCount(double n);

}  // namespace smc::rt
