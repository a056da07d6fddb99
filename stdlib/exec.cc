// exec(command): a long-running line filter per instance.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

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
  s.params = {Required("command", ParamType::kString, "the command line, run by /bin/sh in the .topo file's folder")};
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
// memory; one that exits early has the rest of its input reported on the
// errors stream; one that writes nothing for a while (sort) just waits.
class ExecBolt : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    std::string command = ctx.StringArg("command");
    child_ = std::make_unique<Child>(ctx, std::vector<std::string>{"/bin/sh", "-c", command},
                                     [this](bool ok, const std::string& chunk) {
                                       if (!ok) {
                                         broken_.store(true);
                                         ReportUnread(chunk);
                                       }
                                       ctx_->shared->Hold(-1);
                                     });
    std::string error;
    if (!child_->Start(&error)) throw std::runtime_error(error);
    reader_ = std::thread([this] { ReadLoop(); });
  }

  ~ExecBolt() override {
    if (child_) child_->Stop();
    if (reader_.joinable()) reader_.join();
  }

  void Execute(const rt::Batch& b, int, rt::Emitter& out) override {
    if (broken_.load()) {
      for (size_t t = 0; t < b.size(); ++t) {
        out.Error(TextOf(b.Get(t, 0), &text_), "the command exited before reading this line");
      }
      return;
    }
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
    ctx_->shared->Hold(1);
    child_->Write(std::move(chunk), true);
  }

  void Finish(rt::Emitter&) override {
    finishing_.store(true);
    child_->CloseInputWhenDone();
  }
  bool Done() const override { return output_ended_.load(); }

 private:
  // Lines the command never read go to the errors stream, never lost silently.
  void ReportUnread(const std::string& chunk) {
    size_t start = 0, nl;
    while ((nl = chunk.find('\n', start)) != std::string::npos) {
      ctx_->shared->Error(std::string_view(chunk).substr(start, nl - start),
                          "the command exited before reading this line");
      start = nl + 1;
    }
  }

  void ReadLoop() {
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
    int status = 0;
    child_->DrainStderr();
    if (child_->process()->Wait(2'000'000'000, &status) && !(WIFEXITED(status) && WEXITSTATUS(status) == 0) &&
        !(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE)) {
      std::string err = child_->LastStderr();
      ctx_->shared->Log("smc: warning: bolt '" + ctx_->component + "' (" + ctx_->location + ") instance " +
                        std::to_string(ctx_->instance) + ": command " + child_->Describe() + " " +
                        rt::Subprocess::DescribeStatus(status) + (err.empty() ? "" : "; last stderr: " + err));
    }
    if (!child_->input_closed()) {  // it ended before its input did
      broken_.store(true);
      ctx_->shared->Log("smc: warning: bolt '" + ctx_->component + "' (" + ctx_->location + ") instance " +
                        std::to_string(ctx_->instance) + ": command " + child_->Describe() +
                        " ended before its input; lines written to it that it had not read are lost, and "
                        "the rest go to the errors stream");
    }
    output_ended_.store(true);
    ctx_->shared->Wake();
  }

  const rt::Context* ctx_ = nullptr;
  std::unique_ptr<Child> child_;
  std::thread reader_;
  std::atomic<bool> broken_{false};
  std::atomic<bool> finishing_{false};
  std::atomic<bool> output_ended_{false};
  std::string text_;
};

}  // namespace

std::unique_ptr<rt::Component> MakeExecBolt() { return std::make_unique<ExecBolt>(); }

}  // namespace smc::stdlib
