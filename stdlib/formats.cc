#include "stdlib/formats.h"

#include <poll.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "stdlib/gzip_input.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ParamSpec FormatParam(const std::string& def) {
  return Choice("format", {"lines", "tsv", "csv", "json"}, def,
                "lines (one field), tsv, csv or json (JSON Lines, one object per line)");
}

ParamSpec FieldsParam() {
  return Optional("fields", ParamType::kStringList,
                  "field names of tsv and csv columns (\"name:int\", \"name:float\" or \"name:bool\" for a typed "
                  "column), or of json keys");
}

ParamSpec ReaderHeaderParam() {
  return Optional("header", ParamType::kBool, Value::Bool(false),
                  "tsv and csv: the first record names the columns and must match 'fields'");
}

ParamSpec WriterHeaderParam() {
  return Optional("header", ParamType::kBool, Value::Bool(false),
                  "tsv and csv: a first line naming the input's fields");
}

bool WriterArgsCheck(const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>*, std::string* error,
                     std::string* error_arg) {
  auto h = args.find("header");
  auto f = args.find("format");
  if (h == args.end() || h->second.num == 0 || f == args.end()) return true;
  if (f->second.str == "tsv" || f->second.str == "csv") return true;
  *error = "'header' applies to tsv and csv, not " + f->second.str;
  *error_arg = "header";
  return false;
}

bool SplitFieldType(const std::string& field, std::string* name, ColumnType* type) {
  size_t colon = field.rfind(':');
  *name = colon == std::string::npos ? field : field.substr(0, colon);
  *type = ColumnType::kString;
  if (colon == std::string::npos) return true;
  std::string t = field.substr(colon + 1);
  if (t == "int")
    *type = ColumnType::kInt;
  else if (t == "float")
    *type = ColumnType::kFloat;
  else if (t == "bool")
    *type = ColumnType::kBool;
  else if (t != "string")
    return false;
  return true;
}

bool ReaderOutputs(const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out,
                   std::string* error, std::string* error_arg) {
  std::string format = StringArg(args, "format");
  std::vector<std::string> fields = StringListArg(args, "fields");
  if (format == "lines") {
    if (!fields.empty()) {
      *error = "'fields' has no use in the lines format, which emits (line)";
      *error_arg = "fields";
      return false;
    }
    if (auto h = args.find("header"); h != args.end() && h->second.num != 0) {
      *error = "'header' applies to tsv and csv; the lines format has no columns";
      *error_arg = "header";
      return false;
    }
    *out = {{"default", {"line"}}};
    return true;
  }
  if (fields.empty()) {
    *error = "format '" + format + "' needs 'fields', such as fields: [\"a\", \"b\"]";
    *error_arg = "format";
    return false;
  }
  if (auto h = args.find("header"); format == "json" && h != args.end() && h->second.num != 0) {
    *error = "'header' applies to tsv and csv; json records name their keys";
    *error_arg = "header";
    return false;
  }
  for (std::string& f : fields) {
    std::string name;
    ColumnType type;
    if (f.find(':') == std::string::npos) continue;
    if (format == "json") {
      *error = "typed fields ('" + f + "') apply to tsv and csv; json values carry their own types";
      *error_arg = "fields";
      return false;
    }
    if (!SplitFieldType(f, &name, &type)) {
      *error = "unknown column type in '" + f + "'; the types are string, int, float and bool";
      *error_arg = "fields";
      return false;
    }
    f = name;
  }
  if (!ValidFieldNames(fields, error)) {
    *error_arg = "fields";
    return false;
  }
  *out = {{"default", fields}, ErrorsStream()};
  return true;
}

}  // namespace smc::stdlib

// ---- reading and writing records -------------------------------------------------

namespace smc::stdlib {

namespace {
constexpr size_t kReadChunk = 64 << 10;  // per Next: a few batches, so backpressure acts promptly
}  // namespace

rt::Datum JsonDatum(const rapidjson::Value& v, std::string* scratch) {
  if (v.IsString()) return rt::Datum::Str(std::string_view(v.GetString(), v.GetStringLength()));
  if (v.IsBool()) return rt::Datum::Bool(v.GetBool());
  if (v.IsInt64()) return rt::Datum::Int(v.GetInt64());
  if (v.IsUint64()) {  // beyond int64: the digits as text, not a rounded double
    *scratch = std::to_string(v.GetUint64());
    return rt::Datum::Str(*scratch);
  }
  if (v.IsNumber()) return rt::Datum::Float(v.GetDouble());
  if (v.IsNull()) return rt::Datum::Null();
  rapidjson::StringBuffer sb;  // a list or a map: kept as its JSON text, flagged as such
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  scratch->assign(sb.GetString(), sb.GetSize());
  return rt::Datum::Json(*scratch);
}

RecordReader::RecordReader(int fd, std::string name, const rt::Context& ctx, bool gzip)
    : fd_(fd), name_(std::move(name)), format_(ctx.StringArg("format")), buf_(kReadChunk * 2) {
  if (gzip) gzip_ = std::make_unique<GzipInput>(name_);
  if (auto it = ctx.args->find("fields"); it != ctx.args->end()) {
    for (const Value& v : it->second.list) {
      std::string name;
      ColumnType type;
      SplitFieldType(v.str, &name, &type);  // checked by ReaderOutputs
      fields_.push_back(name);
      types_.push_back(type);
      typed_ = typed_ || type != ColumnType::kString;
    }
  }
  if (auto it = ctx.args->find("header"); it != ctx.args->end()) header_pending_ = it->second.num != 0;
  scratch_.resize(std::max<size_t>(1, fields_.size()));
  if (format_ == "json") json_ = std::make_unique<JsonFields>(fields_);
}

RecordReader::~RecordReader() {
  if (fd_ > 0) ::close(fd_);
}

bool RecordReader::Next(rt::Emitter& out, const rt::SpoutControl& ctl) {
  if (eof_) return false;
  pollfd fds[2] = {{fd_, POLLIN, 0}, {ctl.WakeFd(), POLLIN, 0}};
  int ready = ::poll(fds, 2, 1);
  if (ready < 0 && errno != EINTR) throw std::runtime_error("cannot wait for " + name_ + ": " + std::strerror(errno));
  if (ready <= 0 || !(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) return !ctl.Stopping();
  if (buf_.size() - have_ < kReadChunk) buf_.resize(have_ + kReadChunk);  // grows geometrically
  ssize_t n = gzip_ ? static_cast<ssize_t>(gzip_->Read(fd_, buf_.data() + have_, buf_.size() - have_))
                    : ::read(fd_, buf_.data() + have_, buf_.size() - have_);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return true;
    throw std::runtime_error("cannot read " + name_ + ": " + std::strerror(errno));
  }
  if (n == 0) {
    eof_ = true;
    if (have_ > 0) EmitRecord(std::string_view(buf_.data(), have_), out);  // a last record without '\n'
    have_ = 0;
    return false;
  }
  have_ += static_cast<size_t>(n);
  // Only the new bytes are scanned (scanned_ carries over): a record longer
  // than a read costs its length once, not once per read.
  const char* begin = buf_.data();
  size_t start = 0;
  while (true) {
    size_t nl = FindRecordEnd(begin, scanned_ > start ? scanned_ : start, have_);
    if (nl == kNotFound) break;
    EmitRecord(std::string_view(begin + start, nl - start), out);
    start = nl + 1;
  }
  scanned_ = have_ - start;
  have_ -= start;
  if (have_ > 0 && start > 0) std::memmove(buf_.data(), begin + start, have_);
  return true;
}

size_t RecordReader::FindRecordEnd(const char* buf, size_t from, size_t to) {
  if (format_ != "csv") {
    const void* nl = std::memchr(buf + from, '\n', to - from);
    return nl ? static_cast<const char*>(nl) - buf : kNotFound;
  }
  // RFC 4180: a newline inside a quoted field belongs to the field. Quotes
  // open a field only at its start; anywhere else they are literal here (and
  // an error for ParseCsv), so a stray quote never swallows the lines after it.
  for (size_t i = from; i < to; ++i) {
    char c = buf[i];
    switch (csv_state_) {
      case CsvState::kFieldStart:
        if (c == '"')
          csv_state_ = CsvState::kQuoted;
        else if (c == '\n')
          return i;
        else if (c != ',')
          csv_state_ = CsvState::kUnquoted;
        break;
      case CsvState::kUnquoted:
        if (c == ',')
          csv_state_ = CsvState::kFieldStart;
        else if (c == '\n') {
          csv_state_ = CsvState::kFieldStart;
          return i;
        }
        break;
      case CsvState::kQuoted:
        if (c == '"') csv_state_ = CsvState::kQuoteInQuoted;
        break;
      case CsvState::kQuoteInQuoted:  // a doubled quote, or the field's end
        if (c == '"')
          csv_state_ = CsvState::kQuoted;
        else if (c == ',')
          csv_state_ = CsvState::kFieldStart;
        else if (c == '\n') {
          csv_state_ = CsvState::kFieldStart;
          return i;
        } else
          csv_state_ = CsvState::kUnquoted;
        break;
    }
  }
  return kNotFound;
}

void RecordReader::EmitRecord(std::string_view line, rt::Emitter& out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (format_ == "lines") {
    rt::Datum d = rt::Datum::Str(line);
    out.Emit(0, &d);
  } else if (line.empty()) {
    return;  // blank lines separate nothing in tsv, csv and json
  } else if (format_ == "tsv") {
    ParseTsv(line, out);
  } else if (format_ == "csv") {
    ParseCsv(line, out);
  } else {
    ParseJson(line, out);
  }
}

void RecordReader::ParseTsv(std::string_view line, rt::Emitter& out) {
  values_.clear();
  size_t start = 0;
  size_t field = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    std::string_view cell = line.substr(start, tab == std::string_view::npos ? tab : tab - start);
    if (cell.find('\\') != std::string_view::npos) {
      // Undo the escapes the tsv writer makes: \t \n \r \\.
      if (field >= scratch_.size()) scratch_.resize(field + 1);
      std::string& s = scratch_[field];
      s.clear();
      for (size_t i = 0; i < cell.size(); ++i) {
        char c = cell[i];
        if (c == '\\' && i + 1 < cell.size()) {
          char e = cell[++i];
          c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
        }
        s.push_back(c);
      }
      cell = s;
    }
    values_.push_back(rt::Datum::Str(cell));
    ++field;
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (values_.size() != fields_.size()) {
    if (header_pending_) HeaderError(line);

    out.Error(line, "expected " + std::to_string(fields_.size()) + " tab-separated fields, got " +
                        std::to_string(values_.size()));
    return;
  }
  EmitCells(line, out);
}

void RecordReader::ParseCsv(std::string_view line, rt::Emitter& out) {
  values_.clear();
  size_t field = 0;
  size_t i = 0;
  while (true) {
    if (field >= scratch_.size()) scratch_.resize(field + 1);
    std::string& cell = scratch_[field];
    cell.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cell += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        cell += line[i++];
      }
      if (!closed || (i < line.size() && line[i] != ',')) {
        if (header_pending_) HeaderError(line);

        out.Error(line, closed ? "unexpected text after a quoted field" : "unterminated quoted field");
        return;
      }
    } else {
      size_t comma = line.find(',', i);
      cell.assign(line.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i));
      i = comma == std::string_view::npos ? line.size() : comma;
      if (cell.find('"') != std::string::npos) {
        if (header_pending_) HeaderError(line);

        out.Error(line, "a quote inside an unquoted field");
        return;
      }
    }
    ++field;
    if (i >= line.size()) break;
    ++i;                     // the comma
    if (i == line.size()) {  // a trailing comma: one more empty field
      if (field >= scratch_.size()) scratch_.resize(field + 1);
      scratch_[field].clear();
      ++field;
      break;
    }
  }
  if (field != fields_.size()) {
    if (header_pending_) HeaderError(line);

    out.Error(line,
              "expected " + std::to_string(fields_.size()) + " comma-separated fields, got " + std::to_string(field));
    return;
  }
  for (size_t k = 0; k < field; ++k) values_.push_back(rt::Datum::Str(scratch_[k]));
  EmitCells(line, out);
}

void RecordReader::EmitCells(std::string_view line, rt::Emitter& out) {
  if (header_pending_) {  // the header: the columns must be the declared fields, in order
    for (size_t k = 0; k < fields_.size(); ++k) {
      if (values_[k].s != fields_[k]) HeaderError(line);
    }
    header_pending_ = false;
    return;
  }
  if (typed_ && !ConvertCells(line, out)) return;
  out.Emit(0, values_.data());
}

void RecordReader::HeaderError(std::string_view line) const {
  std::string want;
  for (size_t j = 0; j < fields_.size(); ++j) want += (j ? ", " : "") + fields_[j];
  std::string got(line.substr(0, 200));
  if (line.size() > got.size()) got += "...";
  throw std::runtime_error(name_ + ": its header '" + got + "' does not name the declared fields (" + want + ")");
}

bool RecordReader::ConvertCells(std::string_view line, rt::Emitter& out) {
  for (size_t k = 0; k < fields_.size(); ++k) {
    if (types_[k] == ColumnType::kString) continue;
    std::string_view cell = values_[k].s;
    if (cell.empty()) {  // an empty typed cell: no value
      values_[k] = rt::Datum::Null();
      continue;
    }
    const char* first = cell.data();
    const char* last = first + cell.size();
    bool ok = false;
    if (types_[k] == ColumnType::kInt) {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(first + (*first == '+' && cell.size() > 1), last, v);
      ok = ec == std::errc() && p == last;
      if (ok) values_[k] = rt::Datum::Int(v);
    } else if (types_[k] == ColumnType::kFloat) {
      double v = 0;
      auto [p, ec] = std::from_chars(first + (*first == '+' && cell.size() > 1), last, v);
      ok = ec == std::errc() && p == last;
      if (ok) values_[k] = rt::Datum::Float(v);
    } else {
      ok = cell == "true" || cell == "false";
      if (ok) values_[k] = rt::Datum::Bool(cell == "true");
    }
    if (!ok) {
      static constexpr const char* kWhat[] = {"", "an integer", "a number", "true or false"};
      out.Error(line, "column '" + fields_[k] + "': '" + std::string(cell.substr(0, 64)) + "' is not " +
                          kWhat[static_cast<int>(types_[k])]);
      return false;
    }
  }
  return true;
}

void RecordReader::ParseJson(std::string_view line, rt::Emitter& out) {
  std::string why;
  if (!json_->Parse(line, &why)) {
    out.Error(line, why);
    return;
  }
  out.Emit(0, json_->values().data());
}

RecordFormatter::RecordFormatter(std::string format, const rt::Context& ctx)
    : format_(std::move(format)), input_fields_(ctx.input_fields) {}

void RecordFormatter::AppendHeader(std::string* out) const {
  if (format_ != "tsv" && format_ != "csv") return;
  for (size_t i = 1; i < input_fields_.size(); ++i) {
    if (input_fields_[i] != input_fields_[0]) {
      throw std::runtime_error("a header needs every input to have the same fields; input " + std::to_string(i + 1) +
                               " has others than input 1");
    }
  }
  if (input_fields_.empty()) return;
  const std::vector<std::string>& names = input_fields_[0];
  rt::Batch b(static_cast<int>(names.size()));
  std::vector<rt::Datum> row;
  for (const std::string& n : names) row.push_back(rt::Datum::Str(n));
  b.Append(row.data());
  Append(b, 0, 0, out);  // quoted and escaped as any row
}

void RecordFormatter::Append(const rt::Batch& b, size_t t, int input, std::string* out) const {
  const int width = b.width();
  if (format_ == "json") {
    const std::vector<std::string>& names = input_fields_[input];
    out->push_back('{');
    for (int k = 0; k < width; ++k) {
      if (k) out->append(", ");
      AppendJsonString(names[k], out);
      out->append(": ");
      rt::Datum d = b.Get(t, k);
      switch (d.type) {
        case rt::Type::kString:
          if (d.json) {
            out->append(d.s);  // a list or a map (runtime/tuple.h)
          } else {
            replaced_utf8_ += AppendJsonString(d.s, out);
          }
          break;
        case rt::Type::kNull: out->append("null"); break;
        case rt::Type::kFloat:
          if (!std::isfinite(d.f)) {  // JSON has no NaN or infinity
            out->append("null");
            ++non_finite_;
            break;
          }
          [[fallthrough]];
        default: d.AppendText(out);
      }
    }
    out->append("}\n");
    return;
  }
  const char sep = format_ == "tsv" ? '\t' : format_ == "csv" ? ',' : ' ';
  for (int k = 0; k < width; ++k) {
    if (k) out->push_back(sep);
    rt::Datum d = b.Get(t, k);
    if (format_ == "csv" && width == 1 && (d.type == rt::Type::kNull || d.s.empty())) {
      out->append("\"\"");  // not a blank line, which readers skip
    } else if (d.type != rt::Type::kString) {
      d.AppendText(out);
    } else if (format_ == "tsv") {
      // Tabs, newlines and backslashes would break the columns: escape them.
      if (d.s.find_first_of("\t\n\r\\") == std::string_view::npos) {
        out->append(d.s);
      } else {
        for (char c : d.s) {
          switch (c) {
            case '\t': out->append("\\t"); break;
            case '\n': out->append("\\n"); break;
            case '\r': out->append("\\r"); break;
            case '\\': out->append("\\\\"); break;
            default: out->push_back(c);
          }
        }
      }
    } else if (format_ == "lines" && d.s.find_first_of("\n\r") != std::string_view::npos) {
      // One tuple, one line: a newline or a return inside a value is written
      // as \n or \r (not reversible: tsv, csv and json are).
      for (char c : d.s) {
        if (c == '\n')
          out->append("\\n");
        else if (c == '\r')
          out->append("\\r");
        else
          out->push_back(c);
      }
    } else if (format_ == "csv" && d.s.find_first_of(",\"\n\r") != std::string_view::npos) {
      out->push_back('"');
      for (char c : d.s) {
        if (c == '"') out->push_back('"');
        out->push_back(c);
      }
      out->push_back('"');
    } else {
      out->append(d.s);
    }
  }
  out->push_back('\n');
}

}  // namespace smc::stdlib
