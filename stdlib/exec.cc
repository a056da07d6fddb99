// exec(command): a long-running line filter per instance.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "runtime/stop.h"
#include "stdlib/builtins.h"
#include "stdlib/child.h"
#include "stdlib/component_helpers.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec ExecSpec() {
  ComponentSpec s;
  s.name = "exec";
  s.kind = ComponentKind::kBolt;
  s.summary = "pipes each tuple's first field as a line through a command; each output line is a tuple";
  s.params = {Required("command", ParamType::kString, "the command line, run by /bin/sh in the .topo file's folder"),
              Optional("ok_status", ParamType::kIntList, Value::List({Value::Int(0)}),
                       "exit statuses that count as success (such as [0, 1] for grep); any other is a failure"),
              Optional("buffered", ParamType::kBool, Value::Bool(false),
                       "let the command block-buffer its output (by default it runs under stdbuf -oL when "
                       "coreutils' stdbuf is installed, so that grep, sed or awk pass each line on at once)")};
  s.outputs = FixedOutputs({{"default", {"line"}}, ErrorsStream()});
  s.outputs_doc = "(line); errors(input, reason) when the command fails";
  return s;
}

TaskSpec ExecTaskSpec() {
  TaskSpec s;
  s.name = "exec";
  s.summary = "runs a command once; the task fails when it exits non-zero";
  s.params = {Required("command", ParamType::kString, "the command line, run by /bin/sh")};
  return s;
}

TaskSpec RunTaskSpec() {
  TaskSpec s;
  s.name = "run";
  s.summary = "runs a .topo file as `smc run` would";
  s.params = {Required("path", ParamType::kString, "the .topo file to run"),
              Optional("stdin", ParamType::kString, "a file to read as standard input"),
              Optional("stdout", ParamType::kString, "a file to write standard output to"),
              Optional("params", ParamType::kStringList, "NAME=VALUE overrides")};
  return s;
}

}  // namespace smc::stdlib

// ---- behaviour ------------------------------------------------------------------

namespace smc::stdlib {
namespace {

// One long-running `/bin/sh -c COMMAND` per instance. Each tuple's first
// field goes in as a line (through the child's writer thread); each line it
// writes comes out as (line), in order. A batch stops counting as pending once
// written, so a filter that reads slowly slows the spouts instead of filling
// memory; one that writes nothing for a while (sort) just waits.
//
// A command that exits with a status outside ok_status, or is killed by a
// signal, has failed: on.failure applies. A restart sends the new command
// every line written to the failed one (at least once) and then the rest;
// when more than kReplayBytes were written to it, they cannot all be sent
// again and the run fails instead. A command that exits successfully before
// its input ended has the lines it never read reported on the errors stream.
//
// Threads: Execute/Finish (the runtime's) and the reader thread share child_
// and the replay buffer under mu_; only the reader thread replaces the child,
// and while it does child_ is null and chunks wait in waiting_.
class ExecBolt : public rt::Component {
 public:
  // Nothing of its own to move on rebalance (a subprocess starts afresh).
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kStateless, {}}; }
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    policy_ = std::make_unique<RestartPolicy>(ctx, ComponentKind::kBolt);
    for (const Value& v : ctx.Arg("ok_status").list) ok_status_.push_back(static_cast<int>(v.num));
    std::string error;
    child_ = NewChild();
    if (!child_->Start(&error)) throw std::runtime_error(error);
    reader_ = std::thread([this] { ReaderMain(); });
  }

  // Never stops a Child while holding mu_: stopping joins its writer
  // thread, whose Written callback takes mu_.
  ~ExecBolt() override {
    stop_.store(true);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (child_) child_->process()->Kill(SIGKILL);  // the reader sees the output end
    }
    if (reader_.joinable()) reader_.join();
    if (child_) child_->Stop();  // the reader is gone: child_ is ours alone
  }

  void Execute(const rt::Batch& b, int, rt::Emitter& out) override {
    std::string chunk;
    for (size_t t = 0; t < b.size(); ++t) {
      std::string_view s = TextOf(b.Get(t, 0), &text_);
      size_t start = chunk.size();
      chunk.append(s);
      for (size_t i = start; i < chunk.size(); ++i) {
        if (chunk[i] == '\n' || chunk[i] == '\r') chunk[i] = ' ';  // one tuple, one line
      }
      chunk.push_back('\n');
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!broken_.load()) {
        ctx_->shared->Hold(1);
        if (child_) {
          child_->Write(std::move(chunk), true);
        } else {
          waiting_.push_back(std::move(chunk));  // a restart is under way
        }
        return;
      }
    }
    for (size_t t = 0; t < b.size(); ++t) out.Error(TextOf(b.Get(t, 0), &text_), Unread());
  }

  void Finish(rt::Emitter&) override {
    std::lock_guard<std::mutex> lock(mu_);
    finishing_ = true;
    if (child_) child_->CloseInputWhenDone();
  }
  bool Done() const override { return output_ended_.load(); }

 private:
  static constexpr size_t kReplayBytes = size_t{16} << 20;

  std::unique_ptr<Child> NewChild() {
    std::vector<std::string> argv = {"/bin/sh", "-c", ctx_->StringArg("command")};
    // A filter writing into a pipe block-buffers: line-buffer it (and the
    // commands its shell starts: stdbuf works through the environment).
    static const std::string stdbuf = FindStdbuf();
    if (!stdbuf.empty() && ctx_->Arg("buffered").num == 0) argv.insert(argv.begin(), {stdbuf, "-oL"});
    return std::make_unique<Child>(*ctx_, std::move(argv),
                                   [this](bool ok, const std::string& chunk) { Written(ok, chunk); });
  }

  // coreutils' stdbuf on PATH (then /usr/bin), or "" when there is none.
  static std::string FindStdbuf() {
    const char* path = std::getenv("PATH");
    std::string dirs = (path && *path ? std::string(path) + ":" : std::string()) + "/usr/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::string dir = dirs.substr(start, end - start);
      if (!dir.empty() && dir[0] == '/') {
        std::string candidate = dir + "/stdbuf";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      }
      start = end + 1;
    }
    return "";
  }

  // The child's writer thread: a chunk was written (kept for a restart), or
  // could not be (kept to be sent again or reported).
  void Written(bool ok, const std::string& chunk) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (ok) {
        replay_.push_back(chunk);
        replay_bytes_ += chunk.size();
        while (replay_bytes_ > kReplayBytes && !replay_.empty()) {
          replay_bytes_ -= replay_.front().size();
          replay_.pop_front();
          replay_lost_ = true;
        }
      } else {
        unwritten_.push_back(chunk);
      }
    }
    ctx_->shared->Hold(-1);
  }

  std::string Unread() const {
    return failed_.load() ? "the command failed before reading this line"
                          : "the command exited before reading this line";
  }

  // Lines the command never read go to the errors stream, never lost silently.
  void ReportUnwritten() {
    std::deque<std::string> chunks;
    int held = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      chunks.swap(unwritten_);
      for (std::string& c : waiting_) chunks.push_back(std::move(c));
      held = static_cast<int>(waiting_.size());  // held in Execute, never written
      waiting_.clear();
    }
    if (held) ctx_->shared->Hold(-held);
    std::string reason = Unread();
    for (const std::string& chunk : chunks) {
      size_t start = 0, nl;
      while ((nl = chunk.find('\n', start)) != std::string::npos) {
        ctx_->shared->Error(std::string_view(chunk).substr(start, nl - start), reason);
        start = nl + 1;
      }
    }
  }

  std::string Prefix() const {
    return "bolt '" + ctx_->component + "' (" + ctx_->location + ") instance " + std::to_string(ctx_->instance) + ": ";
  }

  bool StatusOk(int status) const {
    if (WIFSIGNALED(status)) return WTERMSIG(status) == SIGPIPE;  // its output's reader went away: `yes | head`
    if (!WIFEXITED(status)) return false;
    return std::find(ok_status_.begin(), ok_status_.end(), WEXITSTATUS(status)) != ok_status_.end();
  }

  void ReaderMain() {
    try {
      while (ReadOutput()) {
      }
    } catch (const std::exception& e) {
      ctx_->shared->Fail(Prefix() + "internal error: " + e.what());
    } catch (...) {
      ctx_->shared->Fail(Prefix() + "internal error: an unknown exception");
    }
    output_ended_.store(true);
    ctx_->shared->Wake();
  }

  // Emits the current command's output until it ends; then decides. True
  // when a new command was started (read again).
  bool ReadOutput() {
    int fd = child_->stdout_fd();
    std::string buf;
    char chunk[65536];
    while (true) {
      ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
      size_t start = 0, nl;
      while ((nl = buf.find('\n', start)) != std::string::npos) {
        std::string_view line(buf.data() + start, nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        rt::Datum d = rt::Datum::Str(line);
        ctx_->shared->Emit(0, &d, nullptr);
        start = nl + 1;
      }
      buf.erase(0, start);
    }
    if (!buf.empty()) {
      rt::Datum d = rt::Datum::Str(buf);
      ctx_->shared->Emit(0, &d, nullptr);
    }
    if (stop_.load()) return false;
    int status = 0;
    child_->DrainStderr();
    bool exited = child_->process()->Wait(2'000'000'000, &status);
    std::string err = child_->LastStderr();
    std::string what =
        "command " + child_->Describe() + " " +
        (exited ? rt::Subprocess::DescribeStatus(status) : "closed its standard output while still running") +
        (err.empty() ? "" : "; last stderr: " + err);
    if (exited && StatusOk(status)) {
      if (!child_->input_closed()) {  // it ended before its input did
        SetBroken();
        ctx_->shared->Log("smc: warning: " + Prefix() + "command " + child_->Describe() +
                          " ended before its input; lines written to it that it had not read are lost, and "
                          "the rest go to the errors stream");
        child_->Stop();  // what was still queued is reported now
        ReportUnwritten();
      }
      return false;
    }
    return Recover(what);
  }

  // The command failed: restart it and send again what it may not have
  // processed, or fail the run. True when a new command runs.
  bool Recover(const std::string& what) {
    bool replayable;
    {
      std::lock_guard<std::mutex> lock(mu_);
      replayable = !replay_lost_;
    }
    if (!replayable || !policy_->Allow(what)) {
      return GiveUp(what + (replayable ? ""
                                       : "; it cannot be restarted: more than " + std::to_string(kReplayBytes >> 20) +
                                             " MiB had been written to it"));
    }
    std::unique_ptr<Child> old;
    {
      std::lock_guard<std::mutex> lock(mu_);
      old = std::move(child_);
    }
    old->Stop();  // what it never got lands in unwritten_
    old.reset();
    auto fresh = NewChild();
    std::string error;
    if (!fresh->Start(&error)) return GiveUp(what + "; restarting it failed: " + error);
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_.load()) {
      lock.unlock();
      fresh->Stop();
      return false;
    }
    // At least once: everything written to the failed command, then what it
    // never got, then what came during the restart, in order.
    std::deque<std::string> again;
    again.swap(replay_);
    replay_bytes_ = 0;
    for (std::string& c : unwritten_) again.push_back(std::move(c));
    unwritten_.clear();
    size_t held = again.size();  // every chunk but those of waiting_ (held already) is held again
    for (std::string& c : waiting_) again.push_back(std::move(c));
    waiting_.clear();
    child_ = std::move(fresh);
    if (held) ctx_->shared->Hold(static_cast<int>(held));
    for (std::string& c : again) child_->Write(std::move(c), true);
    if (finishing_) child_->CloseInputWhenDone();
    return true;
  }

  // From now on Execute reports its tuples instead of sending them.
  void SetBroken() {
    std::lock_guard<std::mutex> lock(mu_);
    broken_.store(true);
  }

  bool GiveUp(const std::string& what) {
    failed_.store(true);
    SetBroken();
    if (child_) child_->Stop();  // only this thread replaces child_; what it never got lands in unwritten_
    ReportUnwritten();
    ctx_->shared->Fail(what);
    return false;
  }

  const rt::Context* ctx_ = nullptr;
  std::unique_ptr<RestartPolicy> policy_;
  std::vector<int> ok_status_;
  std::thread reader_;

  std::mutex mu_;  // child_, waiting_, unwritten_, replay_*, finishing_
  std::unique_ptr<Child> child_;
  std::deque<std::string> waiting_;    // chunks that came while the command was being replaced
  std::deque<std::string> unwritten_;  // chunks the command never got
  std::deque<std::string> replay_;     // chunks written to the current command
  size_t replay_bytes_ = 0;
  bool replay_lost_ = false;  // replay_ no longer holds everything written
  bool finishing_ = false;

  std::atomic<bool> stop_{false};
  std::atomic<bool> broken_{false};
  std::atomic<bool> failed_{false};
  std::atomic<bool> output_ended_{false};
  std::string text_;
};

}  // namespace

std::unique_ptr<rt::Component> MakeExecBolt() {
  return std::make_unique<ExecBolt>();
}

}  // namespace smc::stdlib
