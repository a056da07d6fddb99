// shell(command): a subprocess speaking Apache Storm's multi-lang protocol.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <unordered_set>

#include "runtime/plan.h"
#include "stdlib/builtins.h"
#include "stdlib/child.h"
#include "stdlib/formats.h"
#include "stdlib/multilang.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

namespace {
ComponentSpec ShellSpec(ComponentKind kind) {
  ComponentSpec s;
  s.name = "shell";
  s.kind = kind;
  s.summary = kind == ComponentKind::kSpout ? "a spout written in any language (Storm multi-lang protocol)"
                                            : "a bolt written in any language (Storm multi-lang protocol)";
  s.params = {Required("command", ParamType::kString,
                       "the command line, split like a shell would; run in the .topo file's folder")};
  s.outputs_doc = "as declared with '->'";
  s.outputs_from_arrow = true;
  return s;
}
}  // namespace

ComponentSpec ShellSpoutSpec() { return ShellSpec(ComponentKind::kSpout); }
ComponentSpec ShellBoltSpec() { return ShellSpec(ComponentKind::kBolt); }

}  // namespace smc::stdlib

// ---- behaviour -------------------------------------------------------------------

namespace smc::stdlib {
namespace {

const char* LogLevel(int level) {
  static const char* const kNames[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"};
  return level >= 0 && level <= 4 ? kNames[level] : "INFO";
}

// What a multi-lang child may send, parsed. Throws std::runtime_error on a
// malformed message.
struct ChildMessage {
  rapidjson::Document doc;
  std::string command;

  explicit ChildMessage(const std::string& json) {
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError()) {
      std::string text = json.substr(0, 200);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      for (char& c : text) {
        if (c == '\n') c = ' ';
      }
      throw std::runtime_error("sent malformed JSON (" + std::string(rapidjson::GetParseError_En(doc.GetParseError())) +
                               " at byte " + std::to_string(doc.GetErrorOffset()) + "): " + text);
    }
    if (!doc.IsObject()) throw std::runtime_error("sent a message that is not a JSON object: " + json.substr(0, 200));
    auto it = doc.FindMember("command");
    if (it != doc.MemberEnd() && it->value.IsString()) command = it->value.GetString();
  }
  std::string Id() const {
    auto it = doc.FindMember("id");
    if (it == doc.MemberEnd()) return "";
    if (it->value.IsString()) return it->value.GetString();
    if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
    if (it->value.IsUint64()) return std::to_string(it->value.GetUint64());
    return "";
  }
};

// The part of shell spouts and bolts that speaks to one child.
class ShellBase {
 protected:
  ShellBase() = default;

  // Starts a child and completes the handshake; throws with the reason.
  std::unique_ptr<Child> Launch(Child::Written written) {
    std::vector<std::string> argv;
    std::string error;
    if (!rt::SplitCommandLine(ctx_->StringArg("command"), &argv, &error)) throw std::runtime_error(error);
    auto child = std::make_unique<Child>(*ctx_, argv, std::move(written));
    if (!child->Start(&error)) throw std::runtime_error(error);
    std::error_code ec;
    pid_dir_ = std::filesystem::temp_directory_path() / ("smc-pids-" + std::to_string(::getpid()) + "-" +
                                                         std::to_string(ctx_->task_id));
    std::filesystem::create_directories(pid_dir_, ec);
    std::string hello;
    AppendFrame(HandshakeJson(*ctx_, pid_dir_.string()), &hello);
    child->Write(std::move(hello), false);
    reader_ = std::make_unique<FrameReader>(child->stdout_fd());
    std::string json;
    auto r = reader_->Read(&json, ctx_->subprocess_timeout_ns);
    if (r != FrameReader::Result::kMessage) {
      std::string why = r == FrameReader::Result::kTimeout ? "did not answer the handshake within the subprocess timeout"
                                                            : "ended before answering the handshake";
      throw std::runtime_error(Describe(child.get(), why));
    }
    ChildMessage m(json);
    auto pid = m.doc.FindMember("pid");
    if (pid == m.doc.MemberEnd() || !pid->value.IsInt64()) {
      throw std::runtime_error(Describe(child.get(), "answered the handshake without its pid: " + json.substr(0, 200)));
    }
    return child;
  }

  ~ShellBase() {
    std::error_code ec;
    if (!pid_dir_.empty()) std::filesystem::remove_all(pid_dir_, ec);
  }

  std::string Describe(Child* child, const std::string& what) {
    child->DrainStderr();
    std::string err = child->LastStderr();
    return "subprocess " + child->Describe() + " " + what + (err.empty() ? "" : "; last stderr: " + err);
  }

  // Handles log, error and metrics; returns false for other commands.
  bool HandleCommon(const ChildMessage& m, const std::string& label) {
    if (m.command == "log") {
      auto msg = m.doc.FindMember("msg");
      auto level = m.doc.FindMember("level");
      int lv = level != m.doc.MemberEnd() && level->value.IsInt() ? level->value.GetInt() : 2;
      ctx_->shared->Log(label + " " + LogLevel(lv) + ": " +
                       (msg != m.doc.MemberEnd() && msg->value.IsString() ? msg->value.GetString() : ""));
      return true;
    }
    if (m.command == "error") {
      auto msg = m.doc.FindMember("msg");
      std::string text = msg != m.doc.MemberEnd() && msg->value.IsString() ? msg->value.GetString() : "";
      ctx_->shared->Log(label + " error: " + text);
      ctx_->shared->Error("", text);
      return true;
    }
    return m.command == "metrics";
  }

  // Converts an emit's tuple; throws when it does not fit the stream.
  int ReadEmit(const ChildMessage& m, std::vector<rt::Datum>* values, std::vector<std::string>* scratch) {
    auto s = m.doc.FindMember("stream");
    std::string stream = s != m.doc.MemberEnd() && s->value.IsString() ? s->value.GetString() : "default";
    int index = ctx_->Stream(stream);
    if (index < 0) throw std::runtime_error("emitted on stream '" + stream + "', which is not declared with '->'");
    auto t = m.doc.FindMember("tuple");
    if (t == m.doc.MemberEnd() || !t->value.IsArray()) throw std::runtime_error("emitted without a tuple array");
    const auto& arr = t->value.GetArray();
    size_t width = ctx_->stream_fields[index].size();
    if (arr.Size() != width) {
      throw std::runtime_error("emitted " + std::to_string(arr.Size()) + " values on stream '" + stream +
                               "', which has " + std::to_string(width) + " fields");
    }
    values->resize(width);
    scratch->resize(width);
    for (size_t k = 0; k < width; ++k) (*values)[k] = JsonDatum(arr[k], &(*scratch)[k]);
    return index;
  }

  static bool NeedTaskIds(const ChildMessage& m) {
    auto it = m.doc.FindMember("need_task_ids");
    return it == m.doc.MemberEnd() || !it->value.IsBool() || it->value.GetBool();
  }

  static std::string TaskIdsFrame(const std::vector<int>& tasks) {
    std::string json = "[";
    for (size_t i = 0; i < tasks.size(); ++i) json += (i ? ", " : "") + std::to_string(tasks[i]);
    std::string out;
    AppendFrame(json + "]", &out);
    return out;
  }

  int64_t Backoff(int attempt) const {
    return std::min<int64_t>(100'000'000LL << std::min(attempt, 6), 5'000'000'000LL);
  }

  const rt::Context* ctx_ = nullptr;  // set by Open
  std::unique_ptr<FrameReader> reader_;
  std::filesystem::path pid_dir_;
};

// ---- bolts -----------------------------------------------------------------------

// Tuples go to the child from Execute through the child's writer thread; a
// reader thread handles what the child sends. After each batch a heartbeat
// tuple follows: the child's sync for it shows the whole batch was processed
// (the batch stops counting as pending, for backpressure) and, at the end,
// that everything was. A child that dies is restarted and the batches it had
// not confirmed are sent again (at least once), or the run fails.
class ShellBolt : public rt::Component, ShellBase {
 public:
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    label_ = "[" + ctx.component + "#" + std::to_string(ctx.instance) + "]";
    for (const rt::PlanInput& in : ctx.topology->components[ctx.component_index].inputs) {
      const rt::PlanComponent& src = ctx.topology->components[in.source];
      sources_.push_back({src.name, src.streams[in.stream].name, ctx.first_task[in.source]});
    }
    child_ = Launch(nullptr);
    reader_thread_ = std::thread([this] { ReaderLoop(); });
  }

  ~ShellBolt() override {
    stop_.store(true);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (child_) child_->Stop();
    }
    if (reader_thread_.joinable()) reader_thread_.join();
  }

  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    if (dead_.load()) {
      for (size_t t = 0; t < b.size(); ++t) out.Error(TupleText(b, t), "the subprocess failed");
      return;
    }
    const Source& src = sources_[input];
    std::string chunk;
    chunk.reserve(b.size() * 64);
    for (size_t t = 0; t < b.size(); ++t) {
      std::string id = std::to_string(++next_id_);
      AppendTupleJson(id, src.component, src.stream, src.task, b, t, &chunk);
      chunk.append("\nend\n");
    }
    uint64_t first = next_id_ - b.size() + 1;
    {
      std::lock_guard<std::mutex> lock(ids_mu_);
      outstanding_.insert(first, next_id_);
    }
    SendWithBarrier(std::move(chunk), /*hold=*/true, first, next_id_);
  }

  // Ticks reach the child as Storm's tick tuples.
  void Tick(rt::Emitter&) override {
    if (dead_.load()) return;
    std::string chunk;
    AppendFrame("{\"id\": \"tick\", \"comp\": \"__system\", \"stream\": \"__tick\", \"task\": -1, \"tuple\": [" +
                    std::to_string(std::max<int64_t>(1, ctx_->tick_ns / 1'000'000'000)) + "]}",
                &chunk);
    SendWithBarrier(std::move(chunk), /*hold=*/false);
  }

  // At the end: once the child has confirmed every tuple, its standard input
  // is closed so that it can emit what it still holds and exit.
  void Finish(rt::Emitter&) override {
    finishing_.store(true);
    std::lock_guard<std::mutex> lock(mu_);
    if (unsynced_.empty()) CloseInput();
  }
  bool Done() const override { return dead_.load() || ended_.load(); }

 private:
  struct Source {
    std::string component, stream;
    int task;
  };
  struct Unsynced {
    std::string chunk;  // the tuples and the heartbeat that ends them
    bool hold;
    uint64_t first_id = 0, last_id = 0;  // the tuple ids in it (none when first_id is 0)
  };
  // Tuple ids handed out and not yet acked or failed, as ranges.
  class IdRanges {
   public:
    void insert(uint64_t first, uint64_t last) {
      for (uint64_t i = first; i <= last; ++i) ids_.insert(i);
    }
    bool erase(uint64_t id) { return ids_.erase(id) > 0; }

   private:
    std::unordered_set<uint64_t> ids_;
  };

  static std::string TupleText(const rt::Batch& b, size_t t) {
    std::string s;
    for (int k = 0; k < b.width(); ++k) {
      if (k) s += '\t';
      b.Get(t, k).AppendText(&s);
    }
    return s;
  }

  // Called with mu_ held.
  void CloseInput() {
    if (closing_ns_ != 0) return;
    closing_ns_ = Now();
    child_->CloseInputWhenDone();
  }

  void SendWithBarrier(std::string chunk, bool hold, uint64_t first_id = 0, uint64_t last_id = 0) {
    AppendFrame("{\"id\": \"-1\", \"comp\": null, \"stream\": \"__heartbeat\", \"task\": -1, \"tuple\": []}", &chunk);
    std::lock_guard<std::mutex> lock(mu_);
    if (hold) ctx_->shared->Hold(1);
    unsynced_.push_back({chunk, hold, first_id, last_id});
    last_barrier_ns_ = Now();
    child_->Write(std::move(chunk), false);
  }

  static int64_t Now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  void ReaderLoop() {
    std::vector<rt::Datum> values;
    std::vector<std::string> scratch;
    std::vector<int> tasks;
    int64_t last_heard = Now();
    while (!stop_.load()) {
      std::string json;
      auto r = reader_->Read(&json, 100'000'000);
      if (stop_.load()) return;
      std::string fault;
      int64_t closing;
      {
        std::lock_guard<std::mutex> lock(mu_);
        closing = closing_ns_;
      }
      if (closing && (r == FrameReader::Result::kEof || r == FrameReader::Result::kError ||
                      Now() - closing > kExitWaitNs)) {
        ended_.store(true);  // it has exited, or had its chance to emit what it held
        ctx_->shared->Wake();
        return;
      }
      if (r == FrameReader::Result::kTimeout) {
        bool waiting;
        {
          std::lock_guard<std::mutex> lock(mu_);
          waiting = !unsynced_.empty();
          // Like Storm, a heartbeat about once a second keeps an idle child checked.
          if (!waiting && closing_ns_ == 0 && Now() - last_barrier_ns_ > 1'000'000'000) {
            std::string hb;
            AppendFrame("{\"id\": \"-1\", \"comp\": null, \"stream\": \"__heartbeat\", \"task\": -1, \"tuple\": []}",
                        &hb);
            unsynced_.push_back({hb, false});
            last_barrier_ns_ = Now();
            child_->Write(std::move(hb), false);
          }
        }
        if (!waiting || Now() - last_heard < ctx_->subprocess_timeout_ns) continue;
        fault = "fell silent for longer than the subprocess timeout (" +
                Value::Duration(ctx_->subprocess_timeout_ns).ToText() + ")";
      } else if (r == FrameReader::Result::kEof || r == FrameReader::Result::kError) {
        int status = 0;
        child_->process()->Wait(200'000'000, &status);
        fault = "died (" + rt::Subprocess::DescribeStatus(status) + ")";
      } else {
        last_heard = Now();
        try {
          Handle(json, &values, &scratch, &tasks);
          continue;
        } catch (const std::runtime_error& e) {
          fault = e.what();
        }
      }
      if (!Recover(fault)) return;
      last_heard = Now();
    }
  }

  void Handle(const std::string& json, std::vector<rt::Datum>* values, std::vector<std::string>* scratch,
              std::vector<int>* tasks) {
    ChildMessage m(json);
    if (m.command == "emit") {
      int stream = ReadEmit(m, values, scratch);
      auto direct = m.doc.FindMember("task");
      if (direct != m.doc.MemberEnd() && direct->value.IsInt()) {
        ctx_->shared->EmitDirect(stream, direct->value.GetInt(), values->data());
        return;
      }
      tasks->clear();
      bool need = NeedTaskIds(m);
      ctx_->shared->Emit(stream, values->data(), need ? tasks : nullptr);
      // The child waits for the reply. Only this thread replaces child_, so
      // it needs no lock here, and a child slow to read blocks no one else.
      if (need) child_->WriteNow(TaskIdsFrame(*tasks));
    } else if (m.command == "ack" || m.command == "fail") {
      std::string id = m.Id();
      bool known;
      {
        std::lock_guard<std::mutex> lock(ids_mu_);
        char* end = nullptr;
        uint64_t n = std::strtoull(id.c_str(), &end, 10);
        known = !id.empty() && *end == 0 && outstanding_.erase(n);
      }
      if (!known) {
        ctx_->shared->Log(label_ + " error: " + m.command + " of an unknown or already acked tuple id '" + id + "'");
        ctx_->shared->Error(id, m.command + " of an unknown or already acked tuple id");
      } else if (m.command == "fail") {
        ctx_->shared->Error(id, "failed by the bolt");
      }
    } else if (m.command == "sync") {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (unsynced_.empty()) return;  // an extra sync: harmless
        if (unsynced_.front().hold) ctx_->shared->Hold(-1);
        unsynced_.pop_front();
        if (unsynced_.empty() && finishing_.load()) CloseInput();
      }
    } else if (!HandleCommon(m, label_)) {
      ctx_->shared->Log(label_ + " warning: unknown command '" + m.command + "' ignored");
    }
  }

  // After a fault: restart the child and resend what it had not confirmed, or
  // fail the run. Returns false when the reader should stop.
  bool Recover(const std::string& fault) {
    std::string message;
    {
      std::lock_guard<std::mutex> lock(mu_);
      message = Describe(child_.get(), fault);
    }
    bool give_up = ctx_->on_failure == "fail" || restarts_ >= ctx_->max_restarts;
    if (give_up) {
      std::lock_guard<std::mutex> lock(mu_);
      dead_.store(true);
      for (const Unsynced& u : unsynced_) {
        if (u.hold) ctx_->shared->Hold(-1);
      }
      unsynced_.clear();
      ctx_->shared->Fail(message);
      ctx_->shared->Wake();
      return false;
    }
    ++restarts_;
    ctx_->shared->Log("smc: warning: " + std::string(KindName(ComponentKind::kBolt)) + " '" + ctx_->component + "' (" +
                     ctx_->location + ") instance " + std::to_string(ctx_->instance) + ": " + message +
                     "; restarting it (" + std::to_string(restarts_) + " of " + std::to_string(ctx_->max_restarts) +
                     ")");
    std::this_thread::sleep_for(std::chrono::nanoseconds(Backoff(restarts_ - 1)));
    try {
      std::unique_ptr<Child> old;
      {
        std::lock_guard<std::mutex> lock(mu_);
        old = std::move(child_);
      }
      old->Stop();
      auto fresh = Launch(nullptr);
      std::lock_guard<std::mutex> lock(mu_);
      child_ = std::move(fresh);
      for (const Unsynced& u : unsynced_) {
        child_->Write(u.chunk, false);  // at least once
        if (u.first_id != 0) {
          std::lock_guard<std::mutex> ids_lock(ids_mu_);
          outstanding_.insert(u.first_id, u.last_id);  // the new child acks them again
        }
      }
      last_barrier_ns_ = Now();
    } catch (const std::runtime_error& e) {
      std::lock_guard<std::mutex> lock(mu_);
      dead_.store(true);
      for (const Unsynced& u : unsynced_) {
        if (u.hold) ctx_->shared->Hold(-1);
      }
      unsynced_.clear();
      ctx_->shared->Fail(e.what());
      ctx_->shared->Wake();
      return false;
    }
    return true;
  }

  static constexpr int64_t kExitWaitNs = 2'000'000'000;  // for a child to exit after its input closed

  std::string label_;
  std::vector<Source> sources_;
  int64_t closing_ns_ = 0;  // when its input was closed; 0: not yet
  std::atomic<bool> ended_{false};
  mutable std::mutex mu_;  // child_, unsynced_
  std::unique_ptr<Child> child_;
  std::deque<Unsynced> unsynced_;
  int64_t last_barrier_ns_ = 0;
  std::mutex ids_mu_;
  IdRanges outstanding_;
  uint64_t next_id_ = 0;
  int restarts_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> dead_{false};
  std::atomic<bool> finishing_{false};
  std::thread reader_thread_;
};

// ---- spouts ------------------------------------------------------------------------

// Synchronous, as in Storm: "next", then emits until "sync". Emits with an id
// are acked once delivered to the graph (smc does not track tuple trees). The
// stream ends when the child exits with status 0, or answers a "next" with
// {"command": "sync", "done": true}.
class ShellSpout : public rt::Spout, ShellBase {
 public:
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    label_ = "[" + ctx.component + "#" + std::to_string(ctx.instance) + "]";
    child_ = Launch(nullptr);
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
  // when the stream ended.
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
      Recover(fault);  // throws when the run must fail
      if (std::string(command) == "ack") return true;  // the new child never saw that tuple
    }
  }

  // Reads until sync; returns "" or what went wrong.
  std::string Converse() {
    std::vector<rt::Datum> values;
    std::vector<std::string> scratch;
    std::vector<int> tasks;
    while (true) {
      std::string json;
      auto r = reader_->Read(&json, ctx_->subprocess_timeout_ns);
      if (r == FrameReader::Result::kTimeout) {
        return "did not answer within the subprocess timeout (" + Value::Duration(ctx_->subprocess_timeout_ns).ToText() + ")";
      }
      if (r != FrameReader::Result::kMessage) {
        int status = 0;
        child_->process()->Wait(200'000'000, &status);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
          ended_ = true;  // a clean exit ends the stream
          return "exited";
        }
        return "died (" + rt::Subprocess::DescribeStatus(status) + ")";
      }
      try {
        ChildMessage m(json);
        if (m.command == "sync") {
          auto done = m.doc.FindMember("done");
          if (done != m.doc.MemberEnd() && done->value.IsBool() && done->value.GetBool()) ended_ = true;
          return "";
        }
        if (m.command == "emit") {
          int stream = ReadEmit(m, &values, &scratch);
          auto direct = m.doc.FindMember("task");
          if (direct != m.doc.MemberEnd() && direct->value.IsInt()) {
            ctx_->shared->EmitDirect(stream, direct->value.GetInt(), values.data());
          } else {
            tasks.clear();
            bool need = NeedTaskIds(m);
            ctx_->shared->Emit(stream, values.data(), need ? &tasks : nullptr);
            if (need) child_->WriteNow(TaskIdsFrame(tasks));
          }
          std::string id = m.Id();
          if (!id.empty()) ids_.push_back(id);
        } else if (!HandleCommon(m, label_)) {
          ctx_->shared->Log(label_ + " warning: unknown command '" + m.command + "' ignored");
        }
      } catch (const std::runtime_error& e) {
        return e.what();
      }
    }
  }

  void Recover(const std::string& fault) {
    std::string message = Describe(child_.get(), fault);
    if (ctx_->on_failure == "fail" || restarts_ >= ctx_->max_restarts) throw std::runtime_error(message);
    ++restarts_;
    ctx_->shared->Log("smc: warning: spout '" + ctx_->component + "' (" + ctx_->location + ") instance " +
                      std::to_string(ctx_->instance) + ": " + message + "; restarting it (" +
                      std::to_string(restarts_) + " of " + std::to_string(ctx_->max_restarts) + ")");
    std::this_thread::sleep_for(std::chrono::nanoseconds(Backoff(restarts_ - 1)));
    child_->Stop();
    child_ = Launch(nullptr);
    Command("activate");
  }

  std::string label_;
  std::unique_ptr<Child> child_;
  std::vector<std::string> ids_;
  bool ended_ = false;
  int restarts_ = 0;
};

}  // namespace

std::unique_ptr<rt::Component> MakeShellBolt() { return std::make_unique<ShellBolt>(); }
std::unique_ptr<rt::Spout> MakeShellSpout() { return std::make_unique<ShellSpout>(); }

}  // namespace smc::stdlib
