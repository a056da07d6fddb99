#include "runtime/metrics.h"

#include "runtime/json_text.h"

#include <cstdio>
#include <cstdlib>

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
  bool any = false;
  for (const ComponentMetrics& c : m.components) {
    for (const auto& [name, value] : c.reported) {
      if (!any) out += "reported by components:\n";
      any = true;
      out += "  " + c.name + " " + name + " = " + value + "\n";
    }
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
    out += ", \"capacity\": " + std::string(num);
    if (!c.reported.empty()) {
      out += ", \"reported\": {";
      for (size_t k = 0; k < c.reported.size(); ++k) {
        out += (k ? ", " : "") + JsonQuote(c.reported[k].first) + ": " + c.reported[k].second;
      }
      out += "}";
    }
    out += "}";
  }
  return out + "]}\n";
}

bool ReportedMetrics::Admit(const std::string& name) const {
  return name.size() <= kMaxValueBytes && (entries_.size() < kMaxNames || entries_.count(name));
}

bool ReportedMetrics::Add(const std::string& name, double amount) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!Admit(name)) return false;
  Entry& e = entries_[name];
  if (!e.numeric) e.total = 0;
  e.numeric = true;
  e.total += amount;
  return true;
}

bool ReportedMetrics::Set(const std::string& name, std::string_view json) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!Admit(name) || json.size() > kMaxValueBytes) return false;
  Entry& e = entries_[name];
  e.numeric = false;
  e.json.assign(json);
  return true;
}

void ReportedMetrics::MergeInto(std::vector<std::pair<std::string, std::string>>* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, e] : entries_) {
    std::string text;
    if (e.numeric) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.15g", e.total);
      text = buf;
    } else {
      text = e.json;
    }
    auto it = out->begin();
    while (it != out->end() && it->first != name) ++it;
    if (it == out->end()) {
      out->emplace_back(name, text);
    } else if (e.numeric) {
      char* end = nullptr;
      double before = std::strtod(it->second.c_str(), &end);
      if (end && *end == 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.15g", before + e.total);
        it->second = buf;
      } else {
        it->second = text;
      }
    } else {
      it->second = text;
    }
  }
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
