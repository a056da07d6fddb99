// smc component NAME for a built-in spout: Storm's multi-lang spout protocol.
//
// What an exported spout runs on Storm (FluxShellSpout), and what smc's own
// shell(...) spout can host. After the handshake and the pid reply, each
// "next" asks the spout for about a batch of tuples, sent as "emit"
// commands without ids (Storm does not track them), then "sync". Once the
// spout is exhausted every "next" gets {"command": "sync", "done": true}:
// smc's shell spout ends its stream there, Storm keeps asking and gets
// nothing more. "ack", "fail", "activate" and "deactivate" are answered
// with a plain "sync", as storm.py's spouts answer them.
// The process ends when standard input ends.
#include <fcntl.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/flux_cli.h"
#include "dsl/parser.h"
#include "dsl/validator.h"
#include "runtime/json_read.h"
#include "runtime/plan.h"
#include "stdlib/builtins.h"
#include "stdlib/formats.h"
#include "stdlib/multilang.h"

namespace smc {

namespace {

class SpoutProtocolEmitter : public rt::Emitter {
 public:
  SpoutProtocolEmitter(const std::vector<std::string>& streams, const std::vector<int>& widths)
      : streams_(streams), widths_(widths) {}
  void Emit(int stream, const rt::Datum* values) override {
    out_ += "{\"command\": \"emit\", \"stream\": ";
    stdlib::AppendJsonString(streams_[stream], &out_);
    out_ += ", \"tuple\": [";
    for (int k = 0; k < widths_[stream]; ++k) {
      if (k) out_ += ", ";
      stdlib::AppendDatumJson(values[k], &out_);
    }
    out_ += "], \"need_task_ids\": false}\nend\n";
  }
  void EmitDirect(int stream, int, const rt::Datum* values) override { Emit(stream, values); }
  void Error(std::string_view input, std::string_view reason) override {
    std::string msg = std::string(reason) + ": " + std::string(input);
    out_ += "{\"command\": \"log\", \"msg\": ";
    stdlib::AppendJsonString(msg, &out_);
    out_ += ", \"level\": 3}\nend\n";
  }
  void Send(const std::string& json) { stdlib::AppendFrame(json, &out_); }
  bool Flush() {
    bool ok = stdlib::WriteAll(1, out_);
    out_.clear();
    return ok;
  }

 private:
  const std::vector<std::string>& streams_;
  const std::vector<int>& widths_;
  std::string out_;
};

// Never stopping from inside: the host ends the process by closing standard input.
class NoStop : public rt::SpoutControl {
 public:
  NoStop() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) fds_[0] = fds_[1] = -1;
  }
  ~NoStop() override {
    if (fds_[0] >= 0) ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  bool Stopping() const override { return false; }
  int WakeFd() const override { return fds_[0]; }

 private:
  int fds_[2];
};

std::string ArgText(const std::string& value) {
  if (ParseLiteral(value)) return value;
  return Value::String(value).ToSource();
}

}  // namespace

bool ServesSpout(const std::string& name) {
  const Catalog& cat = StandardCatalog();
  return cat.Find(ComponentKind::kSpout, name) && !cat.Find(ComponentKind::kBolt, name);
}

int RunComponentSpout(const ComponentOptions& opts, std::ostream&, std::ostream& err) {
  if (opts.name == "shell" || opts.name == "stdin" || opts.name == "channel") {
    err << "smc component: error: '" << opts.name << "' cannot run as a multi-lang component\n";
    return kExitUsage;
  }
  // The spout's signature, checked and completed by the validator, as if written in a .topo file.
  std::string text = "topology component {\n  spout s = " + opts.name + "(";
  for (size_t i = 0; i < opts.params.size(); ++i) {
    size_t eq = opts.params[i].find('=');
    if (eq == std::string::npos) {
      err << "smc component: error: --param expects KEY=VALUE, got '" << opts.params[i] << "'\n";
      return kExitUsage;
    }
    text += (i ? ", " : "") + opts.params[i].substr(0, eq) + ": " + ArgText(opts.params[i].substr(eq + 1));
  }
  text += ")\n  sink out = null() <- s shuffle\n}\n";
  Diagnostics diags;
  auto source = std::make_shared<SourceFile>("<component>", text);
  ast::File file = Parse(source, &diags);
  Graph graph;
  if (!diags.HasErrors()) graph = Validate(file, StandardCatalog(), {}, &diags);
  if (diags.HasErrors()) {
    for (const Diagnostic& d : diags.all()) {
      if (d.severity == Severity::kError) err << "smc component: error: " << d.message << "\n";
    }
    return kExitUsage;
  }
  rt::Plan plan = rt::Compile(graph);
  const rt::PlanTopology& topology = plan.topologies[0];
  const rt::PlanComponent& pc = topology.components[0];
  const rt::SpoutFactory* factory = StandardRegistry().FindSpout(pc.impl);
  if (!factory) {
    err << "smc component: error: '" << opts.name << "' cannot run as a multi-lang component\n";
    return kExitUsage;
  }

  stdlib::FrameReader reader(0);
  std::string json, why;
  auto first = reader.Read(&json, -1);
  if (first == stdlib::FrameReader::Result::kTooLarge) {
    err << "smc component: error: a message on standard input is larger than " << (stdlib::kMaxFrameBytes >> 20)
        << " MiB\n";
    return kExitDataErr;
  }
  rapidjson::Document hs;
  if (first != stdlib::FrameReader::Result::kMessage) {
    err << "smc component: error: expected the multi-lang handshake on standard input\n";
    return kExitDataErr;
  }
  if (!rt::ParseJsonBounded(hs, json, &why) || !hs.IsObject()) {
    err << "smc component: error: the handshake is not a JSON object" << (why.empty() ? "" : " (" + why + ")") << "\n";
    return kExitDataErr;
  }

  rt::Context ctx;
  ctx.component = opts.name;
  ctx.args = &pc.args;
  std::vector<int> widths;
  for (const rt::PlanStream& s : pc.streams) {
    ctx.stream_names.push_back(s.name);
    ctx.stream_fields.push_back(s.fields);
    widths.push_back(static_cast<int>(s.fields.size()));
  }
  ctx.topology = rt::ViewOf(topology, 0);
  ctx.component_index = 0;
  ctx.first_task = {1, 2};
  ctx.task_id = 1;
  std::unique_ptr<rt::Spout> spout = (*factory)();

  auto pid_dir = hs.FindMember("pidDir");
  if (pid_dir != hs.MemberEnd() && pid_dir->value.IsString()) {
    std::ofstream(std::filesystem::path(pid_dir->value.GetString()) / std::to_string(::getpid()));
  }
  SpoutProtocolEmitter out(ctx.stream_names, widths);
  out.Send("{\"pid\": " + std::to_string(::getpid()) + "}");
  if (!out.Flush()) return kExitIoErr;
  NoStop control;
  bool exhausted = false;
  try {
    spout->Open(ctx);
    while (true) {
      auto r = reader.Read(&json, -1);
      if (r == stdlib::FrameReader::Result::kTooLarge) {
        err << "smc component: error: a message on standard input is larger than " << (stdlib::kMaxFrameBytes >> 20)
            << " MiB\n";
        return kExitDataErr;
      }
      if (r != stdlib::FrameReader::Result::kMessage) break;
      rapidjson::Document m;
      bool parsed = rt::ParseJsonBounded(m, json, &why);
      if (parsed && m.IsArray()) continue;  // task ids, from a host that sends them anyway
      if (!parsed || !m.IsObject()) {
        err << "smc component: error: malformed message" << (why.empty() ? "" : " (" + why + ")") << ": "
            << stdlib::Excerpt(json) << "\n";
        return kExitDataErr;
      }
      // Every command gets its sync, as storm.py's spouts answer: "next" after its emits.
      auto command = m.FindMember("command");
      if (command != m.MemberEnd() && command->value.IsString() && std::string(command->value.GetString()) == "next") {
        if (!exhausted) exhausted = !spout->Next(out, control);
        out.Send(exhausted ? "{\"command\": \"sync\", \"done\": true}" : "{\"command\": \"sync\"}");
      } else {
        out.Send("{\"command\": \"sync\"}");  // ack, fail, activate, deactivate
      }
      if (!out.Flush()) return kExitIoErr;
    }
  } catch (const std::exception& e) {
    err << "smc component: error: '" << opts.name << "' failed: " << e.what() << "\n";
    return kExitSoftware;
  }
  return kExitOk;
}

}  // namespace smc
