// smc component NAME for a built-in spout: Storm's multi-lang spout protocol.
//
// What an exported spout runs on Storm (FluxShellSpout), and what smc's own
// shell(...) spout can host. After the handshake and the pid reply, each
// "next" asks the spout for about a batch of tuples, sent as "emit"
// commands without ids (Storm does not track them), then "sync". Once the
// spout is exhausted every "next" gets {"command": "sync", "done": true}:
// smc's shell spout ends its stream there, Storm keeps asking and gets
// nothing more. "ack", "fail", "activate" and "deactivate" are answered
// with a plain "sync", as storm.py's spouts answer them; "activate" and
// "deactivate" reach the spout (a hosted shell spout passes them on).
// The process ends when standard input ends.
#include <fcntl.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/component_host.h"
#include "cli/exit_codes.h"
#include "cli/flux/flux_format.h"
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

}  // namespace

ComponentKind ServedKind(const ComponentOptions& opts) {
  const Catalog& cat = StandardCatalog();
  const ComponentSpec* spout = cat.Find(ComponentKind::kSpout, opts.name);
  if (spout && spout->resolve) {  // a plugin's component is whatever its library says
    std::string why;
    for (ComponentKind k : {ComponentKind::kSpout, ComponentKind::kSink}) {
      if (flux::ServedSignature(k, opts.name, opts.params, &why)) return k;
    }
    return ComponentKind::kBolt;
  }
  if (!spout || cat.Find(ComponentKind::kBolt, opts.name)) return ComponentKind::kBolt;
  // A spout and a sink of one name (amqp, kafka): the sink when it is given
  // input fields, as `smc export --flux` writes it for Storm's ShellBolt.
  return cat.Find(ComponentKind::kSink, opts.name) && !opts.fields.empty() ? ComponentKind::kSink
                                                                           : ComponentKind::kSpout;
}

int RunComponentSpout(const ComponentOptions& opts, std::ostream&, std::ostream& err) {
  if (opts.name == "shell" || opts.name == "stdin" || opts.name == "channel") {
    err << "smc component: error: '" << opts.name << "' cannot run as a multi-lang component\n";
    return kExitUsage;
  }
  // The spout's signature, checked and completed by the validator, as if written in a .topo file.
  std::unique_ptr<rt::Plan> plan =
      CompileSignature(ComponentKind::kSpout, opts.name, opts.params,
                       "topology component {\n  spout s = ", "\n  sink out = null() <- s shuffle\n}\n", err);
  if (!plan) return kExitUsage;
  const rt::PlanTopology& topology = plan->topologies[0];
  const rt::PlanComponent& pc = topology.components[0];
  const rt::SpoutFactory* factory = StandardRegistry().FindSpout(pc.impl);
  if (!factory) {
    err << "smc component: error: '" << opts.name << "' cannot run as a multi-lang component\n";
    return kExitUsage;
  }

  stdlib::FrameReader reader(0);
  rapidjson::Document hs;
  if (int status = ReadHandshake(reader, &hs, err)) return status;
  std::string json, why;

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

  ProtocolEmitter out(ctx.stream_names, widths, ProtocolEmitter::ErrorAs::kLog);
  if (!ReplyPid(hs, out)) return kExitIoErr;
  NoStop control;
  bool exhausted = false;
  try {
    spout->Open(ctx);
    while (true) {
      auto r = reader.Read(&json, -1);
      if (r == stdlib::FrameReader::Result::kTooLarge) {
        ReportTooLarge(err);
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
      auto member = m.FindMember("command");
      const std::string command = member != m.MemberEnd() && member->value.IsString() ? member->value.GetString() : "";
      if (command == "next") {
        if (!exhausted) exhausted = !spout->Next(out, control);
        out.Send(exhausted ? "{\"command\": \"sync\", \"done\": true}" : "{\"command\": \"sync\"}");
      } else {
        if (command == "activate" || command == "deactivate") spout->Activate(command == "activate");
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
