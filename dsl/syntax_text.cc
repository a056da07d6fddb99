#include "dsl/syntax_text.h"

#include <cctype>
#include <cstdio>

namespace smc::dsl {
namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

}  // namespace

size_t SkipSpace(std::string_view text, size_t pos) {
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '#') {
      while (pos < text.size() && text[pos] != '\n') ++pos;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++pos;
    } else {
      break;
    }
  }
  return pos;
}

std::string WordAt(std::string_view text, size_t pos) {
  size_t end = pos;
  while (end < text.size() && (IsIdentChar(text[end]) || text[end] == '-')) ++end;
  return std::string(text.substr(pos, end - pos));
}

bool IsKeywordAt(std::string_view text, size_t pos, bool top_level) {
  if (pos < text.size() && text[pos] == '}') return !top_level;
  std::string w = WordAt(text, pos);
  if (w == "param" || w == "topology" || w == "tasks") return true;
  return !top_level && (w == "spout" || w == "bolt" || w == "sink" || w == "set" || w == "task");
}

// Finds where parsing resumes after an error in the statement that starts
// at `start`: the first token of a later line that starts a statement (or
// closes a block, outside any braces the statement opened).
size_t Sync(std::string_view text, size_t start, bool top_level) {
  int depth = 0;
  bool line_start = false;
  size_t pos = start;
  bool first = true;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '\n') {
      line_start = true;
      ++pos;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++pos;
      continue;
    }
    if (line_start && !first && IsKeywordAt(text, pos, top_level)) {
      if (c != '}' || depth <= 0) return pos;
    }
    line_start = false;
    first = false;
    if (c == '#') {
      while (pos < text.size() && text[pos] != '\n') ++pos;
    } else if (c == '"') {
      ++pos;
      while (pos < text.size() && text[pos] != '"' && text[pos] != '\n') pos += text[pos] == '\\' ? 2 : 1;
      if (pos < text.size() && text[pos] == '"') ++pos;
    } else {
      if (c == '{') ++depth;
      if (c == '}') --depth;
      ++pos;
    }
  }
  return text.size();
}

// What stands at `pos`, for "expected X, got Y".
std::string Describe(std::string_view text, size_t pos) {
  if (pos >= text.size()) return "end of file";
  char c = text[pos];
  if (c == '\n' || c == '\r') return "end of line";
  if (IsIdentStart(c)) return "'" + WordAt(text, pos) + "'";
  if (std::isdigit(static_cast<unsigned char>(c)) ||
      (c == '-' && pos + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[pos + 1])))) {
    size_t end = pos + 1;
    while (end < text.size() && (IsIdentChar(text[end]) || text[end] == '.')) ++end;
    return "'" + std::string(text.substr(pos, end - pos)) + "'";
  }
  if (c == '"') return "'\"'";
  if (c == ' ' || c == '\t') return "whitespace";
  if (text.compare(pos, 2, "<-") == 0) return "'<-'";
  if (text.compare(pos, 2, "->") == 0) return "'->'";
  if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02x", static_cast<unsigned char>(c));
    return buf;
  }
  return std::string("'") + c + "'";
}

// Where to point for an error found at `at`: right after the previous token
// when the unexpected token is on a later line (as for a missing ';' in C).
size_t ErrorLocation(std::string_view text, size_t start, size_t at) {
  if (at <= start || at > text.size()) return at;
  size_t p = at;
  bool crossed_line = false;
  while (p > start) {
    size_t line_begin = text.rfind('\n', p - 1);
    line_begin = line_begin == std::string_view::npos ? 0 : line_begin + 1;
    if (line_begin < start) line_begin = start;
    // The code part of [line_begin, p): up to a comment outside a string.
    size_t code_end = line_begin;
    bool in_string = false;
    for (size_t i = line_begin; i < p; ++i) {
      char c = text[i];
      if (in_string) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          in_string = false;
        code_end = i + 1;
      } else if (c == '#') {
        break;
      } else {
        if (c == '"') in_string = true;
        if (!std::isspace(static_cast<unsigned char>(c))) code_end = i + 1;
      }
    }
    if (code_end > line_begin) return crossed_line ? code_end : at;
    if (line_begin == 0 || line_begin <= start) break;
    p = line_begin - 1;
    crossed_line = true;
  }
  return at;
}

}  // namespace smc::dsl
