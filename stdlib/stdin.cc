// stdin(): reads standard input, one record per line.
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/formats.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec StdinSpec() {
  ComponentSpec s;
  s.name = "stdin";
  s.kind = ComponentKind::kSpout;
  s.summary = "reads standard input, one record per line, until it ends";
  s.params = {FormatParam("lines"), FieldsParam(), ReaderHeaderParam()};
  s.outputs = ReaderOutputs;
  s.outputs_doc = kReaderOutputsDoc;
  s.max_parallelism = 1;
  return s;
}

namespace {
class StdinSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    rt::ThrowIfDirectory(0, "standard input");
    reader_ = std::make_unique<RecordReader>(0, "standard input", ctx);
  }
  bool Next(rt::Emitter& out, const rt::SpoutControl& ctl) override { return reader_->Next(out, ctl); }

 private:
  std::unique_ptr<RecordReader> reader_;
};
}  // namespace

std::unique_ptr<rt::Spout> MakeStdinSpout() {
  return std::make_unique<StdinSpout>();
}

}  // namespace smc::stdlib
