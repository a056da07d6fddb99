// stdout(): writes tuples to standard output.
#include <cstdio>

#include "runtime/outputs.h"
#include "runtime/plan.h"
#include "runtime/setting_defaults.h"
#include "stdlib/builtins.h"
#include "stdlib/formats.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec StdoutSpec() {
  ComponentSpec s;
  s.name = "stdout";
  s.kind = ComponentKind::kSink;
  s.summary = "writes every tuple it receives to standard output, one per line";
  s.params = {FormatParam("tsv"), WriterHeaderParam()};
  s.outputs = WriterArgsCheck;
  return s;
}

WriterSink::WriterSink(bool to_file) : to_file_(to_file) {}
WriterSink::~WriterSink() = default;

void WriterSink::Open(const rt::Context& ctx) {
  formatter_ = std::make_unique<RecordFormatter>(ctx.StringArg("format"), ctx);
  what_ = "sink '" + ctx.component + "' (" + ctx.location + ")";
  writer_ = to_file_ ? ctx.outputs->File(ctx.PathArg("path"), ctx.linger_ns) : ctx.outputs->Stdout(ctx.linger_ns);
  // The header goes to the writer now, before any instance writes a row
  // (instances of one sink share its writer); it is written once.
  if (auto h = ctx.args->find("header"); h != ctx.args->end() && h->second.num != 0 && ctx.instance == 0) {
    formatter_->AppendHeader(&buffer_);
    Flush();
  }
}

// Every batch goes to the writer, which holds it for batch.linger and writes
// bursts in large blocks (runtime/writer.h): output streams.
void WriterSink::Execute(const rt::Batch& b, int input, rt::Emitter&) {
  for (size_t t = 0; t < b.size(); ++t) formatter_->Append(b, t, input, &buffer_);
  Flush();
}

void WriterSink::Tick(rt::Emitter&) {
  Flush();
}
void WriterSink::Finish(rt::Emitter&) {
  Flush();
  // Said once, at the end, so that the count is complete and not a flood.
  if (size_t n = formatter_->replaced_utf8()) {
    std::fprintf(stderr, "smc: warning: %s replaced %zu byte%s of invalid UTF-8 with U+FFFD in its JSON output\n",
                 what_.c_str(), n, n == 1 ? "" : "s");
  }
  if (size_t n = formatter_->non_finite()) {
    std::fprintf(stderr, "smc: warning: %s wrote %zu NaN or infinite number%s as null in its JSON output\n",
                 what_.c_str(), n, n == 1 ? "" : "s");
  }
}

void WriterSink::Flush() {
  if (buffer_.empty()) return;
  writer_->Write(std::move(buffer_));
  buffer_.clear();
}

std::unique_ptr<rt::Component> MakeStdoutSink() {
  return std::make_unique<WriterSink>(/*to_file=*/false);
}

}  // namespace smc::stdlib
