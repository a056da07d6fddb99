#include "runtime/metrics.h"

#include "runtime/json_text.h"

#include <cstdio>

namespace smc::rt {

std::string MetricsText(const JobMetrics& m) {
  char line[512];
  std::string out;
  std::snprintf(line, sizeof line, "topology %s: %.3f s\n", m.topology.c_str(), m.seconds);
  out += line;
  std::snprintf(line, sizeof line, "%-16s %-6s %-16s %4s %12s %12s %8s %12s %8s\n", "component", "kind", "impl", "x",
                "emitted", "executed", "errors", "latency(ms)", "capacity");
  out += line;
  for (const ComponentMetrics& c : m.components) {
    std::snprintf(line, sizeof line, "%-16s %-6s %-16s %4d %12llu %12llu %8llu %12.6f %8.3f\n", c.name.c_str(),
                  c.kind.c_str(), c.impl.c_str(), c.parallelism, static_cast<unsigned long long>(c.emitted),
                  static_cast<unsigned long long>(c.executed), static_cast<unsigned long long>(c.errors),
                  c.execute_latency_ms, c.capacity);
    out += line;
  }
  return out;
}

std::string MetricsJson(const JobMetrics& m) {
  char num[64];
  std::string out = "{\"topology\": " + JsonQuote(m.topology);
  std::snprintf(num, sizeof num, "%.6f", m.seconds);
  out += ", \"seconds\": " + std::string(num) + ", \"components\": [";
  for (size_t i = 0; i < m.components.size(); ++i) {
    const ComponentMetrics& c = m.components[i];
    out += i ? ", " : "";
    out += "{\"name\": " + JsonQuote(c.name) + ", \"kind\": " + JsonQuote(c.kind) + ", \"impl\": " + JsonQuote(c.impl) +
           ", \"location\": " + JsonQuote(c.location) + ", \"parallelism\": " + std::to_string(c.parallelism) +
           ", \"emitted\": " + std::to_string(c.emitted) + ", \"executed\": " + std::to_string(c.executed) +
           ", \"errors\": " + std::to_string(c.errors);
    std::snprintf(num, sizeof num, "%.6f", c.execute_latency_ms);
    out += ", \"execute_latency_ms\": " + std::string(num);
    std::snprintf(num, sizeof num, "%.4f", c.capacity);
    out += ", \"capacity\": " + std::string(num) + "}";
  }
  return out + "]}\n";
}

std::string ShortCount(double n) {
  char buf[32];
  if (n >= 1e9)
    std::snprintf(buf, sizeof buf, "%.1fG", n / 1e9);
  else if (n >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
  else if (n >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", n);
  return buf;
}

}  // namespace smc::rt
