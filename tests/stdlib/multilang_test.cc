// Unit tests of the pure part of the multi-lang protocol (stdlib/multilang.h):
// messages framed by "end" lines (CRLF allowed), the bound on a message's
// size, and a child's emitted JSON values as datums (stdlib/formats.h).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include "stdlib/formats.h"
#include "stdlib/multilang.h"
#include "tests/plan_util.h"
#include "tests/stdlib/harness.h"

using namespace smc::test;  // the harness's helpers, in every test below
using smc::stdlib::FrameBuffer;
using smc::stdlib::FrameReader;
using smc::stdlib::kMaxFrameBytes;

TEST_CASE("multilang frames: a message ends at a line that is exactly \"end\"; bytes may come one at a time") {
  const std::string stream = "{\"a\": \"end\"}\nend\n[1]\n endx\nend \nend\n";
  FrameBuffer f;
  std::vector<std::string> got;
  std::string json;
  for (char c : stream) {
    f.Append(std::string_view(&c, 1));
    while (f.Take(&json)) got.push_back(json);
  }
  CHECK(got == std::vector<std::string>{"{\"a\": \"end\"}\n", "[1]\n endx\nend \n"});
  CHECK(f.partial().empty());
}

TEST_CASE("multilang frames: CRLF line ends (a Windows-style child) frame messages as LF does") {
  FrameBuffer f;
  std::string json;
  f.Append("{\"command\": \"sync\"}\r\nend\r\n{\"command\": \"emit\", \"tuple\": [1]}\r\nend\r\n{\"half\"");
  REQUIRE(f.Take(&json));
  CHECK(json == "{\"command\": \"sync\"}\r\n");
  smc::stdlib::ChildMessage first(json);
  CHECK(first.command == "sync");
  REQUIRE(f.Take(&json));
  CHECK(smc::stdlib::ChildMessage(json).command == "emit");
  CHECK_FALSE(f.Take(&json));
  CHECK(f.partial() == "{\"half\"");
}

namespace {
// Reads the first message of a file holding `content` bytes of 'x' and an
// "end" line, through FrameReader (a regular file: full 64 KiB reads, so the
// last read brings the message's last bytes and its "end" line together).
FrameReader::Result ReadFrameOf(size_t content, std::string* json) {
  std::string path = WriteTemp("frame.txt", std::string(content, 'x') + "\nend\n");
  int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  FrameReader r(fd);
  FrameReader::Result res = r.Read(json, -1);
  ::close(fd);
  std::remove(path.c_str());
  return res;
}
}  // namespace

TEST_CASE("multilang frames: a message of exactly kMaxFrameBytes is read; one byte more is kTooLarge") {
  // The message is its text up to the "end" line, newline included.
  std::string json;
  CHECK(ReadFrameOf(kMaxFrameBytes - 1, &json) == FrameReader::Result::kMessage);
  CHECK(json.size() == kMaxFrameBytes);
  json.clear();
  CHECK(ReadFrameOf(kMaxFrameBytes, &json) == FrameReader::Result::kTooLarge);
  CHECK(ReadFrameOf(kMaxFrameBytes + 100000, &json) == FrameReader::Result::kTooLarge);
}

TEST_CASE("multilang data: a child's JSON values as datums; integers beyond int64 keep their digits") {
  rapidjson::Document d;
  d.Parse(
      "[18446744073709551615, 9223372036854775808, 9223372036854775807, -9223372036854775808, 1.5, \"s\", true, "
      "null, {\"a\": [1]}]");
  REQUIRE(d.IsArray());
  std::vector<std::string> got;
  for (const auto& v : d.GetArray()) {
    std::string scratch;
    got.push_back(Show(smc::stdlib::JsonDatum(v, &scratch)));
  }
  CHECK(got == std::vector<std::string>{"\"18446744073709551615\"", "\"9223372036854775808\"", "9223372036854775807",
                                        "-9223372036854775808", "1.5f", "\"s\"", "true", "null", "\"{\"a\":[1]}\""});
}

TEST_CASE("multi-lang: lists and maps stay JSON from a child's tuple, through a batch, to the next child") {
  rapidjson::Document doc;
  doc.Parse(R"([1, ["a", {"b": null}], {"k": [2]}, "[1]"])");
  REQUIRE(doc.IsArray());
  std::vector<std::string> scratch(4);
  std::vector<Datum> v;
  for (rapidjson::SizeType k = 0; k < 4; ++k) v.push_back(smc::stdlib::JsonDatum(doc[k], &scratch[k]));
  CHECK(!v[0].json);
  CHECK((v[1].type == Type::kString && v[1].json && v[1].s == R"(["a",{"b":null}])"));
  CHECK((v[2].type == Type::kString && v[2].json && v[2].s == R"({"k":[2]})"));
  CHECK((v[3].type == Type::kString && !v[3].json));  // a string that looks like a list stays a string
  Batch b(4);
  b.Append(v.data());
  Batch copy(4);
  copy.AppendAll(b);
  std::string out;
  smc::stdlib::AppendTupleJson("7", "s", "default", 3, copy, 0, &out);
  CHECK(
      out ==
      R"({"id": "7", "comp": "s", "stream": "default", "task": 3, "tuple": [1, ["a",{"b":null}], {"k":[2]}, "[1]"]})");
  CHECK(copy.Get(0, 1).ToText() == R"(["a",{"b":null}])");  // built-ins see the text
}

TEST_CASE("multi-lang: the handshake's conf: the Storm keys smc knows, then topology.* and conf.* settings") {
  smc::rt::Plan plan = smc::test::PlanOf(
      "topology t {\n set topology.debug = true\n set conf.db.url = \"x\"\n spout s = shell(\"x\") -> (n)\n"
      " bolt b = shell(\"y\") x2 <- s shuffle -> (n) { tick = 2s, topology.debug = false, conf.wait = 1500ms,"
      " topology.tick.tuple.freq.secs = 9 }\n sink o = null() <- b shuffle\n}\n");
  smc::rt::Context ctx;
  ctx.topology = smc::rt::ViewOf(plan.topologies[0], 1);
  ctx.tick_ns = 2'000'000'000;
  CHECK(smc::stdlib::ConfJson(ctx, 10'000'000'000) ==
        R"({"db.url": "x", "topology.acker.executors": 0, "topology.debug": false, )"
        R"("topology.max.spout.pending": 8, "topology.message.timeout.secs": 10, "topology.name": "t", )"
        R"("topology.subprocess.timeout.secs": 30, "topology.tick.tuple.freq.secs": 9, "topology.workers": 1, )"
        R"("wait": 1.5})");
  ctx.topology = smc::rt::ViewOf(plan.topologies[0], 0);  // the spout: the topology's settings only, no tick
  ctx.tick_ns = 0;
  CHECK(smc::stdlib::ConfJson(ctx, 30'000'000'000) ==
        R"({"db.url": "x", "topology.acker.executors": 0, "topology.debug": true, )"
        R"("topology.max.spout.pending": 8, "topology.message.timeout.secs": 30, "topology.name": "t", )"
        R"("topology.subprocess.timeout.secs": 30, "topology.workers": 1})");
}
