// shell(command) as a spout: a subprocess speaking Apache Storm's multi-lang
// protocol (the parent side; shared pieces in multilang.h).
//
// Synchronous, as in Storm: "next", then emits until "sync". Without acking,
// emits with an id are acked once delivered to the graph; with acking (the
// topology's `acking`), each is a tuple tree, and the child hears "ack" when
// the tree completes and "fail" when it fails or times out, between "next"s.
// Either way the id goes back exactly as the child sent it (its JSON text). The
// stream ends when the child exits with status 0, or answers a "next" with
// {"command": "sync", "done": true}. A child still running when the spout
// stops (the end of its stream, --for, abort, a failure) is sent
// "deactivate" first; `smc deactivate` and `smc activate` send Storm's
// "deactivate" and "activate". After a "next" without emits the spout waits 1 ms
// (Storm's sleep wait strategy). Everything runs on the spout's thread.
#include <poll.h>
#include <sys/wait.h>

#include <algorithm>
#include <unordered_map>

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
  s.emits_direct = true;
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
    if (!child_) return;
    try {
      late_ = true;  // the stream has ended: what it emits now cannot go out
      Deactivate();
    } catch (...) {
    }
    child_->Stop();
  }

  bool Next(rt::Emitter&, const rt::SpoutControl& ctl) override {
    if (ended_) return false;
    if (ctl.Stopping()) {
      Deactivate();
      return false;
    }
    ids_.clear();
    emits_ = 0;
    bool more = Command("next");
    for (size_t i = 0; more && i < ids_.size(); ++i) more = Command("ack", ids_[i]);
    if (!more || ended_ || ctl.Stopping()) {
      Deactivate();
      return false;
    }
    if (emits_ == 0) {
      // Storm's sleep wait strategy: an idle spout is asked again after 1 ms
      // (sooner when the job stops), not as fast as it answers.
      pollfd fd = {ctl.WakeFd(), POLLIN, 0};
      ::poll(&fd, 1, kIdleWaitMs);
    }
    return true;
  }

  bool Reliable() const override { return ctx_->acking; }
  void Ack(uint64_t msg) override { Answer("ack", msg); }
  bool Fail(uint64_t msg) override {
    if (exited_) return false;  // no one left to emit it again
    ended_ = false;             // the child that is still there emits it again
    Answer("fail", msg);
    return true;
  }
  std::string MessageText(uint64_t msg) const override {
    auto it = raw_.find(msg);
    return it == raw_.end() ? std::to_string(msg) : it->second;
  }
  // smc deactivate / activate: Storm's commands, each answered with a sync.
  void Activate(bool active) override {
    if (ended_ || exited_ || !child_) return;
    if (active == !deactivated_) return;
    deactivated_ = !active;  // a child paused now is not told "deactivate" again when the spout stops
    Command(active ? "activate" : "deactivate");
  }

 private:
  // Tells the child that its message `msg` was acked or failed.
  void Answer(const char* command, uint64_t msg) {
    auto it = raw_.find(msg);
    if (it == raw_.end()) return;
    std::string id = it->second;
    if (std::string(command) == "ack") {
      by_raw_.erase(id);
      raw_.erase(it);
    }
    if (!exited_) Command(command, id);
  }

  // The message id for the child's id `id_json` (the same id each time it
  // is emitted again, so that its replays are counted).
  uint64_t MessageId(const std::string& id_json) {
    auto [it, inserted] = by_raw_.try_emplace(id_json, next_msg_ + 1);
    if (inserted) raw_[++next_msg_] = id_json;
    return it->second;
  }

  // Sends a command and handles the child's messages up to its sync. False
  // when the stream ended. Throws when the run must fail. `id_json`: the
  // "id" member's JSON text.
  bool Command(const char* command, const std::string& id_json = "\"\"") {
    std::string msg = std::string("{\"command\": \"") + command + "\", \"id\": " + id_json + "}";
    std::string frame;
    AppendFrame(msg, &frame);
    while (true) {
      child_->Write(frame, false);
      std::string fault = Converse();
      if (fault.empty()) return !ended_;
      if (ended_) return false;
      Recover(fault);
      if (std::string(command) == "ack" || std::string(command) == "fail") return true;  // the new child never saw it
    }
  }

  // Reads until sync, waiting at most `timeout_ns` for each message (the
  // subprocess timeout when 0); returns "" or what went wrong.
  std::string Converse(int64_t timeout_ns = 0) {
    if (timeout_ns <= 0) timeout_ns = ctx_->subprocess_timeout_ns;
    while (true) {
      std::string json;
      auto r = peer_->reader().Read(&json, timeout_ns);
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
          exited_ = true;
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
          if (late_) {
            ctx_->shared->Log(peer_->label() +
                              " error: a tuple emitted after the end of its stream was dropped: " + Excerpt(json));
            continue;
          }
          std::string id = m.IdJson();
          if (ctx_->acking && !id.empty()) {
            uint64_t msg = MessageId(id);
            peer_->HandleEmit(m, child_.get(), {nullptr, &msg});
          } else {
            peer_->HandleEmit(m, child_.get());
            if (!id.empty()) ids_.push_back(id);
          }
          ++emits_;
        } else if (!peer_->HandleCommon(m)) {
          ctx_->shared->Log(peer_->label() + " warning: unknown command '" + m.command + "' ignored");
        }
      } catch (const ProtocolError& e) {
        return e.what();
      }
    }
  }

  // Tells a child that is still running that the spout stops (Storm's
  // deactivate), once, and waits for its sync (at most 2 s, or the
  // subprocess timeout if shorter). A fault now only ends it sooner.
  void Deactivate() {
    if (deactivated_ || exited_ || !child_) return;
    deactivated_ = true;
    std::string frame;
    AppendFrame("{\"command\": \"deactivate\", \"id\": \"\"}", &frame);
    child_->Write(frame, false);
    Converse(std::min(ctx_->subprocess_timeout_ns, kDeactivateWaitNs));
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
  static constexpr int kIdleWaitMs = 1;                        // Storm's topology.sleep.spout.wait.strategy.time.ms
  static constexpr int64_t kDeactivateWaitNs = 2'000'000'000;  // for a stopping spout's answer to deactivate

  std::vector<std::string> ids_;  // without acking: the ids (JSON text) to ack after this "next"
  int emits_ = 0;                 // in the current Next
  bool ended_ = false;
  bool exited_ = false;       // the child exited (nothing more can be said to it)
  bool deactivated_ = false;  // it was sent "deactivate"
  bool late_ = false;         // after the end of the stream (the destructor)
  // With acking: the child's message ids (JSON text) by message id, and back.
  std::unordered_map<uint64_t, std::string> raw_;
  std::unordered_map<std::string, uint64_t> by_raw_;
  uint64_t next_msg_ = 0;
};

}  // namespace

std::unique_ptr<rt::Spout> MakeShellSpout() {
  return std::make_unique<ShellSpout>();
}

}  // namespace smc::stdlib
