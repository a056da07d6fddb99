// Unit tests of the readers and writers: the file spout (stdin shares its
// code) and the file sink, through runtime/outputs.h; CSV round trips.
#include <doctest/doctest.h>

#include <random>

#include "tests/stdlib/harness.h"

using namespace smc::test;  // the harness's helpers, in every test below

// ---- readers (file spout; stdin shares the code) ----------------------------

TEST_CASE("file spout, lines: one tuple per line; CR stripped; blank lines kept; a last line without newline") {
  ReadResult r = ReadWith("a\nb\r\n\n  c d \nlast", "");
  CHECK(r.rows == std::vector<std::string>{"a", "b", "", "  c d ", "last"});
  CHECK(r.errors.empty());
  CHECK(ReadWith("", "").rows.empty());
}

TEST_CASE("file spout, lines: long lines across read chunks stay whole") {
  std::string big(3 << 20, 'x');
  ReadResult r = ReadWith("s\n" + big + "\ne\n", "");
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0] == "s");
  CHECK(r.rows[1] == big);
  CHECK(r.rows[2] == "e");
}

TEST_CASE("file spout, tsv: columns as strings; wrong widths go to Error") {
  ReadResult r = ReadWith("1\t2\n\n3\n4\t5\t6\n\t\r\nx y\tz", ", format: \"tsv\", fields: [\"a\", \"b\"]");
  CHECK(r.typed == std::vector<std::string>{"\"1\"|\"2\"", "\"\"|\"\"", "\"x y\"|\"z\""});
  CHECK(r.errors == std::vector<std::string>{"3 => expected 2 tab-separated fields, got 1",
                                             "4\t5\t6 => expected 2 tab-separated fields, got 3"});
}

TEST_CASE("file spout, csv: quoting, doubled quotes, trailing comma; malformed rows go to Error") {
  ReadResult r = ReadWith("x,\"y,z\",\"q\"\"r\"\na,b,\n,,\n\"a\"x,b,c\n1,2\n1,2,3,4\nst\"ray,b,c\n\"open,b,c\n",
                          ", format: \"csv\", fields: [\"a\", \"b\", \"c\"]");
  CHECK(r.rows == std::vector<std::string>{"x|y,z|q\"r", "a|b|", "||"});
  CHECK(r.errors == std::vector<std::string>{"\"a\"x,b,c => unexpected text after a quoted field",
                                             "1,2 => expected 3 comma-separated fields, got 2",
                                             "1,2,3,4 => expected 3 comma-separated fields, got 4",
                                             "st\"ray,b,c => a quote inside an unquoted field",
                                             "\"open,b,c\n => unterminated quoted field"});
}

TEST_CASE("file spout, csv: quoted fields hold newlines and CRLFs (RFC 4180); a stray quote swallows nothing") {
  ReadResult r = ReadWith("\"a\nb\",\"c\r\nd\"\"\n\"\r\n\"\",\"\"\r\nx\"y,z\nlast,one",
                          ", format: \"csv\", fields: [\"a\", \"b\"]");
  CHECK(r.rows == std::vector<std::string>{"a\nb|c\r\nd\"\n", "|", "last|one"});
  CHECK(r.errors == std::vector<std::string>{"x\"y,z => a quote inside an unquoted field"});
}

TEST_CASE("file spout, json: keys with their types, missing null, nested as JSON; bad lines go to Error") {
  ReadResult r = ReadWith("{\"b\": \"x\", \"a\": 1}\n{\"a\": {\"z\": [1]}}\n[1]\n{bad\n{\"a\": 2.5, \"b\": false}\n",
                          ", format: \"json\", fields: [\"a\", \"b\"]");
  CHECK(r.typed == std::vector<std::string>{"1|\"x\"", "\"{\"z\":[1]}\"|null", "2.5f|false"});
  CHECK(r.errors == std::vector<std::string>{"[1] => not a JSON object",
                                             "{bad => invalid JSON at byte 1: Missing a name for object member."});
}

TEST_CASE("file spout, json: a deep record goes to Error and the records after it come out") {
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  ReadResult r = ReadWith("{\"a\": 1}\n" + deep + "\n{\"a\": 2}\n", ", format: \"json\", fields: [\"a\"]");
  CHECK(r.rows == std::vector<std::string>{"1", "2"});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0] == deep + " => invalid JSON: nested deeper than 128 levels");
}

TEST_CASE("file spout: a missing file fails Open with the path and the reason") {
  Topo topo(
      "topology t {\n spout s = file(path: \"/nonexistent/smc-missing.txt\")\n sink o = null() <- s shuffle\n}\n");
  smc::rt::Context ctx = topo.Ctx("s");
  auto s = smc::stdlib::MakeFileSpout();
  CHECK_THROWS_WITH(s->Open(ctx), "cannot open '/nonexistent/smc-missing.txt': No such file or directory");
}

// ---- writers (file sink, through runtime/outputs.h) ------------------------

namespace {
// The file sink `o` of topology `text`, with outputs of its own; Open is
// left to the test.
struct SinkRun {
  Topo topo;
  smc::rt::Context ctx;
  smc::rt::Outputs outputs;
  std::unique_ptr<smc::rt::Component> sink = smc::stdlib::MakeFileSink();
  Recorder rec;
  explicit SinkRun(const std::string& text) : topo(text), ctx(topo.Ctx("o")), rec(ctx) { ctx.outputs = &outputs; }
  // Finish and close; whether every output was written.
  bool Close() {
    sink->Finish(rec);
    outputs.CloseAll();
    return outputs.Failed() == nullptr;
  }
};

// Five mixed fields written by a file sink in `format`.
std::string WriteMixed(const std::string& format) {
  std::string path = (TempDir() / ("out-" + format + ".txt")).string();
  std::string text =
      "topology t {\n spout s = stdin()\n bolt p = parse_json(fields: [\"k\", \"n\", \"z\", \"b\", \"f\"]) <- s "
      "shuffle\n"
      " sink o = file(path: \"" +
      path + "\", format: \"" + format + "\") <- p shuffle\n}\n";
  Batch b(5);
  Datum t1[5] = {Datum::Str("plain"), Datum::Int(-3), Datum::Null(), Datum::Bool(true), Datum::Float(1.5)};
  Datum t2[5] = {Datum::Str("a\tb\\c\nd\re"), Datum::Int(0), Datum::Str(""), Datum::Bool(false), Datum::Float(-0.25)};
  Datum t3[5] = {Datum::Str("has,comma"), Datum::Str("say \"hi\""), Datum::Str("x\ny"), Datum::Str("ctl\x01"),
                 Datum::Str("caf\xc3\xa9")};
  b.Append(t1);
  b.Append(t2);
  b.Append(t3);
  SinkRun r(text);
  r.sink->Open(r.ctx);
  r.sink->Execute(b, 0, r.rec);
  CHECK(r.Close());
  return ReadAll(path);
}
}  // namespace

TEST_CASE("file sink, tsv: tabs, newlines, CRs and backslashes escaped; null empty") {
  CHECK(WriteMixed("tsv") ==
        "plain\t-3\t\ttrue\t1.5\n"
        "a\\tb\\\\c\\nd\\re\t0\t\tfalse\t-0.25\n"
        "has,comma\tsay \"hi\"\tx\\ny\tctl\x01\tcaf\xc3\xa9\n");
}

TEST_CASE("file sink, csv: fields with commas, quotes or newlines quoted, quotes doubled") {
  CHECK(WriteMixed("csv") ==
        "plain,-3,,true,1.5\n"
        "\"a\tb\\c\nd\re\",0,,false,-0.25\n"
        "\"has,comma\",\"say \"\"hi\"\"\",\"x\ny\",ctl\x01,caf\xc3\xa9\n");
}

TEST_CASE("file sink, json: one object per line keyed by field, strings escaped, types kept") {
  CHECK(WriteMixed("json") ==
        "{\"k\": \"plain\", \"n\": -3, \"z\": null, \"b\": true, \"f\": 1.5}\n"
        "{\"k\": \"a\\tb\\\\c\\nd\\re\", \"n\": 0, \"z\": \"\", \"b\": false, \"f\": -0.25}\n"
        "{\"k\": \"has,comma\", \"n\": \"say \\\"hi\\\"\", \"z\": \"x\\ny\", \"b\": \"ctl\\u0001\", \"f\": "
        "\"caf\xc3\xa9\"}\n");
}

TEST_CASE("file sink: a path that cannot be opened fails Open with the reason") {
  std::string dir = TempDir().string();
  SinkRun r("topology t {\n spout s = stdin()\n sink o = file(path: \"" + dir + "\") <- s shuffle\n}\n");
  CHECK_THROWS_WITH(r.sink->Open(r.ctx), ("cannot open '" + dir + "' for writing: Is a directory").c_str());
}

TEST_CASE("file sink: large output is written whole, in order") {
  std::string path = (TempDir() / "big.txt").string();
  SinkRun r("topology t {\n spout s = generate()\n sink o = file(path: \"" + path +
            "\", format: \"lines\") <- s shuffle\n}\n");
  r.sink->Open(r.ctx);
  std::string expect;
  for (int chunk = 0; chunk < 20; ++chunk) {
    std::vector<int64_t> v;
    for (int i = 0; i < 5000; ++i) {
      v.push_back(chunk * 5000 + i);
      expect += std::to_string(chunk * 5000 + i) + "\n";
    }
    r.sink->Execute(Ints(v), 0, r.rec);
  }
  CHECK(r.Close());
  CHECK(ReadAll(path) == expect);
}

TEST_CASE("csv: what the file sink writes the file spout reads back identically (randomised, fixed seed)") {
  std::mt19937 rng(20261201);
  const std::string alphabet = "ab,\"\n\r \t\\x\xc3\xa9";
  for (int width : {1, 2, 5}) {
    std::string path = (TempDir() / ("rt-" + std::to_string(width) + ".csv")).string();
    std::string fields;
    for (int k = 0; k < width; ++k) fields += std::string(k ? ", " : "") + "\"f" + std::to_string(k) + "\"";
    SinkRun sr("topology t {\n spout s = stdin(format: \"csv\", fields: [" + fields + "])\n sink o = file(path: \"" +
               path + "\", format: \"csv\") <- s shuffle\n}\n");
    sr.sink->Open(sr.ctx);
    std::vector<std::string> expect;
    std::vector<std::string> cells(width);
    Batch b(width);
    for (int t = 0; t < 2000; ++t) {
      std::string row;
      std::vector<Datum> d(width);
      for (int k = 0; k < width; ++k) {
        cells[k].clear();
        int len = static_cast<int>(rng() % 6);
        for (int i = 0; i < len; ++i) cells[k] += alphabet[rng() % alphabet.size()];
        row += (k ? "|" : "") + cells[k];
        d[k] = Datum::Str(cells[k]);
      }
      b.Append(d.data());
      expect.push_back(row);
    }
    sr.sink->Execute(b, 0, sr.rec);
    CHECK(sr.Close());
    std::string written = ReadAll(path);
    ReadResult r = ReadWith(written, ", format: \"csv\", fields: [" + fields + "]");
    CHECK(r.errors.empty());
    CHECK(r.rows == expect);
  }
}
