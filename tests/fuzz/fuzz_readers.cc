// libFuzzer entry point for the data readers: the first input byte picks
// lines, tsv, csv or json (the RecordReader of stdin/file) or parse_json; the
// rest is the untrusted data, read as a file would be (through a memfd, so
// reads split it at 64 KB boundaries as they would a file).
//
// Anything ASan/UBSan/libFuzzer reports (crash, leak, UB, timeout, a blown
// RSS limit) is a bug: every record must end as a tuple or an error.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "dsl/diagnostic.h"
#include "dsl/parser.h"
#include "dsl/source.h"
#include "dsl/validator.h"
#include "runtime/component.h"
#include "runtime/plan.h"
#include "stdlib/builtins.h"
#include "stdlib/formats.h"

namespace {

volatile size_t g_sink = 0;

const char* const kTopology = R"(topology t {
  spout l = stdin()
  spout t = stdin(format: "tsv", fields: ["a", "b", "c"])
  spout c = stdin(format: "csv", fields: ["a", "b", "c"])
  spout j = stdin(format: "json", fields: ["a", "b", "c"])
  bolt  p = parse_json(fields: ["a", "b", "c"]) <- l shuffle
  sink  o = null() <- t shuffle, c shuffle, j shuffle, p shuffle
})";

// Touches every value so that views into freed memory show up under ASan.
class Touch : public smc::rt::Emitter {
 public:
  explicit Touch(const smc::rt::Context& ctx) : ctx_(ctx) {}
  void Emit(int stream, const smc::rt::Datum* v) override {
    if (stream < 0 || stream >= static_cast<int>(ctx_.stream_fields.size())) __builtin_trap();
    for (size_t k = 0; k < ctx_.stream_fields[stream].size(); ++k) {
      for (char ch : v[k].s) g_sink = g_sink + static_cast<unsigned char>(ch);
      g_sink = g_sink + static_cast<size_t>(v[k].i);
    }
  }
  void EmitDirect(int, int, const smc::rt::Datum*) override { __builtin_trap(); }
  void Error(std::string_view input, std::string_view reason) override {
    g_sink = g_sink + input.size() + reason.size();
  }

 private:
  const smc::rt::Context& ctx_;
};

class NeverStop : public smc::rt::SpoutControl {
 public:
  NeverStop() {
    if (::pipe(fds_) != 0) __builtin_trap();
  }
  bool Stopping() const override { return false; }
  int WakeFd() const override { return fds_[0]; }

 private:
  int fds_[2];
};

struct Fixture {
  smc::rt::Plan plan;
  std::vector<smc::rt::Context> ctx;  // l, t, c, j, p
  NeverStop control;
  Fixture() {
    auto src = std::make_shared<smc::SourceFile>("fuzz.topo", kTopology);
    smc::Diagnostics d;
    smc::ast::File f = smc::Parse(src, &d);
    smc::Graph g = smc::Validate(f, smc::StandardCatalog(), {}, &d);
    if (d.HasErrors()) __builtin_trap();
    plan = smc::rt::Compile(g);
    for (const char* name : {"l", "t", "c", "j", "p"}) {
      for (const auto& c : plan.topologies[0].components) {
        if (c.name != name) continue;
        smc::rt::Context x;
        x.component = c.name;
        x.args = &c.args;
        for (const auto& in : c.inputs) x.input_fields.push_back(in.fields);
        for (const auto& s : c.streams) {
          x.stream_names.push_back(s.name);
          x.stream_fields.push_back(s.fields);
        }
        ctx.push_back(std::move(x));
      }
    }
    if (ctx.size() != 5) __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fx = new Fixture();
  if (size == 0) return 0;
  const int which = data[0] % 5;
  const char* body = reinterpret_cast<const char*>(data + 1);
  const size_t len = size - 1;

  if (which == 4) {  // parse_json: each line a JSON text
    const smc::rt::Context& ctx = fx->ctx[4];
    auto bolt = smc::stdlib::MakeParseJson();
    bolt->Open(ctx);
    Touch out(ctx);
    smc::rt::Batch b(1);
    std::string_view rest(body, len);
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      smc::rt::Datum d = smc::rt::Datum::Str(rest.substr(0, nl));
      b.Append(&d);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
    bolt->Execute(b, 0, out);
    return 0;
  }

  int fd = ::memfd_create("fuzz-input", MFD_CLOEXEC);
  if (fd < 0) __builtin_trap();
  for (size_t done = 0; done < len;) {
    ssize_t n = ::write(fd, body + done, len - done);
    if (n <= 0) __builtin_trap();
    done += static_cast<size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  const smc::rt::Context& ctx = fx->ctx[which];
  smc::stdlib::RecordReader reader(fd, "fuzz input", ctx);  // closes fd
  Touch out(ctx);
  for (int calls = 0; reader.Next(out, fx->control); ++calls) {
    if (calls > 1000000) __builtin_trap();  // a reader that never ends
  }
  return 0;
}
