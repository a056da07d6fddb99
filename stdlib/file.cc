// file(path): reads a file as a spout, or writes one as a sink.
#include <fcntl.h>
#include <glob.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/outputs.h"
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/formats.h"
#include "stdlib/gzip_input.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec FileSpoutSpec() {
  ComponentSpec s;
  s.name = "file";
  s.kind = ComponentKind::kSpout;
  s.summary = "reads a file, one record per line, until its end";
  s.params = {Required("path", ParamType::kString,
                       "the file to read, relative to the .topo file's folder (\"x.gz\": gzip; a glob such as "
                       "\"logs/*.jsonl\": each match in order)"),
              FormatParam("lines"), FieldsParam(), ReaderHeaderParam()};
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
  s.params = {Required("path", ParamType::kString,
                       "the file to write (created or truncated), relative to the .topo file's folder"),
              FormatParam("tsv"), WriterHeaderParam()};
  s.outputs = WriterArgsCheck;
  s.max_parallelism = 1;
  return s;
}

namespace {
bool HasGlob(const std::string& path) {
  return path.find_first_of("*?[") != std::string::npos;
}

// The files a path names: itself, or the matches of a glob pattern in
// sorted order (directories among them skipped). No match is an error.
std::vector<std::string> Expand(const std::string& path) {
  if (!HasGlob(path)) return {path};
  glob_t g{};
  // A folder of the pattern that does not exist matches nothing; one that
  // cannot be read is an error, not a silent gap in the input.
  static thread_local std::string unreadable;
  unreadable.clear();
  auto on_error = [](const char* dir, int e) {
    if (e == ENOENT || e == ENOTDIR) return 0;
    unreadable = std::string("'") + dir + "': " + std::strerror(e);
    return 1;
  };
  int rc = ::glob(path.c_str(), GLOB_MARK, on_error, &g);
  std::vector<std::string> files;
  for (size_t i = 0; rc == 0 && i < g.gl_pathc; ++i) {
    std::string f = g.gl_pathv[i];
    if (!f.empty() && f.back() != '/') files.push_back(std::move(f));
  }
  ::globfree(&g);
  if (rc == GLOB_NOMATCH || (rc == 0 && files.empty())) {
    if (::access(path.c_str(), F_OK) == 0) return {path};  // a file named with '*', '?' or '['
    throw rt::IoError("no file matches '" + path + "'");
  }
  if (rc != 0) {
    throw rt::IoError("cannot list the files matching '" + path + "'" +
                      (unreadable.empty() ? std::string(": out of memory") : ": cannot read " + unreadable));
  }
  return files;
}

// Reads each file in turn; a file ending ".gz" is decompressed. Each file is
// read as a whole: its own last line, its own csv header.
class FileSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    files_ = Expand(ctx.PathArg("path"));
    OpenFile(files_[0]);
  }
  bool Next(rt::Emitter& out, const rt::SpoutControl& ctl) override {
    if (reader_->Next(out, ctl)) return true;
    if (ctl.Stopping() || ++next_ == files_.size()) return false;
    OpenFile(files_[next_]);
    return true;
  }

 private:
  void OpenFile(const std::string& path) {
    reader_.reset();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw rt::IoError("cannot open '" + path + "': " + std::strerror(errno));
    try {
      rt::ThrowIfDirectory(fd, "'" + path + "'");
    } catch (...) {
      ::close(fd);
      throw;
    }
    reader_ = std::make_unique<RecordReader>(fd, "'" + path + "'", *ctx_, IsGzipPath(path));
  }

  const rt::Context* ctx_ = nullptr;
  std::vector<std::string> files_;
  size_t next_ = 0;
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
