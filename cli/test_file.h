// smc test's files: topology unit tests (the format is documented in
// smc(1), TEST FILES), and the line diff a failing case shows.
//
//   # wordcount.topo.test
//   file wordcount.topo          the topology file (default: this name without .test)
//   param NAME=VALUE             a -p override for every case (repeatable)
//
//   case two sentences           a case, up to the next `case`
//   unordered                    compare as multisets of lines
//   param NAME=VALUE             a -p override for this case
//   topology NAME                the topology to run (--topology)
//   status 0                     the exit status expected (default 0)
//   timeout 30s                  the longest the run may take (default 60s)
//   < the cat                    a line of standard input ("<" alone: an empty one)
//   > the<TAB>2                  a line of the expected standard output
//
// Data lines keep everything after "< " or "> " (tabs, spaces, '#').
// Parsing is linear and bounded by the file's size; no recursion.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace smc {

struct TestCase {
  std::string name;
  int line = 0;  // where `case` is
  std::vector<std::string> params;
  std::string topology;
  bool unordered = false;
  int status = 0;
  int64_t timeout_ns = 60'000'000'000;
  std::vector<std::string> input;
  std::vector<std::string> expected;
};

struct TestFile {
  std::string path;  // as given
  std::string topo;  // the topology file, as written (relative to the test file's folder)
  std::vector<TestCase> cases;
};

/// Parses `text` (read from `path`). On an error returns false and sets
/// `error` to "PATH:LINE: error: MESSAGE".
bool ParseTestFile(const std::string& path, const std::string& text, TestFile* out, std::string* error);

/// A line diff of `expected` against `actual` ("-" lines expected, "+" lines
/// actual, " " context, "@@" hunks), "" when equal. Quadratic in the worst
/// case, so large inputs beyond a bound get only their first difference.
std::string LineDiff(const std::vector<std::string>& expected, const std::vector<std::string>& actual);

}  // namespace smc
