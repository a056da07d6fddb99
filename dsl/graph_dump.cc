#include "dsl/graph_dump.h"

namespace smc {
namespace {

// A DOT string; a newline in `s` becomes a line break in the label.
std::string DotQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string GroupingLabel(const GraphGrouping& g) {
  std::string out(GroupingName(g.kind));
  if (g.kind == GroupingKind::kCustom) {
    out += " " + g.custom + "(";
    bool first = true;
    for (const auto& [k, v] : g.custom_args) {
      out += (first ? "" : ", ") + k + ": " + v.ToSource();
      first = false;
    }
    out += ")";
  }
  if (!g.fields.empty()) {
    out += "(";
    for (size_t i = 0; i < g.fields.size(); ++i) out += (i ? ", " : "") + g.fields[i];
    out += ")";
  }
  return out;
}

std::string SourceLabel(const GraphTopology& t, const GraphInput& in) {
  const GraphComponent& src = t.components[in.source];
  std::string out = src.name;
  if (src.outputs[in.stream].name != "default") out += "." + src.outputs[in.stream].name;
  return out;
}

const std::string& ChannelOf(const GraphComponent& c) {
  return c.channel;
}

}  // namespace

std::string GraphToDot(const Graph& g) {
  std::string out =
      "digraph smc {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
      "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  for (const GraphTopology& t : g.topologies) {
    out += "  subgraph " + DotQuote("cluster_" + t.name) + " {\n    label=" + DotQuote("topology " + t.name) + ";\n";
    for (const GraphComponent& c : t.components) {
      std::string shape = c.kind == ComponentKind::kSpout  ? "invhouse"
                          : c.kind == ComponentKind::kSink ? "house"
                                                           : "box";
      std::string label =
          c.name + "\n" + std::string(KindName(c.kind)) + " " + c.impl + " x" + std::to_string(c.parallelism);
      out += "    " + DotQuote(t.name + "/" + c.name) + " [label=" + DotQuote(label) + ", shape=" + shape + "];\n";
    }
    for (const GraphComponent& c : t.components) {
      for (const GraphInput& in : c.inputs) {
        const GraphComponent& src = t.components[in.source];
        const GraphStream& stream = src.outputs[in.stream];
        std::string label = GroupingLabel(in.grouping);
        if (stream.name != "default") label += "\n" + stream.name;
        std::string fields;
        for (size_t i = 0; i < stream.fields.size(); ++i) fields += (i ? ", " : "") + stream.fields[i];
        label += "\n(" + fields + ")";
        out += "    " + DotQuote(t.name + "/" + src.name) + " -> " + DotQuote(t.name + "/" + c.name) +
               " [label=" + DotQuote(label) + "];\n";
      }
    }
    out += "  }\n";
  }
  // Channels join topologies: from each channel sink to each spout of the same name.
  for (const GraphTopology& from : g.topologies) {
    for (const GraphComponent& sink : from.components) {
      if (sink.kind != ComponentKind::kSink || ChannelOf(sink).empty()) continue;
      for (const GraphTopology& to : g.topologies) {
        for (const GraphComponent& spout : to.components) {
          if (spout.kind != ComponentKind::kSpout || ChannelOf(spout) != ChannelOf(sink)) continue;
          out += "  " + DotQuote(from.name + "/" + sink.name) + " -> " + DotQuote(to.name + "/" + spout.name) +
                 " [style=dashed, label=" + DotQuote("channel " + ChannelOf(sink)) + "];\n";
        }
      }
    }
  }
  // Task graphs: one cluster per tasks block, an edge from each task to those that run after it.
  for (const GraphTaskGraph& tg : g.task_graphs) {
    out +=
        "  subgraph " + DotQuote("cluster_tasks_" + tg.name) + " {\n    label=" + DotQuote("tasks " + tg.name) + ";\n";
    for (const GraphTask& task : tg.tasks) {
      auto arg = task.args.find(task.impl == "exec" ? "command" : "path");
      std::string label =
          task.name + "\n" + task.impl + "(" + (arg == task.args.end() ? "" : arg->second.ToSource()) + ")";
      if (label.size() > 80) label = label.substr(0, 77) + "...";
      out += "    " + DotQuote("tasks " + tg.name + "/" + task.name) + " [label=" + DotQuote(label) +
             ", shape=" + (task.impl == "run" ? "component" : "box") + "];\n";
    }
    for (const GraphTask& task : tg.tasks) {
      for (int dep : task.after) {
        out += "    " + DotQuote("tasks " + tg.name + "/" + tg.tasks[dep].name) + " -> " +
               DotQuote("tasks " + tg.name + "/" + task.name) + ";\n";
      }
    }
    out += "  }\n";
  }
  return out + "}\n";
}

std::string GraphToText(const Graph& g) {
  std::string out;
  for (const GraphTopology& t : g.topologies) {
    out += "topology " + t.name + "\n";
    for (const GraphComponent& c : t.components) {
      out += "  " + c.name + "[" + std::to_string(c.parallelism) + "] (" + c.impl + ")";
      for (size_t i = 0; i < c.inputs.size(); ++i) {
        out += (i ? ", " : " ") + std::string("<-") + GroupingLabel(c.inputs[i].grouping) + "- " +
               SourceLabel(t, c.inputs[i]);
      }
      out += "\n";
    }
  }
  for (const GraphTaskGraph& tg : g.task_graphs) {
    out += "tasks " + tg.name + "\n";
    for (const GraphTask& task : tg.tasks) {
      out += "  " + task.name + " (" + task.impl + ")";
      for (size_t i = 0; i < task.after.size(); ++i) out += (i ? ", " : " after ") + tg.tasks[task.after[i]].name;
      out += "\n";
    }
  }
  return out;
}

}  // namespace smc
