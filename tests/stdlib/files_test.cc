// Unit tests of the readers and writers: the file spout (stdin shares its
// code) and the file sink, through runtime/outputs.h; CSV round trips.
#include <doctest/doctest.h>

#include <zlib.h>

#include <filesystem>
#include <fstream>
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

TEST_CASE("file spout, csv and tsv: typed columns; an empty cell is null; a bad cell goes to Error") {
  ReadResult r = ReadWith("1,2.5,true,x\n-7,,false,\n+3,1e3,,y\nabc,1,true,z\n1,2.5x,true,z\n1,2,yes,z\n",
                          ", format: \"csv\", fields: [\"n:int\", \"f:float\", \"b:bool\", \"s:string\"]");
  CHECK(r.typed == std::vector<std::string>{"1|2.5f|true|\"x\"", "-7|null|false|\"\"", "3|1000f|null|\"y\""});
  CHECK(r.errors == std::vector<std::string>{"abc,1,true,z => column 'n': 'abc' is not an integer",
                                             "1,2.5x,true,z => column 'f': '2.5x' is not a number",
                                             "1,2,yes,z => column 'b': 'yes' is not true or false"});
  ReadResult t =
      ReadWith("9223372036854775807\tx\n9223372036854775808\ty\n", ", format: \"tsv\", fields: [\"n:int\", \"s\"]");
  CHECK(t.typed == std::vector<std::string>{"9223372036854775807|\"x\""});
  CHECK(t.errors ==
        std::vector<std::string>{"9223372036854775808\ty => column 'n': '9223372036854775808' is not an integer"});
}

TEST_CASE("file spout, csv: header: true skips a first record that names the fields, and fails on one that does not") {
  ReadResult r =
      ReadWith("name,age\r\nann,41\nbob,7\n", ", format: \"csv\", fields: [\"name\", \"age:int\"], header: true");
  CHECK(r.typed == std::vector<std::string>{"\"ann\"|41", "\"bob\"|7"});
  CHECK(r.errors.empty());
  // A header row that is typed wrong is still a header: it is not converted.
  CHECK(
      ReadWith("\"name\",\"age\"\n", ", format: \"csv\", fields: [\"name\", \"age:int\"], header: true").rows.empty());
  CHECK_THROWS_WITH(ReadWith("age,name\nann,41\n", ", format: \"csv\", fields: [\"name\", \"age\"], header: true"),
                    doctest::Contains("in.txt': its header 'age,name' does not name the declared fields (name, age)"));
  // A first record of another width or a malformed one is no header either (and is not skipped).
  CHECK_THROWS_WITH(ReadWith("name\tage\tx\nann\t1\n", ", format: \"tsv\", fields: [\"name\", \"age\"], header: true"),
                    doctest::Contains("its header 'name\tage\tx' does not name the declared fields (name, age)"));
  CHECK_THROWS_WITH(ReadWith("\"name,age\nann,1\n", ", format: \"csv\", fields: [\"name\", \"age\"], header: true"),
                    doctest::Contains("its header '\"name,age\nann,1\n' does not name"));
  // An empty input has no header to check: no records, no error.
  CHECK(ReadWith("", ", format: \"csv\", fields: [\"name\"], header: true").rows.empty());
}

namespace {
// `text` as gzip data, in `members` gzip members (concatenated as `cat a.gz b.gz` does).
std::string Gzip(const std::string& text, int members = 1) {
  std::string out;
  size_t per = text.size() / members + 1;
  for (int m = 0; m < members; ++m) {
    std::string part = text.substr(std::min(text.size(), m * per), per);
    z_stream z{};
    REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string buf(deflateBound(&z, part.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(part.data());
    z.avail_in = static_cast<uInt>(part.size());
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.append(buf.data(), z.total_out);
    deflateEnd(&z);
  }
  return out;
}
}  // namespace

TEST_CASE("file spout: a .gz path is decompressed; several members read as one; corrupt or cut data fails") {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "line " + std::to_string(i) + "\n";
  ReadResult r = ReadWith(Gzip(text, 3), "", "in.gz");
  REQUIRE(r.rows.size() == 200000);
  CHECK(r.rows.front() == "line 0");
  CHECK(r.rows[123456] == "line 123456");
  CHECK(r.rows.back() == "line 199999");
  CHECK(ReadWith(Gzip("a,1\nb,2"), ", format: \"csv\", fields: [\"k\", \"n:int\"]", "t.csv.gz").typed ==
        std::vector<std::string>{"\"a\"|1", "\"b\"|2"});
  std::string gz = Gzip(text);
  CHECK_THROWS_WITH(ReadWith(gz.substr(0, gz.size() / 2), "", "cut.gz"),
                    doctest::Contains("cut.gz' ends inside its gzip data (a truncated file?)"));
  CHECK_THROWS_WITH(ReadWith("plain text\n", "", "plain.gz"),
                    doctest::Contains("plain.gz' is not valid gzip data: incorrect header check"));
  CHECK_THROWS_WITH(ReadWith("", "", "empty.gz"), doctest::Contains("empty.gz' ends inside its gzip data"));
}

TEST_CASE("file spout: a glob reads every match in sorted order, each file whole; no match fails Open") {
  std::filesystem::path dir = TempDir() / "glob";
  std::filesystem::create_directories(dir / "sub.log");
  std::ofstream(dir / "b.log") << "b1\nb2";  // no last newline: still its own line
  std::ofstream(dir / "a.log") << "a1\n";
  std::ofstream(dir / "c.log.gz", std::ios::binary) << Gzip("c1\nc2\n");
  std::ofstream(dir / "skip.txt") << "x\n";
  Topo topo("topology t {\n spout s = file(path: \"" + (dir / "*.log*").string() +
            "\")\n sink o = null() <- s shuffle\n}\n");
  smc::rt::Context ctx = topo.Ctx("s");
  auto spout = smc::stdlib::MakeFileSpout();
  spout->Open(ctx);
  Recorder rec(ctx);
  Drain(*spout, rec);
  CHECK(rec.rows == std::vector<std::string>{"a1", "b1", "b2", "c1", "c2"});
  Topo none("topology t {\n spout s = file(path: \"" + (dir / "*.none").string() +
            "\")\n sink o = null() <- s shuffle\n}\n");
  smc::rt::Context nctx = none.Ctx("s");
  auto s2 = smc::stdlib::MakeFileSpout();
  CHECK_THROWS_WITH(s2->Open(nctx), ("no file matches '" + (dir / "*.none").string() + "'").c_str());
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

TEST_CASE("file sink, lines: fields joined by a space; newlines and returns inside a value written as \\n and \\r") {
  CHECK(WriteMixed("lines") ==
        "plain -3  true 1.5\n"
        "a\tb\\c\\nd\\re 0  false -0.25\n"
        "has,comma say \"hi\" x\\ny ctl\x01 caf\xc3\xa9\n");
}

TEST_CASE("file sink, csv and tsv: header: true writes a first line naming the input's fields") {
  for (std::string format : {"csv", "tsv"}) {
    std::string path = (TempDir() / ("header." + format)).string();
    SinkRun r("topology t {\n spout s = stdin(format: \"tsv\", fields: [\"name\", \"age\"])\n sink o = file(path: \"" +
              path + "\", format: \"" + format + "\", header: true) <- s shuffle\n}\n");
    r.sink->Open(r.ctx);
    r.sink->Execute(Pairs({{"ann", "1"}}), 0, r.rec);
    CHECK(r.Close());
    CHECK(ReadAll(path) == (format == "csv" ? "name,age\nann,1\n" : "name\tage\nann\t1\n"));
  }
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
