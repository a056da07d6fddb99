#include "dsl/topology_check.h"

#include <algorithm>
#include <optional>

#include "dsl/suggest.h"

namespace smc {

std::string FieldList(const std::vector<std::string>& fields) {
  std::string out = "(";
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? ", " : "") + fields[i];
  return out + ")";
}

GraphTopology TopologyChecker::Check(const ast::Topology& t) {
  GraphTopology out;
  out.name = t.name.text;
  out.range = t.name.range;
  for (const SettingSpec& s : AllSettings()) {
    if ((s.scopes & kScopeTopology) && s.default_value) out.settings[s.key] = *s.default_value;
  }
  resolver_.ResolveSettings(t.settings, kScopeTopology, &out.settings);

  // Declarations: names, implementations, arguments that need no inputs.
  std::vector<Work> work;
  std::map<std::string, int> index;
  for (const ast::Component& c : t.components) {
    auto [it, inserted] = index.emplace(c.name.text, static_cast<int>(work.size()));
    if (!inserted) {
      Error(c.name.range, "duplicate component '" + c.name.text + "' in topology '" + t.name.text + "'")
          .Note(work[it->second].ast->name.range, "first declared here");
      continue;
    }
    int errors_before = diags_->error_count();
    work.push_back(Declare(c, out.settings));
    if (diags_->error_count() > errors_before) work.back().broken = true;
  }
  std::vector<std::string> names;
  for (const Work& w : work) names.push_back(w.ast->name.text);
  index_ = index;

  // Edges.
  for (Work& w : work) {
    if (w.ast->kind == ComponentKind::kSpout) continue;  // its inputs are an error already
    for (const ast::Input& in : w.ast->inputs) {
      auto it = index.find(in.source.text);
      if (it == index.end()) {
        Error(in.source.range, "unknown component '" + in.source.text + "' in topology '" + t.name.text + "'" +
                                   DidYouMean(in.source.text, names));
        w.bad_source = true;
        continue;
      }
      Work& src = work[it->second];
      if (src.ast->kind == ComponentKind::kSink) {
        Error(in.source.range, "'" + in.source.text + "' is a sink; it has no output to read")
            .Note(src.ast->name.range, "declared here");
        w.bad_source = true;
        continue;
      }
      w.sources.push_back(it->second);
    }
  }

  // Order by dependencies; what cannot be ordered lies on or behind a cycle.
  std::vector<int> order = TopologicalOrder(work);
  ReportCycles(t, work, order, Reached(work));
  for (int i : order) {
    int errors_before = diags_->error_count();
    ResolveInputsAndOutputs(work, i);
    if (diags_->error_count() > errors_before) work[i].broken = true;
  }
  CheckDirectStreams(work);

  bool has_sink =
      std::any_of(work.begin(), work.end(), [](const Work& w) { return w.ast->kind == ComponentKind::kSink; });
  if (!has_sink) {
    Warning(t.name.range, "topology '" + t.name.text + "' has no sink");
  } else {
    for (Work& w : work) {
      if (w.ast->kind == ComponentKind::kBolt && !w.read && !w.broken && !w.bad_source) {
        Warning(w.ast->name.range, "nothing reads the output of bolt '" + w.ast->name.text + "'");
      }
    }
  }

  for (Work& w : work) out.components.push_back(std::move(w.out));
  return out;
}

TopologyChecker::Work TopologyChecker::Declare(const ast::Component& c, const Settings& topology_settings) {
  Work w;
  w.ast = &c;
  w.out.name = c.name.text;
  w.out.kind = c.kind;
  w.out.impl = c.impl.name.text;
  w.out.range = c.range;
  w.out.name_range = c.name.range;
  w.out.settings = topology_settings;
  resolver_.ResolveSettings(c.settings, kScopeComponent, &w.out.settings);

  std::string kind(KindName(c.kind));
  std::string library;  // a plugin's, as found
  w.spec = catalog_.Find(c.kind, c.impl.name.text);
  if (!w.spec) {
    w.broken = true;
    std::vector<const ComponentSpec*> others = catalog_.FindAnyKind(c.impl.name.text);
    if (!others.empty()) {
      std::string kinds;
      for (size_t k = 0; k < others.size(); ++k) {
        kinds += (k == 0 ? "a " : " or a ") + std::string(KindName(others[k]->kind));
      }
      Error(c.impl.name.range, "'" + c.impl.name.text + "' is " + kinds + ", not a " + kind);
    } else {
      std::vector<std::string> same_kind;
      for (const auto& spec : catalog_.components()) {
        if (spec->kind == c.kind) same_kind.push_back(spec->name);
      }
      std::string hint = DidYouMean(c.impl.name.text, same_kind);
      if (hint.empty()) hint = DidYouMean(c.impl.name.text, catalog_.Names());
      Error(c.impl.name.range, "unknown " + kind + " implementation '" + c.impl.name.text + "'" + hint);
    }
  } else if (w.spec->resolve && !(w.spec = ResolveStandIn(c, *w.spec, &library))) {
    w.broken = true;
  } else if (!resolver_.Bind(w.spec->name, w.spec->params, c.impl.args, c.impl.name.range, &w.args)) {
    w.broken = true;
  } else if (!library.empty()) {
    w.args["library"].value = Value::String(library);  // the runtime loads what was checked
  }

  int64_t parallelism = c.parallelism.value_or(1);
  int max = w.spec && w.spec->max_parallelism > 0 ? w.spec->max_parallelism : kMaxParallelism;
  if (parallelism < 1 || parallelism > kMaxParallelism) {
    Error(c.parallelism_range, "parallelism of '" + c.name.text + "' must be between 1 and " +
                                   std::to_string(kMaxParallelism) + ", got " + std::to_string(parallelism));
  } else if (parallelism > max) {
    Error(c.parallelism_range, "'" + (w.spec ? w.spec->name : c.impl.name.text) +
                                   "' runs as a single instance; remove 'x" + std::to_string(parallelism) + "'");
  }
  w.out.parallelism = static_cast<int>(std::clamp<int64_t>(parallelism, 1, kMaxParallelism));

  if (c.kind == ComponentKind::kSpout && !c.inputs.empty()) {
    Error(c.inputs_range, "spout '" + c.name.text + "' cannot have inputs");
  }
  if (c.kind != ComponentKind::kSpout && c.inputs.empty()) {
    Error(c.name.range, kind + " '" + c.name.text + "' has no inputs; add '<- SOURCE GROUPING'");
  }
  if (c.has_outputs) {
    if (c.kind == ComponentKind::kSink) {
      Error(c.outputs_range, "sink '" + c.name.text + "' cannot declare outputs");
    } else if (w.spec && !w.spec->outputs_from_arrow && w.spec->channel_arg.empty()) {
      Error(c.outputs_range,
            "'" + w.spec->name + "' declares its own outputs; '->' is only for " + ArrowComponents() + " components");
    } else {
      CheckDeclaredOutputs(c);
    }
  } else if (w.spec && w.spec->outputs_from_arrow && c.kind != ComponentKind::kSink) {
    Error(c.impl.name.range,
          w.spec->name + " " + kind + " '" + c.name.text + "' must declare its outputs with '->', such as '-> (word)'");
    w.broken = true;
  }
  for (const auto& [name, bound] : w.args) w.out.args[name] = bound.value;
  if (w.spec && !w.spec->channel_arg.empty()) {
    auto arg = w.out.args.find(w.spec->channel_arg);
    if (arg != w.out.args.end() && arg->second.is_string()) w.out.channel = arg->second.str;
  }
  return w;
}

// plugin("lib.so", "Name", ...): the signature of Name in lib.so, found by
// the stand-in's resolver (which loads the library), or null after reporting.
const ComponentSpec* TopologyChecker::ResolveStandIn(const ast::Component& c, const ComponentSpec& stand_in,
                                                     std::string* library) {
  std::string names[2];
  SourceRange ranges[2];
  const std::string& what = c.impl.name.text;
  if (!resolver_.StandInNames(what, c.impl.args, c.impl.name.range, what + "(\"libmine.so\", \"MyBolt\")", names,
                              ranges)) {
    return nullptr;
  }
  Resolved<ComponentSpec> found = stand_in.resolve(c.kind, names[0], names[1], BaseDir());
  if (!found.spec) Error(ranges[found.bad_arg == 1 ? 1 : 0], found.error);
  *library = found.library;
  return found.spec;
}

std::string TopologyChecker::BaseDir() const {
  const std::string& path = file_.source ? file_.source->path() : std::string();
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || path == "<stdin>") return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void TopologyChecker::CheckDeclaredOutputs(const ast::Component& c) {
  std::map<std::string, SourceRange> streams;
  for (const ast::OutputStream& s : c.outputs) {
    auto [it, inserted] = streams.emplace(s.name.text, s.name.range);
    if (!inserted)
      Error(s.name.range, "duplicate stream '" + s.name.text + "'").Note(it->second, "first declared here");
    std::map<std::string, SourceRange> fields;
    for (const ast::Name& f : s.fields) {
      auto [fit, finserted] = fields.emplace(f.text, f.range);
      if (!finserted) Error(f.range, "duplicate field '" + f.text + "'").Note(fit->second, "first declared here");
    }
  }
}

void TopologyChecker::ResolveInputsAndOutputs(std::vector<Work>& work, int i) {
  Work& w = work[i];
  bool inputs_known = !w.bad_source;
  std::vector<std::vector<std::string>> input_fields;
  for (const ast::Input& in : w.ast->inputs) {
    auto found = index_.find(in.source.text);
    if (found == index_.end() || work[found->second].ast->kind == ComponentKind::kSink) continue;
    int src_index = found->second;
    Work& src = work[src_index];
    src.read = true;
    if (!src.outputs_known) {
      inputs_known = false;
      continue;
    }
    std::string stream = in.stream ? in.stream->text : "default";
    int s = src.out.FindStream(stream);
    if (s < 0) {
      std::vector<std::string> streams;
      for (const GraphStream& gs : src.out.outputs) streams.push_back(gs.name);
      SourceRange r = in.stream ? in.stream->range : in.source.range;
      if (in.stream) {
        std::string hint = DidYouMean(stream, streams);
        if (hint.empty()) {  // what it does have, such as a window without 'timestamp' (no 'late')
          hint = "; its streams: ";
          for (size_t j = 0; j < streams.size(); ++j) hint += (j ? ", " : "") + streams[j];
        }
        Error(r, "'" + in.source.text + "' has no stream '" + stream + "'" + hint);
      } else {
        std::string list;
        for (size_t j = 0; j < streams.size(); ++j) list += (j ? ", " : "") + in.source.text + "." + streams[j];
        Error(r, "'" + in.source.text + "' has no default stream; name one: " + list);
      }
      inputs_known = false;
      continue;
    }
    GraphInput gi;
    gi.source = src_index;
    gi.stream = s;
    gi.range = in.range;
    if (ResolveGrouping(in, src, w, src.out.outputs[s], &gi.grouping)) {
      w.reads.push_back({src_index, s, gi.grouping.kind, in.grouping.name.range});
    } else {
      inputs_known = false;
    }
    w.out.inputs.push_back(std::move(gi));
    input_fields.push_back(src.out.outputs[s].fields);
  }
  if (w.broken || !inputs_known) return;
  ResolveFieldArgs(w, input_fields);
  if (w.broken) return;
  ComputeOutputs(w, input_fields);
  if (!w.broken) CheckKeyedInputs(work, w);
}

// Field-name arguments must name a field of every input; a missing optional
// one defaults to the first input field.
void TopologyChecker::ResolveFieldArgs(Work& w, const std::vector<std::vector<std::string>>& input_fields) {
  if (!w.spec) return;
  for (const ParamSpec& p : w.spec->params) {
    if (p.type != ParamType::kField && p.type != ParamType::kFieldList) continue;
    auto it = w.args.find(p.name);
    if (it == w.args.end()) {
      if (p.type == ParamType::kField && !input_fields.empty() && !input_fields.front().empty()) {
        w.out.args[p.name] = Value::String(input_fields.front().front());
      }
      continue;
    }
    if (!it->second.given) continue;  // a default field name ("" = none) is the component's business
    std::vector<std::string> names;
    if (p.type == ParamType::kField) names.push_back(it->second.value.str);
    for (const Value& v : it->second.value.list) names.push_back(v.str);
    for (size_t k = 0; k < input_fields.size(); ++k) {
      for (const std::string& name : names) {
        const std::vector<std::string>& fields = input_fields[k];
        if (std::find(fields.begin(), fields.end(), name) != fields.end()) continue;
        Error(it->second.range, "unknown field '" + name + "' for '" + w.ast->name.text + "': its input " +
                                    (input_fields.size() > 1 ? std::to_string(k + 1) + " " : "") + "has fields " +
                                    FieldList(fields) + DidYouMean(name, fields));
        w.broken = true;
      }
    }
  }
}

void TopologyChecker::ComputeOutputs(Work& w, const std::vector<std::vector<std::string>>& input_fields) {
  const ast::Component& c = *w.ast;
  std::vector<std::string> first = input_fields.empty() ? std::vector<std::string>{} : input_fields.front();
  // The spec's outputs function; for a sink, a check of its arguments only.
  auto outputs = [&](std::vector<StreamSpec>* streams) {
    std::string error, error_arg;
    if (w.spec->outputs(w.out.args, first, streams, &error, &error_arg)) return true;
    auto it = w.args.find(error_arg);
    Error(it != w.args.end() ? it->second.range : c.impl.name.range, error);
    w.broken = true;
    return false;
  };
  if (c.kind == ComponentKind::kSink) {
    std::vector<StreamSpec> none;
    if (w.spec && w.spec->outputs && !outputs(&none)) return;
    w.outputs_known = true;
    return;
  }
  if (w.spec && w.spec->passthrough) {
    for (size_t k = 1; k < input_fields.size(); ++k) {
      if (input_fields[k] != input_fields[0]) {
        Error(c.inputs[k].range, "inputs of '" + c.name.text + "' must have the same fields: " +
                                     FieldList(input_fields[0]) + " and " + FieldList(input_fields[k]));
        w.broken = true;
        return;
      }
    }
  }
  std::vector<StreamSpec> streams;
  if (c.has_outputs) {
    for (const ast::OutputStream& s : c.outputs) {
      StreamSpec spec{s.name.text, {}};
      for (const ast::Name& f : s.fields) spec.fields.push_back(f.text);
      streams.push_back(std::move(spec));
    }
  }
  if (w.spec && !w.spec->channel_arg.empty() && c.kind == ComponentKind::kSpout) {
    if (!ChannelOutputs(w, &streams)) return;
  } else if (w.spec && w.spec->outputs) {
    if (!outputs(&streams)) return;
  }
  for (StreamSpec& s : streams) w.out.outputs.push_back({std::move(s.name), std::move(s.fields)});
  w.outputs_known = true;
}

bool TopologyChecker::ChannelOutputs(Work& w, std::vector<StreamSpec>* streams) {
  const ast::Component& c = *w.ast;
  const std::string& channel = w.out.channel;
  ChannelFields::Lookup sink = channels_.Fields(channel);
  switch (sink.state) {
    case ChannelFields::State::kKnown:
      if (c.has_outputs &&
          (streams->size() != 1 || (*streams)[0].name != "default" || (*streams)[0].fields != sink.fields)) {
        Error(c.outputs_range, "channel '" + channel + "' carries " + FieldList(sink.fields) +
                                   " from its sink in this file; '->' declares something else");
        w.broken = true;
        return false;
      }
      *streams = {{"default", sink.fields}};
      return true;
    case ChannelFields::State::kUnknown:
      // The sink's topology has the error; what this spout emits is unknown.
      w.broken = true;
      return false;
    case ChannelFields::State::kPending:
      if (c.has_outputs) return true;
      Error(c.impl.range, "the fields of channel '" + channel + "' come round a cycle of channels to its sink; " +
                              "declare them with '->', such as '-> (line)'");
      w.broken = true;
      return false;
    case ChannelFields::State::kNoSink:
      if (c.has_outputs) return true;
      Error(c.impl.range, "channel '" + channel + "' has no sink in this file; declare its fields with '->', " +
                              "such as '-> (line)'");
      w.broken = true;
      return false;
  }
  return false;
}

std::string TopologyChecker::ArrowComponents() const {
  // Those that must declare their outputs with '->', then those that may.
  std::vector<std::string> names;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& spec : catalog_.components()) {
      bool listed =
          pass == 0 ? spec->outputs_from_arrow
                    : !spec->outputs_from_arrow && !spec->channel_arg.empty() && spec->kind == ComponentKind::kSpout;
      if (listed && std::find(names.begin(), names.end(), spec->name) == names.end()) names.push_back(spec->name);
    }
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace smc
