#include "cli/test_file.h"

#include <algorithm>

#include "dsl/parser.h"

namespace smc {
namespace {

bool StartsWith(const std::string& s, const char* p) {
  return s.rfind(p, 0) == 0;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

bool ParseTestFile(const std::string& path, const std::string& text, TestFile* out, std::string* error) {
  out->path = path;
  std::vector<std::string> file_params;
  TestCase* c = nullptr;
  int line_no = 0;
  auto fail = [&](const std::string& why) {
    *error = path + ":" + std::to_string(line_no) + ": error: " + why;
    return false;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Data lines, exactly as written after the marker.
    std::string lead = line.substr(0, line.find_first_not_of(" \t"));
    std::string body = line.substr(lead.size());
    if (body == "<" || StartsWith(body, "< ") || body == ">" || StartsWith(body, "> ")) {
      if (!c) return fail("'" + body.substr(0, 1) + "' lines belong to a case; start one with 'case NAME'");
      (body[0] == '<' ? c->input : c->expected).push_back(body.size() > 2 ? body.substr(2) : "");
      continue;
    }
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    size_t sp = t.find_first_of(" \t");
    std::string word = t.substr(0, sp);
    std::string arg = sp == std::string::npos ? "" : Trim(t.substr(sp));
    if (word == "case") {
      if (arg.empty()) return fail("'case' needs a name");
      for (const TestCase& other : out->cases) {
        if (other.name == arg)
          return fail("a second case named '" + arg + "' (the first is on line " + std::to_string(other.line) + ")");
      }
      out->cases.push_back({});
      c = &out->cases.back();
      c->name = arg;
      c->line = line_no;
      c->params = file_params;
    } else if (word == "file") {
      if (c) return fail("'file' comes before the first case");
      if (arg.empty()) return fail("'file' needs the path of a .topo file");
      out->topo = arg;
    } else if (word == "param") {
      size_t eq = arg.find('=');
      if (eq == std::string::npos || eq == 0) return fail("'param' expects NAME=VALUE, got '" + arg + "'");
      (c ? c->params : file_params).push_back(arg);
    } else if (word == "unordered" && arg.empty()) {
      if (!c) return fail("'unordered' belongs to a case");
      c->unordered = true;
    } else if (word == "topology") {
      if (!c) return fail("'topology' belongs to a case");
      if (arg.empty()) return fail("'topology' needs a name");
      c->topology = arg;
    } else if (word == "status") {
      if (!c) return fail("'status' belongs to a case");
      std::optional<Value> v = ParseLiteral(arg);
      if (!v || v->type != ValueType::kInt || v->num < 0 || v->num > 255)
        return fail("'status' expects an exit status from 0 to 255, got '" + arg + "'");
      c->status = static_cast<int>(v->num);
    } else if (word == "timeout") {
      if (!c) return fail("'timeout' belongs to a case");
      std::optional<Value> v = ParseLiteral(arg);
      if (!v || v->type != ValueType::kDuration || v->num <= 0)
        return fail("'timeout' expects a duration such as 30s, got '" + arg + "'");
      c->timeout_ns = v->num;
    } else {
      return fail("unknown line '" + t.substr(0, 60) +
                  "' (expected case, file, param, unordered, topology, status, timeout, '< input' or '> output')");
    }
  }
  if (out->cases.empty()) {
    line_no = std::max(line_no, 1);
    return fail("no test cases (start one with 'case NAME')");
  }
  if (out->topo.empty()) {
    const std::string suffix = ".test";
    if (path.size() <= suffix.size() || path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
      line_no = 1;
      return fail("no 'file' line, and the name does not end in .test to say which .topo file it tests");
    }
    std::string base = path.substr(0, path.size() - suffix.size());
    out->topo = base.substr(base.find_last_of('/') == std::string::npos ? 0 : base.find_last_of('/') + 1);
  }
  return true;
}

std::string LineDiff(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a == b) return "";
  // Common head and tail first: the quadratic part is only what differs.
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  const size_t n = a.size() - head - tail, m = b.size() - head - tail;
  constexpr size_t kMaxCells = size_t{4} << 20;
  // ops: ' ' both, '-' expected only, '+' actual only, over the middle part.
  std::vector<std::pair<char, const std::string*>> ops;
  if (n * m <= kMaxCells) {
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
      }
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[head + i] == b[head + j]) {
        ops.push_back({' ', &a[head + i]});
        ++i, ++j;
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        ops.push_back({'-', &a[head + i++]});  // what was expected first, as diff -u does
      } else {
        ops.push_back({'+', &b[head + j++]});
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) ops.push_back({'-', &a[head + i]});
    for (size_t j = 0; j < m; ++j) ops.push_back({'+', &b[head + j]});
  }
  // One hunk with up to three lines of context each side; long runs of
  // agreement inside it are kept (the middle part is what differs).
  std::string out = "@@ -" + std::to_string(head + 1) + " +" + std::to_string(head + 1) + " @@\n";
  size_t ctx = std::min<size_t>(head, 3);
  for (size_t k = head - ctx; k < head; ++k) out += " " + a[k] + "\n";
  constexpr size_t kMaxLines = 200;
  size_t shown = 0;
  for (const auto& [op, line] : ops) {
    if (++shown > kMaxLines) {
      out += "... (" + std::to_string(ops.size() - kMaxLines) + " more lines of difference)\n";
      return out;
    }
    out += op + *line + "\n";
  }
  for (size_t k = a.size() - tail; k < a.size() - tail + std::min<size_t>(tail, 3); ++k) out += " " + a[k] + "\n";
  return out;
}

}  // namespace smc
