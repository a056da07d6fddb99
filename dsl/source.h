// Source text and positions inside it.
//
// A SourceFile owns the text of one `.topo` file and maps byte offsets to
// 1-based line and column numbers. Ranges are byte offsets, so every AST and
// graph node stays small and can still point back at what the user wrote.
// SourceFile is immutable after construction and safe to share across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace smc {

/// A half-open byte range [begin, end) in one source file.
struct SourceRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

/// A 1-based line and byte column.
struct LineColumn {
  uint32_t line = 1;
  uint32_t column = 1;
};

/// The text of one file and its line table.
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  /// Line and column of a byte offset (offsets past the end map to the end).
  LineColumn Locate(uint32_t offset) const;

  /// The text of a 1-based line, without its line terminator.
  std::string_view Line(uint32_t line) const;

  /// The text a range covers.
  std::string_view Slice(SourceRange range) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;  // offset of the first byte of each line
};

using SourceFilePtr = std::shared_ptr<const SourceFile>;

}  // namespace smc
