#include "cli/flux/flux_import.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include "cli/flux/flux_format.h"
#include "dsl/parser.h"
#include "dsl/settings.h"
#include "stdlib/builtins.h"

namespace smc::flux {

namespace {

constexpr size_t kMaxWords = 4096;  // words of one command, fields of one stream

struct Comp {
  ComponentKind kind = ComponentKind::kBolt;
  std::string name;
  std::string impl;  // `shell("...")`, `split(field: "line")`
  bool builtin = false;
  int64_t parallelism = 1;
  std::vector<std::pair<std::string, std::vector<std::string>>> outputs;  // (stream, fields), default first
  bool declares_outputs = false;
  std::vector<std::string> settings;  // `key = value`
  bool has_tick = false;
  std::vector<std::string> inputs;  // `source[.stream] grouping`
};

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// A Flux id as a .topo name: letters, digits, '_' and inner '-' stay; the rest becomes '_'.
std::string Identifier(const std::string& id) {
  std::string out;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool ok = IsIdentChar(c) || (c == '-' && !out.empty() && i + 1 < id.size() && IsIdentChar(id[i + 1]));
    out += ok ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out = "_" + out;
  return out;
}

// One word of a command line, quoted so that smc splits it back the same (runtime/subprocess.h).
std::string QuoteWord(const std::string& w) {
  bool plain = !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
    return IsIdentChar(c) || std::string_view("./:=,+@%-").find(c) != std::string_view::npos;
  });
  if (plain) return w;
  std::string out = "'";
  for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A value as smc component's --param reads it: a literal when it is one, else a string.
std::string ValueText(const std::string& text) {
  if (ParseLiteral(text)) return text;
  return Value::String(text).ToSource();
}

class Importer {
 public:
  Importer(const SourceFilePtr& src, const ImportOptions& opts, Diagnostics* diags)
      : src_(src), opts_(opts), diags_(diags) {}

  bool Run(std::string* topo) {
    if (src_->text().size() > kMaxFluxBytes) {
      diags_->Error(src_, {}, "the Flux document is larger than 1 MiB");
      return false;
    }
    YAML::Node loaded;
    try {
      loaded = YAML::Load(src_->text());
    } catch (const YAML::DeepRecursion& e) {
      diags_->Error(src_, At(e.mark), "the Flux document nests too deeply for yaml-cpp's parser");
      return false;
    } catch (const YAML::Exception& e) {
      diags_->Error(src_, At(e.mark), "not a Flux document: " + e.msg);
      return false;
    }
    const YAML::Node& root = loaded;  // const: looking a key up must not add it
    if (!root.IsMap()) {
      diags_->Error(src_, root.IsDefined() ? Range(root) : SourceRange{},
                    "a Flux document is a map with 'name', 'spouts', 'bolts' and 'streams'");
      return false;
    }
    std::string name;
    for (const auto& kv : root) {  // pairs by value: it->first would dangle
      const YAML::Node key_node = kv.first, value_node = kv.second;
      std::string key = key_node.IsScalar() ? key_node.Scalar() : "";
      const YAML::Node& v = value_node;
      if (key == "name") {
        Scalar(v, "the topology's name", &name);
      } else if (key == "includes") {
        diags_->Error(src_, Range(key_node), "Flux includes are not supported: import the included file itself");
      } else if (key == "topologySource") {
        std::string cls;
        if (v.IsMap() && v["className"] && v["className"].IsScalar()) cls = v["className"].Scalar();
        diags_->Error(src_, Range(key_node), "cannot import Java topology source '" + cls + "'");
      } else if (key == "config") {
        Config(v, &settings_, nullptr);
      } else if (key == "spouts" || key == "bolts") {
        if (!v.IsSequence()) {
          if (!v.IsNull()) diags_->Error(src_, Range(v), "'" + key + "' is a list of components");
          continue;
        }
        for (const YAML::Node& c : v) Component(c, key == "spouts" ? ComponentKind::kSpout : ComponentKind::kBolt);
      } else if (key == "streams") {
        streams_ = v;
      } else if (key != "components" && key != "name") {
        diags_->Warning(src_, Range(key_node), "Flux key '" + key + "' has no smc counterpart; ignored");
      }
    }
    if (streams_) {
      if (streams_.IsSequence()) {
        for (const YAML::Node& s : streams_) Stream(s);
      } else if (!streams_.IsNull()) {
        diags_->Error(src_, Range(streams_), "'streams' is a list of streams");
      }
    }
    if (name.empty()) {
      if (!root["name"]) diags_->Error(src_, Range(root), "the Flux document has no 'name'");
      name = "flux";
    }
    if (diags_->HasErrors()) return false;
    return Write(Identifier(name), topo);
  }

 private:
  SourceRange Range(const YAML::Node& n) {
    const YAML::Mark m = n.Mark();
    if (m.pos < 0) return {};
    uint32_t b = static_cast<uint32_t>(std::min<size_t>(m.pos, src_->text().size()));
    size_t len = n.IsScalar() ? std::max<size_t>(1, n.Scalar().size()) : 1;
    if (n.IsScalar() && b < src_->text().size() && (src_->text()[b] == '"' || src_->text()[b] == '\'')) len += 2;
    return {b, static_cast<uint32_t>(std::min(src_->text().size(), b + len))};
  }
  SourceRange At(const YAML::Mark& m) {
    if (m.pos < 0) return {};
    uint32_t b = static_cast<uint32_t>(std::min<size_t>(m.pos, src_->text().size()));
    return {b, b + 1};
  }

  // A scalar; reports a missing or non-scalar one, and Flux's ${...} substitution.
  bool Scalar(const YAML::Node& n, const std::string& what, std::string* out) {
    if (!n || !n.IsScalar()) {
      diags_->Error(src_, n ? Range(n) : SourceRange{}, "expected " + what + " as a single value");
      return false;
    }
    *out = n.Scalar();
    size_t at = out->find("${");
    if (at != std::string::npos) {
      size_t end = out->find('}', at);
      diags_->Error(src_, Range(n),
                    "Flux property substitution '" + out->substr(at, end == std::string::npos ? 2 : end - at + 1) +
                        "' is not supported: substitute the properties before importing");
      return false;
    }
    return true;
  }

  bool Words(const YAML::Node& n, const std::string& what, std::vector<std::string>* out) {
    out->clear();
    if (!n || !n.IsSequence()) {
      diags_->Error(src_, n ? Range(n) : SourceRange{}, "expected " + what + " as a list");
      return false;
    }
    if (n.size() > kMaxWords) {
      diags_->Error(src_, Range(n), what + " has more than " + std::to_string(kMaxWords) + " items");
      return false;
    }
    for (const YAML::Node& w : n) {
      std::string s;
      if (!Scalar(w, "each item of " + what, &s)) return false;
      out->push_back(s);
    }
    return true;
  }

  // `config`: settings with an smc meaning become `key = value`; with `comp`, a component's.
  void Config(const YAML::Node& n, std::vector<std::string>* out, Comp* comp) {
    if (!n.IsMap()) {
      if (!n.IsNull()) diags_->Error(src_, Range(n), "'config' is a map of settings");
      return;
    }
    for (const auto& kv : n) {  // pairs by value: it->first would dangle
      const YAML::Node key_node = kv.first, value_node = kv.second;
      std::string key, value;
      if (!Scalar(key_node, "a setting's name", &key)) continue;
      const StormSetting* storm = FromStormName(key);
      std::string smc_key;
      if (storm) {
        smc_key = std::string(storm->smc);
      } else if (key.rfind(kSmcPrefix, 0) == 0 && FindSetting(key.substr(kSmcPrefix.size()))) {
        smc_key = key.substr(kSmcPrefix.size());
      } else {
        diags_->Warning(src_, Range(key_node), "Storm setting '" + key + "' has no smc counterpart; ignored");
        continue;
      }
      if (!Scalar(value_node, "the value of '" + key + "'", &value)) continue;
      std::string text;
      if (storm) {
        int64_t num = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), num);
        if (ec != std::errc() || p != value.data() + value.size()) {
          diags_->Error(src_, Range(value_node), "'" + key + "' must be an integer, got '" + value + "'");
          continue;
        }
        text = std::to_string(num);
        if (storm->unit_ns == 1'000'000'000) text += "s";
        if (storm->unit_ns == 1'000'000) text += "ms";
      } else {
        text = ValueText(value);
      }
      if (smc_key == "tick") {
        if (comp) {
          comp->has_tick = true;
        } else {
          topology_tick_ = text;  // smc ticks are per component: every bolt gets the topology's
          continue;
        }
      }
      out->push_back(smc_key + " = " + text);
    }
  }

  void Component(const YAML::Node& n, ComponentKind kind) {
    if (!n.IsMap()) {
      diags_->Error(src_, Range(n), "a Flux component is a map with 'id' and 'className'");
      return;
    }
    std::string id, cls;
    if (!Scalar(n["id"], "the component's 'id'", &id)) return;
    if (!Scalar(n["className"], "the 'className' of '" + id + "'", &cls)) return;
    Comp c;
    c.kind = kind;
    c.name = Identifier(id);
    if (ids_.count(id)) {
      diags_->Error(src_, Range(n["id"]), "duplicate id '" + id + "'");
      return;
    }
    for (const auto& [other, index] : ids_) {
      if (index >= 0 && comps_[index].name == c.name) {
        diags_->Error(src_, Range(n["id"]), "ids '" + other + "' and '" + id + "' both become '" + c.name + "'");
        return;
      }
    }
    bool shell = (kind == ComponentKind::kSpout && cls == kShellSpoutClass) ||
                 (kind == ComponentKind::kBolt && cls == kShellBoltClass);
    if (kind == ComponentKind::kBolt && cls == kLogInfoBoltClass) {
      c.kind = ComponentKind::kSink;
      c.impl = "stdout()";
      c.builtin = true;
    } else if (!shell) {
      diags_->Error(src_, Range(n["className"]), "cannot import Java component '" + cls + "'");
      ids_[id] = -1;
      return;
    } else if (!Shell(n, &c)) {
      ids_[id] = -1;
      return;
    }
    if (c.name != id) diags_->Warning(src_, Range(n["id"]), "id '" + id + "' becomes '" + c.name + "'");
    for (const auto& kv : n) {  // pairs by value: it->first would dangle
      const YAML::Node key_node = kv.first, value_node = kv.second;
      std::string key = key_node.IsScalar() ? key_node.Scalar() : "";
      if (key == "parallelism") {
        std::string p;
        if (!Scalar(value_node, "the parallelism of '" + id + "'", &p)) continue;
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), c.parallelism);
        if (ec != std::errc() || end != p.data() + p.size() || c.parallelism < 1) {
          diags_->Error(src_, Range(value_node), "the parallelism of '" + id + "' must be a positive integer");
        }
        if (c.impl == "stdout()") c.parallelism = 1;  // one standard output
      } else if (key == "config") {
        Config(value_node, &c.settings, &c);
      } else if (key == "numTasks" || key == "onHeapMemoryLoad" || key == "offHeapMemoryLoad" || key == "cpuLoad" ||
                 key == "properties") {
        diags_->Warning(src_, Range(key_node), "'" + key + "' of '" + id + "' has no smc counterpart; ignored");
      }
    }
    ids_[id] = static_cast<int>(comps_.size());
    comps_.push_back(std::move(c));
  }

  // FluxShellSpout/FluxShellBolt: constructorArgs [command words, output fields]; named streams
  // and the default one may also come from configMethods setNamedStream / setDefaultStream.
  bool Shell(const YAML::Node& n, Comp* c) {
    const YAML::Node args = n["constructorArgs"];
    if (!args || !args.IsSequence() || args.size() < 1 || args.size() > 2) {
      diags_->Error(src_, args ? Range(args) : Range(n),
                    "a Flux shell component takes 'constructorArgs': [command words, output fields]");
      return false;
    }
    std::vector<std::string> words, fields;
    if (!Words(args[0], "the command", &words)) return false;
    if (words.empty()) {
      diags_->Error(src_, Range(args[0]), "the command is empty");
      return false;
    }
    if (args.size() == 2) {
      if (!Words(args[1], "the output fields", &fields)) return false;
      c->outputs.push_back({"default", fields});
    }
    c->declares_outputs = true;
    const YAML::Node methods = n["configMethods"];
    if (methods && methods.IsSequence()) {
      for (const YAML::Node& m : methods) {
        std::string name;
        if (!m.IsMap() || !Scalar(m["name"], "a config method's 'name'", &name)) continue;
        const YAML::Node margs = m["args"];
        if (name == "setNamedStream" && margs && margs.IsSequence() && margs.size() == 2) {
          std::string stream;
          if (!Scalar(margs[0], "the stream's name", &stream) || !Words(margs[1], "the stream's fields", &fields)) {
            return false;
          }
          c->outputs.push_back({Identifier(stream), fields});
        } else if (name == "setDefaultStream" && margs && margs.IsSequence() && margs.size() == 1) {
          if (!Words(margs[0], "the default stream's fields", &fields)) return false;
          c->outputs.erase(
              std::remove_if(c->outputs.begin(), c->outputs.end(), [](const auto& o) { return o.first == "default"; }),
              c->outputs.end());
          c->outputs.insert(c->outputs.begin(), {"default", fields});
        } else {
          diags_->Warning(src_, Range(m), "config method '" + name + "' has no smc counterpart; ignored");
        }
      }
    }
    // `smc component NAME --param K=V ... [--fields F]`: the built-in again.
    if (!opts_.as_shell && words.size() >= 3 && words[0] == "smc" && words[1] == "component") {
      std::string impl = words[2] + "(";
      bool ok = true;
      int params = 0;
      for (size_t i = 3; i < words.size() && ok; i += 2) {
        if (i + 1 >= words.size()) {
          ok = false;
        } else if (words[i] == "--param") {
          size_t eq = words[i + 1].find('=');
          if (eq == std::string::npos || eq == 0 ||
              Identifier(words[i + 1].substr(0, eq)) != words[i + 1].substr(0, eq)) {
            ok = false;
          } else {
            impl += (params++ ? ", " : "") + words[i + 1].substr(0, eq) + ": " + ValueText(words[i + 1].substr(eq + 1));
          }
        } else if (words[i] != "--fields") {
          ok = false;
        }
      }
      if (ok && Identifier(words[2]) == words[2]) {
        const Catalog& cat = StandardCatalog();
        if (c->kind == ComponentKind::kBolt && !cat.Find(ComponentKind::kBolt, words[2]) &&
            cat.Find(ComponentKind::kSink, words[2])) {
          c->kind = ComponentKind::kSink;
        }
        if (c->kind == ComponentKind::kBolt) {  // a plugin's sink is served as a bolt
          std::vector<std::string> params;
          for (size_t i = 3; i + 1 < words.size(); i += 2) {
            if (words[i] == "--param") params.push_back(words[i + 1]);
          }
          std::string why;
          if (ServedSignature(ComponentKind::kSink, words[2], params, &why)) c->kind = ComponentKind::kSink;
        }
        c->impl = impl + ")";
        c->builtin = true;
        c->declares_outputs = false;
        return true;
      }
    }
    std::string command;
    for (const std::string& w : words) command += (command.empty() ? "" : " ") + QuoteWord(w);
    c->impl = "shell(" + Value::String(command).ToSource() + ")";
    return true;
  }

  void Stream(const YAML::Node& s) {
    if (!s.IsMap()) {
      diags_->Error(src_, Range(s), "a Flux stream is a map with 'from', 'to' and 'grouping'");
      return;
    }
    std::string from, to, type, stream;
    if (!Scalar(s["from"], "the stream's 'from'", &from) || !Scalar(s["to"], "the stream's 'to'", &to)) return;
    int fi = Lookup(from, s["from"]), ti = Lookup(to, s["to"]);
    const YAML::Node g = s["grouping"];
    if (!g || !g.IsMap()) {
      diags_->Error(src_, g ? Range(g) : Range(s), "the stream from '" + from + "' to '" + to + "' has no 'grouping'");
      return;
    }
    if (!Scalar(g["type"], "the grouping's 'type'", &type)) return;
    if (g["streamId"] && !Scalar(g["streamId"], "the 'streamId'", &stream)) return;
    std::string text;
    if (type == "CUSTOM") {
      std::string cls;
      const YAML::Node cc = g["customClass"];
      if (cc && cc.IsMap() && cc["className"] && cc["className"].IsScalar()) cls = cc["className"].Scalar();
      diags_->Error(src_, Range(g["type"]), "cannot import Java custom grouping '" + cls + "'");
      return;
    }
    std::optional<GroupingKind> kind = GroupingFromFlux(type);
    if (!kind) {
      diags_->Error(src_, Range(g["type"]), "unknown Flux grouping type '" + type + "'");
      return;
    }
    text = std::string(GroupingName(*kind));
    if (*kind == GroupingKind::kFields || *kind == GroupingKind::kPartial) {
      std::vector<std::string> fields;
      if (!Words(g["args"], "the grouping's fields ('args')", &fields)) return;
      text += "(";
      for (size_t i = 0; i < fields.size(); ++i) text += (i ? ", " : "") + Identifier(fields[i]);
      text += ")";
    }
    if (fi < 0 || ti < 0) return;  // a Java component, reported already
    std::string source = comps_[fi].name + (stream.empty() || stream == "default" ? "" : "." + Identifier(stream));
    comps_[ti].inputs.push_back(source + " " + text);
  }

  int Lookup(const std::string& id, const YAML::Node& where) {
    auto it = ids_.find(id);
    if (it == ids_.end()) {
      diags_->Error(src_, Range(where), "stream names an unknown component '" + id + "'");
      ids_[id] = -1;  // reported once
      return -1;
    }
    return it->second;
  }

  bool Write(const std::string& name, std::string* topo) {
    std::string& out = *topo;
    out = "# Imported from the Apache Storm Flux definition " + src_->path() + " (smc import --flux)\n";
    out += "topology " + name + " {\n";
    for (const std::string& s : settings_) out += "    set " + s + "\n";
    for (ComponentKind pass : {ComponentKind::kSpout, ComponentKind::kBolt}) {
      for (Comp& c : comps_) {
        if ((c.kind == ComponentKind::kSpout) != (pass == ComponentKind::kSpout)) continue;
        if (c.kind != ComponentKind::kSpout && !topology_tick_.empty() && !c.has_tick) {
          c.settings.push_back("tick = " + topology_tick_);
        }
        out += "    ";
        out += c.kind == ComponentKind::kSpout ? "spout" : c.kind == ComponentKind::kSink ? "sink " : "bolt ";
        out += " " + c.name + " = " + c.impl;
        if (c.parallelism != 1) out += " x" + std::to_string(c.parallelism);
        for (size_t i = 0; i < c.inputs.size(); ++i) out += (i ? ", " : " <- ") + c.inputs[i];
        if (c.declares_outputs) {
          out += " ->";
          bool only_default = c.outputs.size() <= 1 && (c.outputs.empty() || c.outputs[0].first == "default");
          for (size_t i = 0; i < c.outputs.size() || (i == 0 && only_default); ++i) {
            out += i ? ", " : " ";
            if (!only_default) out += c.outputs[i].first;
            out += "(";
            if (i < c.outputs.size()) {
              for (size_t k = 0; k < c.outputs[i].second.size(); ++k) {
                out += (k ? ", " : "") + Identifier(c.outputs[i].second[k]);
              }
            }
            out += ")";
          }
        }
        for (size_t i = 0; i < c.settings.size(); ++i) out += (i ? ", " : " { ") + c.settings[i];
        if (!c.settings.empty()) out += " }";
        out += "\n";
        if (out.size() > kMaxTopoBytes) {
          diags_->Error(src_, {}, "the imported topology would be larger than 16 MiB");
          return false;
        }
      }
    }
    out += "}\n";
    return true;
  }

  SourceFilePtr src_;
  ImportOptions opts_;
  Diagnostics* diags_;
  YAML::Node streams_;
  std::vector<std::string> settings_;
  std::string topology_tick_;
  std::map<std::string, int> ids_;  // Flux id -> index in comps_, -1: not imported
  std::vector<Comp> comps_;
};

}  // namespace

bool ImportFlux(const SourceFilePtr& yaml, const ImportOptions& opts, Diagnostics* diags, std::string* topo) {
  return Importer(yaml, opts, diags).Run(topo);
}

}  // namespace smc::flux
