#include "dsl/diagnostic.h"

#include <algorithm>

namespace smc {

Diagnostic& Diagnostic::Note(SourceRange where, std::string text) {
  Diagnostic n;
  n.severity = Severity::kNote;
  n.file = file;
  n.range = where;
  n.message = std::move(text);
  notes.push_back(std::move(n));
  return *this;
}

Diagnostic& Diagnostics::Error(SourceFilePtr file, SourceRange range, std::string message) {
  return Add({Severity::kError, std::move(file), range, std::move(message), {}});
}

Diagnostic& Diagnostics::Warning(SourceFilePtr file, SourceRange range, std::string message) {
  return Add({Severity::kWarning, std::move(file), range, std::move(message), {}});
}

Diagnostic& Diagnostics::Add(Diagnostic d) {
  if (d.severity == Severity::kError) ++errors_;
  list_.push_back(std::move(d));
  return list_.back();
}

void Diagnostics::SortFrom(size_t from) {
  if (from >= list_.size()) return;
  std::stable_sort(list_.begin() + from, list_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    uint32_t pa = a.file ? a.range.begin + 1 : 0, pb = b.file ? b.range.begin + 1 : 0;
    return pa < pb;
  });
}

namespace {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

void RenderOne(const Diagnostic& d, const std::string& program, std::string* out) {
  if (!d.file) {
    *out += program + ": " + SeverityName(d.severity) + ": " + d.message + "\n";
    return;
  }
  LineColumn at = d.file->Locate(d.range.begin);
  *out += d.file->path() + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " +
          SeverityName(d.severity) + ": " + d.message + "\n";
  std::string_view line = d.file->Line(at.line);
  *out += "    ";
  out->append(line);
  *out += "\n    ";
  // Keep tabs so the caret lines up however the terminal expands them.
  uint32_t col = at.column - 1;
  for (uint32_t i = 0; i < col && i < line.size(); ++i) *out += line[i] == '\t' ? '\t' : ' ';
  for (uint32_t i = line.size(); i < col; ++i) *out += ' ';
  *out += '^';
  // Underline the rest of the range on this line.
  uint32_t end_col = col + (d.range.end > d.range.begin ? d.range.end - d.range.begin : 1);
  for (uint32_t i = col + 1; i < end_col && i < line.size(); ++i) *out += '~';
  *out += '\n';
}

}  // namespace

std::string Render(const Diagnostic& d, const std::string& program) {
  std::string out;
  RenderOne(d, program, &out);
  for (const Diagnostic& n : d.notes) RenderOne(n, program, &out);
  return out;
}

std::string RenderAll(const Diagnostics& ds, const std::string& program) {
  std::string out;
  for (const Diagnostic& d : ds.all()) out += Render(d, program);
  return out;
}

}  // namespace smc
