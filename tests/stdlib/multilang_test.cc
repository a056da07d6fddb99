// Unit tests of the pure part of the multi-lang protocol (stdlib/multilang.h):
// messages framed by "end" lines (CRLF allowed), the bound on a message's
// size, and a child's emitted JSON values as datums (stdlib/formats.h).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include "stdlib/formats.h"
#include "stdlib/multilang.h"
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
