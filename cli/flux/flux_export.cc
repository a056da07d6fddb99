#include "cli/flux/flux_export.h"

#include <yaml-cpp/yaml.h>

#include "cli/flux/flux_format.h"
#include "dsl/parser.h"
#include "dsl/settings.h"
#include "runtime/subprocess.h"
#include "stdlib/builtins.h"

namespace smc::flux {

namespace {

// What to use on Storm instead of a component that only makes sense on one machine.
std::string Replacement(const GraphComponent& c) {
  if (c.impl == "exec") {
    return "smc component cannot serve a line filter; on Storm, wrap the command in a multi-lang shell bolt";
  }
  if (c.impl == "null") return "on Storm, drop the sink: tuples nobody subscribes to are dropped";
  if (c.kind == ComponentKind::kSpout) {
    return "on Storm, read from a broker: a Kafka spout (org.apache.storm.kafka.spout.KafkaSpout from "
           "storm-kafka-client) or a shell spout";
  }
  return "on Storm, write to a broker: a Kafka bolt (org.apache.storm.kafka.bolt.KafkaBolt from storm-kafka-client) "
         "or a shell bolt";
}

bool HasNoClusterMeaning(const GraphComponent& c) {
  return c.impl == "stdin" || c.impl == "stdout" || c.impl == "file" || c.impl == "channel" || c.impl == "null" ||
         c.impl == "exec";
}

// An argument as `smc component --param` reads it back (cli/component.cc):
// text that reads as a literal is taken as one, so such strings stay quoted.
std::string ParamText(const Value& v) {
  if (v.is_string() && !ParseLiteral(v.str)) return v.str;
  return v.ToSource();
}

const ParamSpec* FindParam(const ComponentSpec& spec, const std::string& name) {
  for (const ParamSpec& p : spec.params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

class Exporter {
 public:
  Exporter(const Graph& g, const GraphTopology& t, Diagnostics* diags) : g_(g), t_(t), diags_(diags) {}

  bool Run(std::string* yaml) {
    YAML::Emitter y;
    y << YAML::BeginMap;
    y << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << t_.name;
    Config(t_.settings, nullptr, t_.range, y);
    for (ComponentKind kind : {ComponentKind::kSpout, ComponentKind::kBolt}) {
      bool open = false;
      for (const GraphComponent& c : t_.components) {
        bool is_spout = c.kind == ComponentKind::kSpout;
        if (is_spout != (kind == ComponentKind::kSpout)) continue;
        if (HasNoClusterMeaning(c)) {
          diags_
              ->Error(g_.source, c.name_range,
                      "'" + c.name + "' uses " + c.impl + "(...), which has no meaning on a Storm cluster")
              .Note(c.range, Replacement(c));
          continue;
        }
        if (!open) {
          y << YAML::Key << (is_spout ? "spouts" : "bolts") << YAML::Value << YAML::BeginSeq;
          open = true;
        }
        Component(c, y);
      }
      if (open) y << YAML::EndSeq;
    }
    Streams(y);
    y << YAML::EndMap;
    if (!y.good()) {
      diags_->Error(g_.source, t_.range, std::string("cannot write the Flux document: ") + y.GetLastError());
    }
    *yaml = std::string(y.c_str()) + "\n";
    return !diags_->HasErrors();
  }

 private:
  // The settings of `s` that differ from `base` (null: from their defaults), as a `config` map.
  void Config(const Settings& s, const Settings* base, SourceRange where, YAML::Emitter& y) {
    bool open = false;
    for (const auto& [key, value] : s) {
      if (base) {
        auto it = base->find(key);
        if (it != base->end() && it->second == value) continue;
      } else {
        const SettingSpec* spec = FindSetting(key);
        if (spec && spec->default_value && *spec->default_value == value) continue;
      }
      if (!open) {
        y << YAML::Key << "config" << YAML::Value << YAML::BeginMap;
        open = true;
      }
      const StormSetting* storm = StormName(key);
      if (storm) {
        y << YAML::Key << std::string(storm->storm) << YAML::Value;
        if (storm->unit_ns) {
          int64_t n = (value.num + storm->unit_ns - 1) / storm->unit_ns;
          if (n * storm->unit_ns != value.num) {
            diags_->Warning(g_.source, where,
                            "'" + key + " = " + value.ToSource() + "' becomes " + std::string(storm->storm) + ": " +
                                std::to_string(n) + ", rounded up to Storm's unit");
          }
          y << n;
        } else {
          y << value.num;
        }
        continue;
      }
      y << YAML::Key << std::string(kSmcPrefix) + key << YAML::Value;
      switch (value.type) {
        case ValueType::kInt: y << value.num; break;
        case ValueType::kBool: y << (value.num != 0); break;
        case ValueType::kString: y << YAML::DoubleQuoted << value.str; break;
        default: y << YAML::DoubleQuoted << value.ToSource(); break;
      }
    }
    if (open) y << YAML::EndMap;
  }

  void Fields(const std::vector<std::string>& fields, YAML::Emitter& y) {
    y << YAML::Flow << YAML::BeginSeq;
    for (const std::string& f : fields) y << YAML::DoubleQuoted << f;
    y << YAML::EndSeq;
  }

  std::vector<std::string> Command(const GraphComponent& c) {
    std::vector<std::string> words;
    if (c.impl == "shell") {
      std::string error;
      // The validator accepted the command; an unsplittable one fails here the way it would at run time.
      if (!rt::SplitCommandLine(c.args.at("command").str, &words, &error)) {
        diags_->Error(g_.source, c.range, "'" + c.name + "': " + error);
      }
      return words;
    }
    words = {"smc", "component", c.impl};
    const ComponentSpec* spec = StandardCatalog().Find(c.kind, c.impl);
    for (const auto& [name, value] : c.args) {
      const ParamSpec* p = spec ? FindParam(*spec, name) : nullptr;
      if (p && p->default_value && *p->default_value == value) continue;
      words.push_back("--param");
      words.push_back(name + "=" + ParamText(value));
    }
    if (c.kind != ComponentKind::kSpout && !c.inputs.empty()) {
      const auto& first = t_.components[c.inputs[0].source].outputs[c.inputs[0].stream].fields;
      for (const GraphInput& in : c.inputs) {
        if (t_.components[in.source].outputs[in.stream].fields != first) {
          diags_
              ->Error(g_.source, in.range,
                      "'" + c.name + "' reads streams of different fields; smc component reads one kind of tuple")
              .Note(c.inputs[0].range, "the first input, whose fields differ");
          break;
        }
      }
      std::string joined;
      for (const std::string& f : first) joined += (joined.empty() ? "" : ",") + f;
      words.push_back("--fields");
      words.push_back(joined);
    }
    return words;
  }

  void Component(const GraphComponent& c, YAML::Emitter& y) {
    bool is_spout = c.kind == ComponentKind::kSpout;
    y << YAML::BeginMap;
    y << YAML::Key << "id" << YAML::Value << YAML::DoubleQuoted << c.name;
    y << YAML::Key << "className" << YAML::Value << std::string(is_spout ? kShellSpoutClass : kShellBoltClass);
    y << YAML::Key << "constructorArgs" << YAML::Value << YAML::BeginSeq;
    Fields(Command(c), y);
    int default_stream = c.FindStream("default");
    if (default_stream >= 0) Fields(c.outputs[default_stream].fields, y);
    y << YAML::EndSeq;
    bool named = false;
    for (const GraphStream& s : c.outputs) {
      if (s.name == "default") continue;
      if (!named) {
        y << YAML::Key << "configMethods" << YAML::Value << YAML::BeginSeq;
        named = true;
      }
      y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << "setNamedStream";
      y << YAML::Key << "args" << YAML::Value << YAML::BeginSeq << YAML::DoubleQuoted << s.name;
      Fields(s.fields, y);
      y << YAML::EndSeq << YAML::EndMap;
    }
    if (named) y << YAML::EndSeq;
    y << YAML::Key << "parallelism" << YAML::Value << c.parallelism;
    Config(c.settings, &t_.settings, c.name_range, y);
    y << YAML::EndMap;
  }

  void Streams(YAML::Emitter& y) {
    bool open = false;
    for (const GraphComponent& c : t_.components) {
      if (HasNoClusterMeaning(c)) continue;
      for (const GraphInput& in : c.inputs) {
        const GraphComponent& from = t_.components[in.source];
        if (HasNoClusterMeaning(from)) continue;
        std::string_view type = FluxGroupingType(in.grouping.kind);
        if (type.empty()) {
          diags_->Error(g_.source, in.range, "custom grouping '" + in.grouping.custom + "' has no Storm counterpart")
              .Note(in.range, "on Storm, write a CustomStreamGrouping class and name it in a CUSTOM grouping");
          continue;
        }
        if (!open) {
          y << YAML::Key << "streams" << YAML::Value << YAML::BeginSeq;
          open = true;
        }
        const std::string& stream = from.outputs[in.stream].name;
        y << YAML::BeginMap;
        y << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted
          << from.name + (stream == "default" ? "" : "." + stream) + " --> " + c.name;
        y << YAML::Key << "from" << YAML::Value << YAML::DoubleQuoted << from.name;
        y << YAML::Key << "to" << YAML::Value << YAML::DoubleQuoted << c.name;
        y << YAML::Key << "grouping" << YAML::Value << YAML::BeginMap;
        y << YAML::Key << "type" << YAML::Value << std::string(type);
        if (in.grouping.kind == GroupingKind::kFields || in.grouping.kind == GroupingKind::kPartial) {
          y << YAML::Key << "args" << YAML::Value;
          Fields(in.grouping.fields, y);
        }
        if (stream != "default") y << YAML::Key << "streamId" << YAML::Value << YAML::DoubleQuoted << stream;
        y << YAML::EndMap << YAML::EndMap;
      }
    }
    if (open) y << YAML::EndSeq;
  }

  const Graph& g_;
  const GraphTopology& t_;
  Diagnostics* diags_;
};

}  // namespace

bool ExportFlux(const Graph& graph, const GraphTopology& t, Diagnostics* diags, std::string* yaml) {
  return Exporter(graph, t, diags).Run(yaml);
}

}  // namespace smc::flux
