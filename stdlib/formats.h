// Record formats shared by the stdin and file spouts and the stdout and file
// sinks: lines, tsv, csv and json (JSON Lines).
#pragma once

#include <string>
#include <vector>

#include "dsl/catalog.h"

namespace smc::stdlib {

/// The `format` parameter of readers and writers.
ParamSpec FormatParam(const std::string& def);

/// The `fields` parameter of readers: names for tsv, csv and json columns;
/// a tsv or csv column may carry a type ("age:int").
ParamSpec FieldsParam();

/// The `header` parameter of readers (the first tsv/csv record names the
/// columns, checked against `fields`) and of writers (a first line naming
/// the fields).
ParamSpec ReaderHeaderParam();
ParamSpec WriterHeaderParam();

/// The argument check of a writer sink (its `outputs`, which emits
/// nothing): `header` needs tsv or csv.
bool WriterArgsCheck(const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                     std::string* error, std::string* error_arg);

/// A tsv or csv column's type, from a field written "name:type".
enum class ColumnType { kString, kInt, kFloat, kBool };
/// Splits "name:type" (or "name": a string); false for an unknown type.
bool SplitFieldType(const std::string& field, std::string* name, ColumnType* type);

/// Outputs of a reader: (line) for lines; the `fields` otherwise, with an
/// errors stream for records that do not parse.
bool ReaderOutputs(const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                   std::string* error, std::string* error_arg);

/// "(line) for format lines; the `fields` otherwise, and errors(input, reason)".
inline constexpr const char* kReaderOutputsDoc =
    "(line) in the lines format; otherwise the fields named by 'fields', and errors(input, reason)";

}  // namespace smc::stdlib

#include <rapidjson/document.h>
#include <memory>

#include "runtime/acker.h"
#include "runtime/component.h"
#include "runtime/json_text.h"
#include "runtime/writer.h"
#include "stdlib/json_fields.h"

namespace smc::stdlib {

class GzipInput;

/// Reads records from a file descriptor and emits them in one of the formats.
class RecordReader {
 public:
  /// `fd` is read until its end; it is closed at the end unless it is 0.
  /// `gzip`: its bytes are gzip data, decompressed as they are read.
  RecordReader(int fd, std::string name, const rt::Context& ctx, bool gzip = false);
  ~RecordReader();
  /// Reads what is available (waiting up to about a millisecond) and emits
  /// every complete record; false at the end of the input.
  bool Next(rt::Emitter& out, const rt::SpoutControl& ctl);

 private:
  void EmitRecord(std::string_view line, rt::Emitter& out);
  void ParseTsv(std::string_view line, rt::Emitter& out);
  void ParseCsv(std::string_view line, rt::Emitter& out);
  void ParseJson(std::string_view line, rt::Emitter& out);
  // The split cells of a tsv/csv record (in values_): the header is checked,
  // typed columns converted (a bad cell goes to errors), then emitted.
  void EmitCells(std::string_view line, rt::Emitter& out);
  bool ConvertCells(std::string_view line, rt::Emitter& out);
  /// `header`: the first record does not name the fields.
  [[noreturn]] void HeaderError(std::string_view line) const;
  static constexpr size_t kNotFound = ~size_t{0};
  /// The offset of the newline that ends the record, in buf[from, to), or
  /// kNotFound; csv state carries over between calls.
  size_t FindRecordEnd(const char* buf, size_t from, size_t to);
  enum class CsvState { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };

  int fd_;
  std::string name_;
  std::string format_;
  std::vector<std::string> fields_;
  std::vector<ColumnType> types_;
  bool typed_ = false;           // some column is not a string
  bool header_pending_ = false;  // `header`: the next record is the header
  std::vector<char> buf_;
  size_t have_ = 0;     // bytes in buf_
  size_t scanned_ = 0;  // bytes of buf_ already scanned for the record's end
  CsvState csv_state_ = CsvState::kFieldStart;
  std::unique_ptr<JsonFields> json_;
  std::unique_ptr<GzipInput> gzip_;
  bool eof_ = false;
  std::vector<rt::Datum> values_;
  std::vector<std::string> scratch_;
};

/// Formats tuples for writing: one line per tuple.
class RecordFormatter {
 public:
  RecordFormatter(std::string format, const rt::Context& ctx);
  /// Appends tuple `t` of `b` (from input `input`) and a newline to `out`.
  void Append(const rt::Batch& b, size_t t, int input, std::string* out) const;
  /// tsv and csv: appends a line naming the input's fields (every input must
  /// have the same ones; throws otherwise). Other formats: nothing.
  void AppendHeader(std::string* out) const;
  /// JSON only: bytes of invalid UTF-8 written as U+FFFD, and NaNs and
  /// infinities written as null, so that every line is valid JSON.
  size_t replaced_utf8() const { return replaced_utf8_; }
  size_t non_finite() const { return non_finite_; }

 private:
  mutable size_t replaced_utf8_ = 0;
  mutable size_t non_finite_ = 0;
  std::string format_;
  std::vector<std::vector<std::string>> input_fields_;
};

/// The stdout and file sinks: format tuples, hand full buffers to a writer.
class WriterSink : public rt::Component {
 public:
  // A file has one writer (the file sink's parallelism is at most 1).
  rt::Rescaling Rescalable() const override {
    return to_file_ ? rt::Rescaling{} : rt::Rescaling{rt::Rescaling::kStateless, {}};
  }
  explicit WriterSink(bool to_file);
  ~WriterSink() override;
  void Open(const rt::Context& ctx) override;
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override;
  void Tick(rt::Emitter& out) override;
  void Finish(rt::Emitter& out) override;
  /// With acking on, its tuples are acked once the writer has written them
  /// (for a file: handed to the kernel), not when they are formatted.
  rt::AckMode Acking() const override { return acker_ ? rt::AckMode::kExplicit : rt::AckMode::kAuto; }

 private:
  void Flush();
  void KeepAcks(const rt::Batch& b);
  bool to_file_;
  rt::Acker* acker_ = nullptr;
  std::vector<rt::AckUpdate> acks_;  // of the tuples in buffer_: per root, the XOR of their edges
  std::string what_;                 // "sink 'o' (t.topo:3:2)", for warnings
  std::unique_ptr<RecordFormatter> formatter_;
  rt::Writer* writer_ = nullptr;
  std::string buffer_;
};

/// A JSON value as a datum; objects and arrays become their JSON text, kept
/// in `scratch`, as a Datum::Json (written back unquoted as JSON).
rt::Datum JsonDatum(const rapidjson::Value& v, std::string* scratch);

using rt::AppendJsonString;

}  // namespace smc::stdlib
