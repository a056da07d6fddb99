#include "runtime/plan.h"

#include <filesystem>

#include "dsl/settings.h"

namespace smc::rt {

int PlanComponent::UpstreamInstances(const std::vector<PlanComponent>& all) const {
  int n = 0;
  for (const PlanInput& in : inputs) n += all[in.source].parallelism;
  return n;
}

namespace {

int64_t Num(const Settings& s, const char* key, int64_t def) {
  auto it = s.find(key);
  return it == s.end() ? def : it->second.num;
}

}  // namespace

std::vector<bool> PlanTopology::Downstream(int c) const {
  std::vector<bool> seen(components.size(), false);
  std::vector<int> stack = {c};
  while (!stack.empty()) {
    int cur = stack.back();
    stack.pop_back();
    for (const PlanStream& s : components[cur].streams) {
      for (const PlanEdge& e : s.edges) {
        if (!seen[e.consumer]) {
          seen[e.consumer] = true;
          stack.push_back(e.consumer);
        }
      }
    }
  }
  return seen;
}

Plan Compile(const Graph& g) {
  Plan plan;
  plan.source_path = g.source ? g.source->path() : "";
  std::filesystem::path dir = std::filesystem::path(plan.source_path).parent_path();
  plan.base_dir = dir.empty() ? "." : dir.string();
  for (const GraphTopology& t : g.topologies) {
    PlanTopology pt;
    pt.name = t.name;
    pt.acking.on = Num(t.settings, "acking", pt.acking.on) != 0 || Num(t.settings, "topology.acker.executors", 0) > 0;
    pt.acking.max_spout_pending = static_cast<int>(Num(
        t.settings, "topology.max.spout.pending", Num(t.settings, "max.spout.pending", pt.acking.max_spout_pending)));
    pt.acking.message_timeout_ns = Num(t.settings, "message.timeout", pt.acking.message_timeout_ns);
    if (auto it = t.settings.find("topology.message.timeout.secs"); it != t.settings.end()) {
      pt.acking.message_timeout_ns = it->second.num * 1'000'000'000;
    }
    pt.acking.max_replays = static_cast<int>(Num(t.settings, "max.replays", pt.acking.max_replays));
    for (const GraphComponent& c : t.components) {
      PlanComponent pc;
      pc.name = c.name;
      pc.kind = c.kind;
      pc.impl = c.impl;
      pc.args = c.args;
      pc.parallelism = c.parallelism;
      if (g.source) {
        LineColumn at = g.source->Locate(c.name_range.begin);
        pc.location = plan.source_path + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
      }
      for (const GraphStream& s : c.outputs) pc.streams.push_back({s.name, s.fields, {}});
      pc.batch_size = static_cast<int>(Num(c.settings, "batch.size", pc.batch_size));
      pc.linger_ns = Num(c.settings, "batch.linger", pc.linger_ns);
      pc.max_pending = static_cast<int>(Num(c.settings, "max.pending", pc.max_pending));
      pc.tick_ns = Num(c.settings, "tick", 0);
      if (auto it = c.settings.find("on.failure"); it != c.settings.end()) pc.on_failure = it->second.str;
      pc.max_restarts = static_cast<int>(Num(c.settings, "max.restarts", pc.max_restarts));
      pc.subprocess_timeout_ns = Num(c.settings, "subprocess.timeout", pc.subprocess_timeout_ns);
      for (const auto& [key, value] : c.settings) {
        if (IsConfKey(key) && !FindSetting(key)) pc.conf[key] = value;
      }
      pt.components.push_back(std::move(pc));
    }
    for (size_t ci = 0; ci < t.components.size(); ++ci) {
      const GraphComponent& c = t.components[ci];
      for (size_t k = 0; k < c.inputs.size(); ++k) {
        const GraphInput& in = c.inputs[k];
        PlanStream& s = pt.components[in.source].streams[in.stream];
        s.edges.push_back({static_cast<int>(ci), static_cast<int>(k), in.grouping});
        pt.components[ci].inputs.push_back({in.source, in.stream, s.fields});
      }
    }
    plan.topologies.push_back(std::move(pt));
  }
  return plan;
}

std::string Plan::Dump() const {
  std::string out;
  for (const PlanTopology& t : topologies) {
    out += "topology " + t.name + "\n";
    if (t.acking.on) {
      out += "  acking max.spout.pending=" + std::to_string(t.acking.max_spout_pending) +
             " message.timeout=" + Value::Duration(t.acking.message_timeout_ns).ToText() +
             " max.replays=" + std::to_string(t.acking.max_replays) + "\n";
    }
    for (const PlanComponent& c : t.components) {
      out += "  " + std::string(KindName(c.kind)) + " " + c.name + " = " + c.impl + " x" +
             std::to_string(c.parallelism) + " batch=" + std::to_string(c.batch_size) +
             " pending=" + std::to_string(c.max_pending);
      if (c.tick_ns) out += " tick=" + Value::Duration(c.tick_ns).ToText();
      out += "  # " + c.location + "\n";
      for (const PlanStream& s : c.streams) {
        for (const PlanEdge& e : s.edges) {
          out += "    " + s.name + " -> " + t.components[e.consumer].name + " [" +
                 std::string(GroupingName(e.grouping.kind));
          for (size_t i = 0; i < e.grouping.field_indices.size(); ++i) {
            size_t f = static_cast<size_t>(e.grouping.field_indices[i]);  // shown by name
            out += (i ? "," : " ") + (f < s.fields.size() ? s.fields[f] : std::to_string(f));
          }
          out += "]\n";
        }
      }
    }
  }
  return out;
}

}  // namespace smc::rt
