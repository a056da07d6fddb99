// shell(command) as a spout: a subprocess speaking Apache Storm's multi-lang
// protocol (the parent side; shared pieces in multilang.h).
//
// Synchronous, as in Storm: "next", then emits until "sync". Emits with an id
// are acked once delivered to the graph (smc does not track tuple trees). The
// stream ends when the child exits with status 0, or answers a "next" with
// {"command": "sync", "done": true}. Everything runs on the spout's thread.
#include <sys/wait.h>

#include "dsl/value.h"
#include "stdlib/builtins.h"
#include "stdlib/child.h"
#include "stdlib/formats.h"
#include "stdlib/multilang.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec ShellSpoutSpec() {
  ComponentSpec s;
  s.name = "shell";
  s.kind = ComponentKind::kSpout;
  s.summary = "a spout written in any language (Storm multi-lang protocol)";
  s.params = {Required("command", ParamType::kString,
                       "the command line, split like a shell would; run in the .topo file's folder")};
  s.outputs_doc = "as declared with '->'";
  s.outputs_from_arrow = true;
  return s;
}

}  // namespace smc::stdlib

// ---- behaviour -------------------------------------------------------------------

namespace smc::stdlib {
namespace {

class ShellSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    peer_ = std::make_unique<ShellPeer>(ctx, ComponentKind::kSpout);
    child_ = peer_->Launch();
    Command("activate");
  }
  ~ShellSpout() override {
    if (child_) child_->Stop();
  }

  bool Next(rt::Emitter&, const rt::SpoutControl& ctl) override {
    if (ended_) return false;
    if (ctl.Stopping()) {
      Command("deactivate");
      return false;
    }
    ids_.clear();
    if (!Command("next")) return false;
    for (const std::string& id : ids_) {
      if (!Command("ack", id)) return false;
    }
    return !ended_;
  }

 private:
  // Sends a command and handles the child's messages up to its sync. False
  // when the stream ended. Throws when the run must fail.
  bool Command(const char* command, const std::string& id = "") {
    std::string msg = std::string("{\"command\": \"") + command + "\", \"id\": ";
    AppendJsonString(id, &msg);
    msg += "}";
    std::string frame;
    AppendFrame(msg, &frame);
    while (true) {
      child_->Write(frame, false);
      std::string fault = Converse();
      if (fault.empty()) return !ended_;
      if (ended_) return false;
      Recover(fault);
      if (std::string(command) == "ack") return true;  // the new child never saw that tuple
    }
  }

  // Reads until sync; returns "" or what went wrong.
  std::string Converse() {
    while (true) {
      std::string json;
      auto r = peer_->reader().Read(&json, ctx_->subprocess_timeout_ns);
      if (r == FrameReader::Result::kTimeout) {
        return "did not answer within the subprocess timeout (" +
               Value::Duration(ctx_->subprocess_timeout_ns).ToText() + ")";
      }
      if (r == FrameReader::Result::kTooLarge) return ShellPeer::TooLargeFault();
      if (r != FrameReader::Result::kMessage) {
        int status = 0;
        std::string fault = peer_->EndedFault(child_.get(), &status);
        if (!child_->process()->running() && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
          ended_ = true;  // a clean exit ends the stream
          return "exited";
        }
        return fault;
      }
      try {
        ChildMessage m(json);
        if (m.command == "sync") {
          const rapidjson::Value* done = m.Find("done");
          if (done && done->IsBool() && done->GetBool()) ended_ = true;
          return "";
        }
        if (m.command == "emit") {
          peer_->HandleEmit(m, child_.get());
          std::string id = m.Id();
          if (!id.empty()) ids_.push_back(id);
        } else if (!peer_->HandleCommon(m)) {
          ctx_->shared->Log(peer_->label() + " warning: unknown command '" + m.command + "' ignored");
        }
      } catch (const ProtocolError& e) {
        return e.what();
      }
    }
  }

  // Restarts the child, or throws (the run fails) when the policy says so.
  void Recover(const std::string& fault) {
    std::string message = peer_->Describe(child_.get(), fault);
    if (!peer_->MayRestart(message)) throw std::runtime_error(message);
    child_->Stop();
    child_.reset();
    child_ = peer_->Launch();
    Command("activate");
  }

  const rt::Context* ctx_ = nullptr;
  std::unique_ptr<ShellPeer> peer_;
  std::unique_ptr<Child> child_;
  std::vector<std::string> ids_;
  bool ended_ = false;
};

}  // namespace

std::unique_ptr<rt::Spout> MakeShellSpout() {
  return std::make_unique<ShellSpout>();
}

}  // namespace smc::stdlib
