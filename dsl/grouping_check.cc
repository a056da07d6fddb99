// Groupings (part of TopologyChecker: see topology_check.h): each input's
// grouping and its fields, and Storm's rule for direct streams: a stream is
// read with 'direct' by all its readers or by none, and only from a
// component that can emit direct.
#include <algorithm>

#include "dsl/suggest.h"
#include "dsl/topology_check.h"

namespace smc {
namespace {

const std::vector<std::string>& GroupingNames() {
  static const std::vector<std::string> kNames = {"shuffle", "fields", "partial", "all",   "global",
                                                  "direct",  "local",  "none",    "custom"};
  return kNames;
}

// Storm's TopologyBuilder spellings of the groupings, and smc's.
const char* StormGrouping(const std::string& name) {
  static const std::pair<const char*, const char*> kStorm[] = {
      {"shuffleGrouping", "shuffle"},      {"fieldsGrouping", "fields"},
      {"partialKeyGrouping", "partial"},   {"allGrouping", "all"},
      {"globalGrouping", "global"},        {"directGrouping", "direct"},
      {"localOrShuffleGrouping", "local"}, {"noneGrouping", "none"},
      {"customGrouping", "custom"}};
  for (const auto& [storm, smc] : kStorm) {
    if (name == storm) return smc;
  }
  return nullptr;
}

const ParamSpec* FindParamSpec(const std::vector<ParamSpec>& params, const std::string& name) {
  for (const ParamSpec& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace

bool TopologyChecker::ResolveGrouping(const ast::Input& in, const Work& source, const Work& consumer,
                                      const GraphStream& stream, GraphGrouping* out) {
  const ast::Grouping& g = in.grouping;
  auto known = std::find(GroupingNames().begin(), GroupingNames().end(), g.name.text);
  if (known == GroupingNames().end()) {
    if (const char* smc = StormGrouping(g.name.text)) {
      std::string written = smc;
      if (written == "fields" || written == "partial") {
        std::vector<std::string> fields;
        for (const ast::Name& f : g.fields) fields.push_back(f.text);
        written += fields.empty() ? "(FIELD)" : FieldList(fields);
      } else if (written == "custom") {
        written = "custom NAME(...)";
      }
      Error(g.name.range,
            "unknown grouping '" + g.name.text + "': Storm's " + g.name.text + " is written '" + written + "' here");
      return false;
    }
    Error(g.name.range, "unknown grouping '" + g.name.text + "'" + DidYouMean(g.name.text, GroupingNames()));
    return false;
  }
  out->kind = static_cast<GroupingKind>(known - GroupingNames().begin());
  bool wants_fields = out->kind == GroupingKind::kFields || out->kind == GroupingKind::kPartial;
  if (wants_fields && !g.has_fields) {
    Error(g.name.range, "grouping '" + g.name.text + "' needs fields, such as '" + g.name.text + "(" +
                            (stream.fields.empty() ? "field" : stream.fields.front()) + ")'");
    return false;
  }
  if (!wants_fields && g.has_fields) {
    Error(g.name.range, "grouping '" + g.name.text + "' takes no fields");
    return false;
  }
  bool ok = true;
  for (const ast::Name& f : g.fields) {
    auto it = std::find(stream.fields.begin(), stream.fields.end(), f.text);
    if (it == stream.fields.end()) {
      std::string hint = DidYouMean(f.text, stream.fields);
      Error(f.range, "stream '" + stream.name + "' of '" + in.source.text + "' has no field '" + f.text + "'" +
                         (hint.empty() ? "; it has " + FieldList(stream.fields) : hint));
      ok = false;
      continue;
    }
    out->fields.push_back(f.text);
    out->field_indices.push_back(static_cast<int>(it - stream.fields.begin()));
  }
  if (out->kind == GroupingKind::kCustom) {
    const GroupingSpec* spec = catalog_.FindGrouping(g.custom->name.text);
    if (!spec) {
      std::vector<std::string> names;
      for (const auto& gs : catalog_.groupings()) names.push_back(gs->name);
      Error(g.custom->name.range,
            "unknown custom grouping '" + g.custom->name.text + "'" + DidYouMean(g.custom->name.text, names));
      return false;
    }
    out->custom = spec->name;
    std::string library;  // a plugin's, as found
    if (spec->resolve) {  // custom plugin("lib.so", "Name", ...)
      std::string names[2];
      SourceRange ranges[2];
      const std::string& what = g.custom->name.text;
      if (!resolver_.StandInNames(what, g.custom->args, g.custom->name.range,
                                  "custom " + what + "(\"libmine.so\", \"MyGrouping\")", names, ranges)) {
        return false;
      }
      Resolved<GroupingSpec> found = spec->resolve(names[0], names[1], BaseDir());
      if (!found.spec) {
        Error(ranges[found.bad_arg == 1 ? 1 : 0], found.error);
        return false;
      }
      spec = found.spec;
      library = found.library;
    }
    Resolver::BoundArgs args;
    if (!resolver_.Bind(spec->name, spec->params, g.custom->args, g.custom->name.range, &args)) return false;
    if (!library.empty()) args["library"].value = Value::String(library);  // the runtime loads what was checked
    for (const auto& [name, bound] : args) {
      out->custom_args[name] = bound.value;
      if (const ParamSpec* p = FindParamSpec(spec->params, name); p && p->type == ParamType::kField) {
        if (std::find(stream.fields.begin(), stream.fields.end(), bound.value.str) == stream.fields.end()) {
          Error(bound.range, "stream '" + stream.name + "' of '" + in.source.text + "' has no field '" +
                                 bound.value.str + "'" + DidYouMean(bound.value.str, stream.fields));
          ok = false;
        }
      }
    }
  }
  if (out->kind == GroupingKind::kDirect && source.spec && !source.spec->emits_direct) {
    Error(g.name.range, "'direct' grouping from '" + in.source.text + "', which never emits direct ('" +
                            source.spec->name + "' does not): '" + consumer.ast->name.text + "' would receive nothing");
    return false;
  }
  if (ok && out->kind == GroupingKind::kGlobal && consumer.out.parallelism > 1) {
    Warning(g.name.range, "'global' sends every tuple to the first of the " + std::to_string(consumer.out.parallelism) +
                              " instances of '" + consumer.ast->name.text + "'");
  }
  return ok;
}

// A component that keeps state per key in each instance (count x3) gives
// split or repeated results unless every tuple of one key reaches the same
// instance: its inputs should be grouped by exactly that field. Direct and
// custom groupings are the user's own business; global is warned of apart.
void TopologyChecker::CheckKeyedInputs(const std::vector<Work>& work, const Work& w) {
  if (!w.spec || w.spec->keyed_by.empty() || w.out.parallelism < 2) return;
  auto arg = w.out.args.find(w.spec->keyed_by);
  for (size_t k = 0; k < w.out.inputs.size() && k < w.reads.size(); ++k) {
    const GraphInput& in = w.out.inputs[k];
    const Work& src = work[in.source];
    std::string key = arg != w.out.args.end() ? arg->second.str : "";
    if (key.empty() && !src.out.outputs[in.stream].fields.empty()) key = src.out.outputs[in.stream].fields.front();
    if (key.empty()) continue;
    const GraphGrouping& g = in.grouping;
    std::string quoted = "'" + key + "'", reason;
    std::string name(GroupingName(g.kind));
    std::string written = g.fields.empty() ? name : name + FieldList(g.fields);
    switch (g.kind) {
      case GroupingKind::kFields:
        if (g.fields.size() == 1 && g.fields[0] == key) continue;
        reason = "'" + written + "' can send one " + quoted + " to several of them";
        break;
      case GroupingKind::kPartial: reason = "'" + written + "' splits each " + quoted + " between two of them"; break;
      case GroupingKind::kAll: reason = "'all' sends every " + quoted + " to each of them"; break;
      case GroupingKind::kShuffle:
      case GroupingKind::kLocal:
      case GroupingKind::kNone: reason = "'" + name + "' can send one " + quoted + " to several of them"; break;
      default: continue;
    }
    Warning(w.reads[k].range, "'" + w.ast->name.text + "' (" + w.spec->name + ") keeps its state per " + quoted +
                                  " in each of its " + std::to_string(w.out.parallelism) + " instances, but " + reason +
                                  "; read '" + src.ast->name.text + "' with 'fields(" + key + ")'");
  }
}

void TopologyChecker::CheckDirectStreams(const std::vector<Work>& work) {
  // Every read of each stream, in declaration order of the readers.
  std::map<std::pair<int, int>, std::vector<std::pair<const Work*, const Work::Read*>>> readers;
  for (const Work& w : work) {
    for (const Work::Read& r : w.reads) readers[{r.source, r.stream}].push_back({&w, &r});
  }
  for (const auto& [stream, reads] : readers) {
    const auto& [first_reader, first] = reads.front();
    bool first_direct = first->grouping == GroupingKind::kDirect;
    for (const auto& [reader, read] : reads) {
      if ((read->grouping == GroupingKind::kDirect) == first_direct) continue;
      const Work& src = work[stream.first];
      Error(read->range, "'" + reader->ast->name.text + "' reads stream '" + src.out.outputs[stream.second].name +
                             "' of '" + src.ast->name.text + "' with '" + std::string(GroupingName(read->grouping)) +
                             "', but '" + first_reader->ast->name.text + "' reads it with '" +
                             std::string(GroupingName(first->grouping)) +
                             "': a stream goes to direct readers only, or to none")
          .Note(first->range, "'" + first_reader->ast->name.text + "' reads it here");
      break;  // one message per stream
    }
  }
}

}  // namespace smc
