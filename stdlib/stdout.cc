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
  acker_ = ctx.acking ? ctx.acker : nullptr;
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
  if (acker_) KeepAcks(b);
  Flush();
}

// The batch's acks as the acker takes them: one update per run of tuples of
// one tree (they usually come together), applied after the write.
void WriterSink::KeepAcks(const rt::Batch& b) {
  if (!b.tracked()) return;
  for (size_t t = 0; t < b.size(); ++t) {
    const rt::TupleTrack& k = b.track(t);
    const uint64_t* r = b.roots(t);
    for (uint32_t i = 0; i < k.root_count; ++i) {
      if (!acks_.empty() && acks_.back().root == r[i]) {
        acks_.back().value ^= k.edge;
      } else {
        acks_.push_back({r[i], k.edge});
      }
    }
  }
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
  if (buffer_.empty() && acks_.empty()) return;
  std::function<void()> written;
  if (!acks_.empty()) {
    written = [acker = acker_, acks = std::move(acks_)]() mutable { acker->Apply(&acks); };
    acks_.clear();
  }
  writer_->Write(std::move(buffer_), std::move(written));
  buffer_.clear();
}

std::unique_ptr<rt::Component> MakeStdoutSink() {
  return std::make_unique<WriterSink>(/*to_file=*/false);
}

}  // namespace smc::stdlib
