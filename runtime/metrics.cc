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
  bool header = false;
  for (const ComponentMetrics& c : m.components) {
    for (const StreamMetrics& st : c.streams) {
      if (!header) {
        std::snprintf(line, sizeof line, "%-33s %12s\n", "stream", "emitted");
        out += line;
        header = true;
      }
      std::snprintf(line, sizeof line, "%-33s %12llu\n", (c.name + "." + st.name).c_str(),
                    static_cast<unsigned long long>(st.emitted));
      out += line;
    }
  }
  if (!m.edges.empty()) {
    std::snprintf(line, sizeof line, "%-33s %-16s %8s %8s\n", "edge", "grouping", "queued", "max");
    out += line;
  }
  for (const EdgeMetrics& e : m.edges) {
    std::snprintf(line, sizeof line, "%-33s %-16s %8llu %8d\n", (e.from + "." + e.stream + " -> " + e.to).c_str(),
                  e.grouping.c_str(), static_cast<unsigned long long>(e.queued), e.max_pending);
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
    out += ", \"capacity\": " + std::string(num) + ", \"streams\": {";
    for (size_t k = 0; k < c.streams.size(); ++k) {
      out += (k ? ", " : "") + JsonQuote(c.streams[k].name) + ": " + std::to_string(c.streams[k].emitted);
    }
    out += "}";
    if (!c.reported.empty()) {
      out += ", \"reported\": {";
      for (size_t k = 0; k < c.reported.size(); ++k) {
        out += (k ? ", " : "") + JsonQuote(c.reported[k].first) + ": " + c.reported[k].second;
      }
      out += "}";
    }
    out += "}";
  }
  out += "], \"edges\": [";
  for (size_t i = 0; i < m.edges.size(); ++i) {
    const EdgeMetrics& e = m.edges[i];
    out += (i ? ", " : "") + std::string("{\"from\": ") + JsonQuote(e.from) + ", \"stream\": " + JsonQuote(e.stream) +
           ", \"to\": " + JsonQuote(e.to) + ", \"grouping\": " + JsonQuote(e.grouping) +
           ", \"queued\": " + std::to_string(e.queued) + ", \"max_pending\": " + std::to_string(e.max_pending) + "}";
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

namespace {

// A label value in the exposition format: backslash, quote and newline escaped.
std::string Label(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

std::string MetricsPrometheus(const JobMetrics& m) {
  std::string out;
  const std::string topology = "topology=" + Label(m.topology);
  auto family = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  family("smc_uptime_seconds", "gauge", "Seconds since the topology started.");
  out += "smc_uptime_seconds{" + topology + "} " + Number(m.seconds) + "\n";
  struct Per {
    const char* name;
    const char* type;
    const char* help;
    double (*value)(const ComponentMetrics&);
  };
  static const Per kPer[] = {
      {"smc_component_emitted_total", "counter", "Tuples emitted by the component, all streams.",
       [](const ComponentMetrics& c) { return static_cast<double>(c.emitted); }},
      {"smc_component_executed_total", "counter", "Tuples the component received and processed.",
       [](const ComponentMetrics& c) { return static_cast<double>(c.executed); }},
      {"smc_component_errors_total", "counter", "Errors the component reported (bad input, failures).",
       [](const ComponentMetrics& c) { return static_cast<double>(c.errors); }},
      {"smc_component_execute_latency_seconds", "gauge", "Mean busy time per tuple processed.",
       [](const ComponentMetrics& c) { return c.execute_latency_ms / 1000; }},
      {"smc_component_capacity", "gauge", "Busiest instance's busy fraction of the run (0 to 1).",
       [](const ComponentMetrics& c) { return c.capacity; }},
      {"smc_component_parallelism", "gauge", "Instances of the component.",
       [](const ComponentMetrics& c) { return static_cast<double>(c.parallelism); }},
  };
  for (const Per& p : kPer) {
    family(p.name, p.type, p.help);
    for (const ComponentMetrics& c : m.components) {
      out += std::string(p.name) + "{" + topology + ",component=" + Label(c.name) + ",kind=" + Label(c.kind) + "} " +
             Number(p.value(c)) + "\n";
    }
  }
  family("smc_stream_emitted_total", "counter", "Tuples emitted on one output stream of a component.");
  for (const ComponentMetrics& c : m.components) {
    for (const StreamMetrics& s : c.streams) {
      out += "smc_stream_emitted_total{" + topology + ",component=" + Label(c.name) + ",stream=" + Label(s.name) +
             "} " + std::to_string(s.emitted) + "\n";
    }
  }
  family("smc_edge_queued_batches", "gauge", "Data batches queued on an edge, not yet processed by its consumer.");
  for (const EdgeMetrics& e : m.edges) {
    out += "smc_edge_queued_batches{" + topology + ",from=" + Label(e.from) + ",stream=" + Label(e.stream) +
           ",to=" + Label(e.to) + ",grouping=" + Label(e.grouping) + "} " + std::to_string(e.queued) + "\n";
  }
  family("smc_edge_max_pending_batches", "gauge", "The consumer's max.pending: spouts wait at this many per instance.");
  for (const EdgeMetrics& e : m.edges) {
    out += "smc_edge_max_pending_batches{" + topology + ",from=" + Label(e.from) + ",stream=" + Label(e.stream) +
           ",to=" + Label(e.to) + ",grouping=" + Label(e.grouping) + "} " + std::to_string(e.max_pending) + "\n";
  }
  return out;
}

}  // namespace smc::rt
