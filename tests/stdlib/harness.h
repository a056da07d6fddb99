// The harness of the built-in components' unit tests (tests/stdlib/*.cc):
// a real plan supplies each component's Context (arguments with defaults,
// input fields, streams), a recording Emitter captures what it emits, and
// small builders make batches, topology texts and temporary files.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "dsl/parser.h"
#include "dsl/validator.h"
#include "runtime/component.h"
#include "runtime/outputs.h"
#include "runtime/plan.h"
#include "stdlib/builtins.h"

namespace smc::test {

using rt::Batch;
using rt::Datum;
using rt::Type;

// A validated, compiled one-topology file; contexts point into its plan.
class Topo {
 public:
  explicit Topo(const std::string& text) {
    auto src = std::make_shared<smc::SourceFile>("t.topo", text);
    smc::Diagnostics d;
    smc::ast::File f = smc::Parse(src, &d);
    REQUIRE_MESSAGE(!d.HasErrors(), smc::RenderAll(d));
    smc::Graph g = smc::Validate(f, smc::StandardCatalog(), {}, &d);
    REQUIRE_MESSAGE(!d.HasErrors(), smc::RenderAll(d));
    plan_ = smc::rt::Compile(g);
    REQUIRE(plan_.topologies.size() == 1);
  }
  const smc::rt::PlanComponent& Comp(const std::string& name) const {
    for (const auto& c : plan_.topologies[0].components) {
      if (c.name == name) return c;
    }
    FAIL("no component " << name);
    throw 0;
  }
  smc::rt::Context Ctx(const std::string& name, int instance = 0) const {
    const auto& c = Comp(name);
    smc::rt::Context ctx;
    ctx.component = c.name;
    ctx.location = c.location;
    ctx.instance = instance;
    ctx.parallelism = c.parallelism;
    ctx.args = &c.args;
    for (const auto& in : c.inputs) ctx.input_fields.push_back(in.fields);
    for (const auto& s : c.streams) {
      ctx.stream_names.push_back(s.name);
      ctx.stream_fields.push_back(s.fields);
    }
    ctx.base_dir = plan_.base_dir;
    ctx.tick_ns = c.tick_ns;
    return ctx;
  }

 private:
  smc::rt::Plan plan_;
};

// Shows a datum with its type, so that 1 and "1" differ: 1, "1", null, true, 1.5f.
inline std::string Show(const Datum& d) {
  switch (d.type) {
    case Type::kNull: return "null";
    case Type::kString: return "\"" + std::string(d.s) + "\"";
    case Type::kFloat: return d.ToText() + "f";
    default: return d.ToText();
  }
}

// Records every tuple as its fields' texts joined by '|', per stream.
class Recorder : public smc::rt::Emitter {
 public:
  explicit Recorder(const smc::rt::Context& ctx) : ctx_(ctx) {}
  void Emit(int stream, const Datum* v) override {
    REQUIRE(stream >= 0);
    REQUIRE(stream < static_cast<int>(ctx_.stream_fields.size()));
    std::string text, typed;
    for (size_t k = 0; k < ctx_.stream_fields[stream].size(); ++k) {
      text += (k ? "|" : "") + v[k].ToText();
      typed += (k ? "|" : "") + Show(v[k]);
    }
    (stream == 0 ? rows : other).push_back(text);
    typed_rows.push_back(typed);
  }
  void EmitDirect(int, int, const Datum*) override { ++direct; }
  void Error(std::string_view input, std::string_view reason) override {
    errors.push_back(std::string(input) + " => " + std::string(reason));
  }
  std::vector<std::string> Take() {
    std::vector<std::string> out;
    out.swap(rows);
    typed_rows.clear();
    return out;
  }
  std::vector<std::string> rows, other, typed_rows, errors;
  int direct = 0;

 private:
  const smc::rt::Context& ctx_;
};

inline std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A batch of one-field string tuples.
inline Batch Strings(const std::vector<std::string>& values) {
  Batch b(1);
  for (const std::string& s : values) {
    Datum d = Datum::Str(s);
    b.Append(&d);
  }
  return b;
}

inline Batch Ints(const std::vector<int64_t>& values) {
  Batch b(1);
  for (int64_t v : values) {
    Datum d = Datum::Int(v);
    b.Append(&d);
  }
  return b;
}

// A batch of two-field string tuples.
inline Batch Pairs(const std::vector<std::pair<std::string, std::string>>& values) {
  Batch b(2);
  for (const auto& [x, y] : values) {
    Datum d[2] = {Datum::Str(x), Datum::Str(y)};
    b.Append(d);
  }
  return b;
}

// Topology texts with one bolt `b` under test.
inline std::string LinesInto(const std::string& bolt, const std::string& settings = "") {
  return "topology t {\n spout s = stdin()\n bolt b = " + bolt + " <- s shuffle " + settings +
         "\n sink o = null() <- b shuffle\n}\n";
}
inline std::string TsvInto(const std::string& bolt, const std::string& fields = "\"k\", \"v\"") {
  return "topology t {\n spout s = stdin(format: \"tsv\", fields: [" + fields + "])\n bolt b = " + bolt +
         " <- s shuffle\n sink o = null() <- b shuffle\n}\n";
}
inline std::string IntsInto(const std::string& bolt) {
  return "topology t {\n spout s = generate()\n bolt b = " + bolt + " <- s shuffle\n sink o = null() <- b shuffle\n}\n";
}

// Runs a bolt over batches and returns its default-stream rows (Finish included).
struct BoltRun {
  Topo topo;
  smc::rt::Context ctx;
  std::unique_ptr<smc::rt::Component> c;
  Recorder rec;
  BoltRun(const std::string& text, std::unique_ptr<smc::rt::Component> comp, int instance = 0)
      : topo(text), ctx(topo.Ctx("b", instance)), c(std::move(comp)), rec(ctx) {
    c->Open(ctx);
  }
  void Run(const Batch& b) { c->Execute(b, 0, rec); }
};

// A control that never stops; its wake fd never becomes readable.
class Control : public smc::rt::SpoutControl {
 public:
  Control() { REQUIRE(::pipe(fds_) == 0); }
  ~Control() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  bool Stopping() const override { return false; }
  int WakeFd() const override { return fds_[0]; }

 private:
  int fds_[2];
};

// Runs a spout until it is exhausted (at most `max_calls` calls to Next).
inline void Drain(smc::rt::Spout& s, Recorder& rec, int max_calls = 100000) {
  Control ctl;
  int calls = 0;
  while (s.Next(rec, ctl)) REQUIRE(++calls < max_calls);
}

inline std::filesystem::path TempDir() {
  static std::filesystem::path dir = [] {
    char tmpl[] = "/tmp/smc-stdlib-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    return std::filesystem::path(tmpl);
  }();
  return dir;
}

inline std::string WriteTemp(const std::string& name, const std::string& content) {
  std::filesystem::path p = TempDir() / name;
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Reads `content` with a file spout of the given format and fields.
struct ReadResult {
  std::vector<std::string> rows, typed, errors;
};
inline ReadResult ReadWith(const std::string& content, const std::string& args, const std::string& name = "in.txt") {
  std::string path = WriteTemp(name, content);
  Topo topo("topology t {\n spout s = file(path: \"" + path + "\"" + args + ")\n sink o = null() <- s shuffle\n}\n");
  smc::rt::Context ctx = topo.Ctx("s");
  auto spout = smc::stdlib::MakeFileSpout();
  spout->Open(ctx);
  Recorder rec(ctx);
  Drain(*spout, rec);
  return {rec.rows, rec.typed_rows, rec.errors};
}

}  // namespace smc::test
