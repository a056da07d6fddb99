// smc component NAME: one built-in bolt, or a plugin's bolt or sink, as a
// multi-lang subprocess (spouts: component_spout.cc).
//
// Speaks Apache Storm's multi-lang protocol on standard input and output, so
// that Storm's ShellBolt, or smc's own shell(...), can host any smc built-in.
// The input fields come from the handshake's context (or --fields); each
// tuple runs through the component and is acked; heartbeats are answered;
// tick tuples become ticks (and are acked); when standard input ends, or on
// SIGTERM or SIGINT, the component finishes (a count emits its totals) and
// the process exits (128 + the signal's number after a signal). Under Storm's
// ShellBolt, which never closes a bolt's input, count, top and sort need
// `emit: "tick"` to emit at all.
#include <unistd.h>

#include <rapidjson/document.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/component_host.h"
#include "cli/exit_codes.h"
#include "cli/flux/flux_format.h"
#include "cli/flux_cli.h"
#include "dsl/parser.h"
#include "dsl/suggest.h"
#include "dsl/validator.h"
#include "runtime/json_read.h"
#include "runtime/plan.h"
#include "runtime/stop.h"
#include "stdlib/builtins.h"
#include "stdlib/formats.h"
#include "stdlib/multilang.h"

namespace smc {

void SetupComponent(CLI::App& app, ComponentOptions& opts) {
  app.add_option("name", opts.name, "the built-in bolt or spout to run, such as split, count or generate")->required();
  app.add_option("-p,--param", opts.params, "an argument of the bolt: KEY=VALUE (repeatable)")->allow_extra_args(false);
  app.add_option("--fields", opts.fields,
                 "the input fields, comma-separated, when the handshake does not give them (default: line)")
      ->delimiter(',');
}

namespace {

// What can be checked before the handshake: the bolt's name, and each
// argument's form and name; "" when they are fine.
std::string CheckNameAndArgs(const ComponentOptions& opts, ComponentKind kind) {
  const Catalog& catalog = StandardCatalog();
  const bool spout = kind == ComponentKind::kSpout;
  std::string why;
  const ComponentSpec* spec = flux::ServedSignature(kind, opts.name, opts.params, &why);
  if (!why.empty()) return why;
  if (!spec) {
    std::vector<std::string> names;
    for (const auto& c : catalog.components()) {
      if (c->kind == ComponentKind::kBolt || c->kind == ComponentKind::kSpout) names.push_back(c->name);
    }
    return "no built-in bolt or spout '" + opts.name + "'" + DidYouMean(opts.name, names);
  }
  if (opts.name == "shell" || opts.name == "exec" || opts.name == "stdin" || opts.name == "channel" ||
      (!spout && !StandardRegistry().FindComponent(kind, opts.name)))
    return "'" + opts.name + "' cannot run as a multi-lang component";
  for (const std::string& p : opts.params) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) return "--param expects KEY=VALUE, got '" + p + "'";
    std::string key = p.substr(0, eq);
    std::vector<std::string> names;
    for (const ParamSpec& ps : spec->params) names.push_back(ps.name);
    if (std::find(names.begin(), names.end(), key) == names.end())
      return "'" + opts.name + "' has no parameter '" + key + "'" + DidYouMean(key, names);
  }
  return "";
}

}  // namespace

int RunComponent(const ComponentOptions& opts, std::ostream& out_stream, std::ostream& err) {
  const ComponentKind kind = ServedKind(opts);  // cli/component_spout.cc
  if (std::string why = CheckNameAndArgs(opts, kind); !why.empty()) {
    err << "smc component: error: " << why << "\n";
    return kExitUsage;
  }
  if (kind == ComponentKind::kSpout) return RunComponentSpout(opts, out_stream, err);  // cli/component_spout.cc
  // The handshake first: it names the input fields.
  stdlib::FrameReader reader(0);
  rapidjson::Document hs;
  if (int status = ReadHandshake(reader, &hs, err)) return status;
  std::string json, why;
  std::vector<std::string> fields;
  for (const std::string& f : opts.fields) fields.push_back(f);
  auto ctx_it = hs.FindMember("context");
  if (fields.empty() && ctx_it != hs.MemberEnd() && ctx_it->value.IsObject()) {
    auto src = ctx_it->value.FindMember("source->stream->fields");
    if (src != ctx_it->value.MemberEnd() && src->value.IsObject() && src->value.MemberCount() > 0) {
      const auto& streams = src->value.MemberBegin()->value;
      if (streams.IsObject() && streams.MemberCount() > 0 && streams.MemberBegin()->value.IsArray()) {
        for (const auto& f : streams.MemberBegin()->value.GetArray()) {
          if (f.IsString()) fields.push_back(f.GetString());
        }
      }
    }
  }
  if (fields.empty()) fields = {"line"};

  // The bolt's signature, checked and completed by the validator, as if written in a .topo file.
  std::string prefix = "topology component {\n  spout in = channel(\"in\") -> (";
  for (size_t i = 0; i < fields.size(); ++i) prefix += (i ? ", " : "") + fields[i];
  const bool sink = kind == ComponentKind::kSink;
  prefix += sink ? ")\n  sink b = " : ")\n  bolt b = ";
  std::unique_ptr<rt::Plan> plan =
      CompileSignature(kind, opts.name, opts.params, prefix,
                       sink ? " <- in shuffle\n}\n" : " <- in shuffle\n  sink out = null() <- b shuffle\n}\n", err);
  if (!plan) return kExitUsage;
  const rt::PlanTopology& topology = plan->topologies[0];
  const rt::PlanComponent& pc = topology.components[1];
  const rt::ComponentFactory* factory = StandardRegistry().FindComponent(kind, pc.impl);
  if (!factory || pc.impl == "shell" || pc.impl == "exec") {
    err << "smc component: error: '" << opts.name << "' cannot run as a multi-lang component\n";
    return kExitUsage;
  }
  rt::Context ctx;
  ctx.component = opts.name;
  ctx.args = &pc.args;
  ctx.input_fields = {fields};
  for (const rt::PlanStream& s : pc.streams) {
    ctx.stream_names.push_back(s.name);
    ctx.stream_fields.push_back(s.fields);
  }
  ctx.topology = rt::ViewOf(topology, 1);
  ctx.component_index = 1;
  ctx.first_task = {1, 2, 3};
  ctx.task_id = 2;
  std::unique_ptr<rt::Component> bolt = (*factory)();

  // The pid reply, and the pid file Storm asks for.
  std::vector<int> widths;
  for (const auto& f : ctx.stream_fields) widths.push_back(static_cast<int>(f.size()));
  ProtocolEmitter out(ctx.stream_names, widths, ProtocolEmitter::ErrorAs::kErrorCommand);
  if (!ReplyPid(hs, out)) return kExitIoErr;
  try {
    bolt->Open(ctx);
    rt::Batch batch(static_cast<int>(fields.size()));
    std::vector<rt::Datum> values(fields.size());
    std::vector<std::string> scratch(fields.size());
    rt::StopSignal& stop = rt::StopSignal::Get();
    stop.InstallHandlers();
    while (true) {
      // SIGTERM (how Storm's ShellBolt ends its subprocess, which never sees
      // its input close) ends the loop as the end of the input does.
      auto r = reader.Read(&json, -1, stop.wake_fd());
      if (r == stdlib::FrameReader::Result::kTooLarge) {
        ReportTooLarge(err);
        return kExitDataErr;
      }
      if (r != stdlib::FrameReader::Result::kMessage) break;
      rapidjson::Document m;
      if (!rt::ParseJsonBounded(m, json, &why) || !m.IsObject()) {
        err << "smc component: error: malformed message" << (why.empty() ? "" : " (" + why + ")") << ": "
            << stdlib::Excerpt(json) << "\n";
        return kExitDataErr;
      }
      why.clear();
      auto stream = m.FindMember("stream");
      std::string s = stream != m.MemberEnd() && stream->value.IsString() ? stream->value.GetString() : "default";
      if (s == "__heartbeat") {
        out.Send("{\"command\": \"sync\"}");
      } else if (s == "__tick") {
        out.set_anchor("");
        bolt->Tick(out);
        auto id = m.FindMember("id");
        if (id != m.MemberEnd() && id->value.IsString()) {  // acked, as Storm's bolts ack their tick tuples
          std::string ack = "{\"command\": \"ack\", \"id\": ";
          stdlib::AppendJsonString(std::string_view(id->value.GetString(), id->value.GetStringLength()), &ack);
          out.Send(ack + "}");
        }
      } else {
        auto id = m.FindMember("id");
        auto tuple = m.FindMember("tuple");
        std::string id_text = id != m.MemberEnd() && id->value.IsString() ? id->value.GetString() : "";
        if (tuple == m.MemberEnd() || !tuple->value.IsArray() || tuple->value.Size() != fields.size()) {
          out.Error(json.substr(0, 200), "expected a tuple of " + std::to_string(fields.size()) + " values");
        } else {
          for (size_t k = 0; k < fields.size(); ++k) values[k] = stdlib::JsonDatum(tuple->value[k], &scratch[k]);
          batch.Clear();
          batch.Append(values.data());
          out.set_anchor(id_text);
          bolt->Execute(batch, 0, out);
        }
        std::string ack = "{\"command\": \"ack\", \"id\": ";
        stdlib::AppendJsonString(id_text, &ack);
        out.Send(ack + "}");
      }
      if (!out.Flush()) return kExitIoErr;
    }
    out.set_anchor("");
    bolt->Finish(out);
    if (!out.Flush()) return kExitIoErr;
    if (stop.requested() && stop.signal_number() > 0) return kExitSignalBase + stop.signal_number();
  } catch (const std::exception& e) {
    err << "smc component: error: '" << opts.name << "' failed: " << e.what() << "\n";
    return kExitSoftware;
  }
  return kExitOk;
}

}  // namespace smc
