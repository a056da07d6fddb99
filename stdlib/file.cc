// file(path): reads a file as a spout, or writes one as a sink.
#include <fcntl.h>
#include <cerrno>
#include <cstring>
#include "runtime/outputs.h"
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/formats.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec FileSpoutSpec() {
  ComponentSpec s;
  s.name = "file";
  s.kind = ComponentKind::kSpout;
  s.summary = "reads a file, one record per line, until its end";
  s.params = {Required("path", ParamType::kString, "the file to read, relative to the working directory"),
              FormatParam("lines"), FieldsParam()};
  s.outputs = ReaderOutputs;
  s.outputs_doc = kReaderOutputsDoc;
  s.max_parallelism = 1;
  return s;
}

ComponentSpec FileSinkSpec() {
  ComponentSpec s;
  s.name = "file";
  s.kind = ComponentKind::kSink;
  s.summary = "writes every tuple it receives to a file, one per line";
  s.params = {Required("path", ParamType::kString, "the file to write (created or truncated)"), FormatParam("tsv")};
  s.max_parallelism = 1;
  return s;
}

namespace {
class FileSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    std::string path = ctx.StringArg("path");
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw rt::IoError("cannot open '" + path + "': " + std::strerror(errno));
    try {
      rt::ThrowIfDirectory(fd, "'" + path + "'");
    } catch (...) {
      ::close(fd);
      throw;
    }
    reader_ = std::make_unique<RecordReader>(fd, "'" + path + "'", ctx);
  }
  bool Next(rt::Emitter& out, const rt::SpoutControl& ctl) override { return reader_->Next(out, ctl); }

 private:
  std::unique_ptr<RecordReader> reader_;
};
}  // namespace

std::unique_ptr<rt::Spout> MakeFileSpout() {
  return std::make_unique<FileSpout>();
}
std::unique_ptr<rt::Component> MakeFileSink() {
  return std::make_unique<WriterSink>(/*to_file=*/true);
}

}  // namespace smc::stdlib
