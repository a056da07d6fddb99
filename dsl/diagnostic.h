// Diagnostics: what smc tells the user about their input.
//
// The library never prints. Parsing and validation append Diagnostic values to
// a Diagnostics list; the caller decides how and where to render them.
// Render() produces the GNU form:
//
//   file:line:col: error: message
//       the source line
//       ^~~~
//
// followed by the same for each attached note. Messages are lower-case and
// name things in single quotes.
#pragma once

#include <string>
#include <vector>

#include "dsl/source.h"

namespace smc {

enum class Severity { kError, kWarning, kNote };

/// One message, optionally anchored at a range of a source file.
struct Diagnostic {
  Severity severity = Severity::kError;
  SourceFilePtr file;  // null: not tied to a file (a command-line problem)
  SourceRange range;
  std::string message;
  std::vector<Diagnostic> notes;

  /// Adds a note anchored in the same file; returns *this for chaining.
  Diagnostic& Note(SourceRange where, std::string text);
};

/// An ordered collection of diagnostics.
class Diagnostics {
 public:
  Diagnostic& Error(SourceFilePtr file, SourceRange range, std::string message);
  Diagnostic& Warning(SourceFilePtr file, SourceRange range, std::string message);
  Diagnostic& Add(Diagnostic d);

  bool HasErrors() const { return errors_ > 0; }

  /// Orders the diagnostics from index `from` on by their position in the file
  /// (those without a file first), keeping the order of equal positions.
  void SortFrom(size_t from);
  int error_count() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return list_; }
  bool empty() const { return list_.empty(); }

 private:
  std::vector<Diagnostic> list_;
  int errors_ = 0;
};

/// Renders one diagnostic and its notes; `program` names the tool for
/// diagnostics without a file ("smc: error: ...").
std::string Render(const Diagnostic& d, const std::string& program = "smc");

/// Renders all, in order.
std::string RenderAll(const Diagnostics& ds, const std::string& program = "smc");

}  // namespace smc
