#include "stdlib/json_fields.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <charconv>

#include "runtime/json_read.h"

namespace smc::stdlib {

void AppendMinifiedJson(std::string_view text, std::string* out) {
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      out->push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out->push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out->push_back(c);
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      out->push_back(c);
    }
  }
}

using JsonStream = rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream>;

// SAX events of one record: keeps the wanted keys of the top-level object.
class JsonFieldsHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, JsonFieldsHandler> {
 public:
  JsonFieldsHandler(JsonFields* f, std::string_view text, const JsonStream* is) : f_(f), text_(text), is_(is) {}

  bool Null() { return Scalar(rt::Datum::Null()); }
  bool Bool(bool b) { return Scalar(rt::Datum::Bool(b)); }
  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    if (!Wanted()) return Scalar(rt::Datum::Null());
    std::string_view n(s, len);
    const char* end = s + len;
    if (n.find_first_of(".eE") == std::string_view::npos) {
      int64_t v = 0;
      auto r = std::from_chars(s, end, v);
      if (r.ec == std::errc() && r.ptr == end) return Scalar(rt::Datum::Int(v));
    } else {
      double v = 0;
      auto r = std::from_chars(s, end, v);
      if (r.ec == std::errc() && r.ptr == end) return Scalar(rt::Datum::Float(v));
    }
    // Beyond int64 or double: the digits as written, never rounded.
    return Text(n);
  }
  bool String(const char* s, rapidjson::SizeType len, bool) {
    return Wanted() ? Text(std::string_view(s, len)) : Scalar(rt::Datum::Null());
  }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    if (depth_ == 1 && root_object_) {
      current_ = -1;
      std::string_view k(s, len);
      for (size_t i = 0; i < f_->keys_.size(); ++i) {
        if (f_->keys_[i] == k) {
          if (!f_->set_[i]) current_ = static_cast<int>(i);
          break;
        }
      }
    }
    return true;
  }
  bool StartObject() { return Start(true); }
  bool StartArray() { return Start(false); }
  bool EndObject(rapidjson::SizeType) { return End(); }
  bool EndArray(rapidjson::SizeType) { return End(); }

  bool too_deep = false;
  bool root_object_ = false;

 private:
  bool Wanted() const { return depth_ == 1 && current_ >= 0; }
  bool Scalar(const rt::Datum& d) {
    if (Wanted()) Set(d);
    return true;
  }
  bool Text(std::string_view s) {
    std::string& buf = f_->scratch_[current_];
    buf.assign(s);
    Set(rt::Datum::Str(buf));
    return true;
  }
  void Set(const rt::Datum& d) {
    f_->values_[current_] = d;
    f_->set_[current_] = true;
    current_ = -1;
  }
  bool Start(bool object) {
    if (depth_ == 0) root_object_ = object;
    if (++depth_ > rt::kMaxJsonDepth) {
      too_deep = true;
      return false;
    }
    if (depth_ == 2 && current_ >= 0) {
      capture_ = current_;
      capture_start_ = is_->Tell();  // at the '[' or '{'
    }
    return true;
  }
  bool End() {
    if (depth_ == 2 && capture_ >= 0) {
      size_t end = is_->Tell() + 1;  // the ']' or '}' is not yet taken
      std::string& buf = f_->scratch_[capture_];
      buf.clear();
      AppendMinifiedJson(text_.substr(capture_start_, end - capture_start_), &buf);
      current_ = capture_;
      capture_ = -1;
      Set(rt::Datum::Str(buf));
    }
    --depth_;
    return true;
  }

  JsonFields* f_;
  std::string_view text_;
  const JsonStream* is_;
  int depth_ = 0;
  int current_ = -1;  // the wanted key whose value comes next, at depth 1
  int capture_ = -1;  // the wanted key whose nested value is being read
  size_t capture_start_ = 0;
};

JsonFields::JsonFields(std::vector<std::string> keys)
    : keys_(std::move(keys)), values_(keys_.size()), set_(keys_.size()), scratch_(keys_.size()) {}

bool JsonFields::Parse(std::string_view text, std::string* why) {
  std::fill(values_.begin(), values_.end(), rt::Datum::Null());
  std::fill(set_.begin(), set_.end(), false);
  rapidjson::MemoryStream ms(text.data(), text.size());
  JsonStream is(ms);
  JsonFieldsHandler h(this, text, &is);
  rapidjson::Reader reader;
  reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag>(is, h);
  if (h.too_deep) {
    *why = "invalid JSON: nested deeper than " + std::to_string(rt::kMaxJsonDepth) + " levels";
    return false;
  }
  if (reader.HasParseError()) {
    *why = "invalid JSON at byte " + std::to_string(reader.GetErrorOffset()) + ": " +
           rapidjson::GetParseError_En(reader.GetParseErrorCode());
    return false;
  }
  if (!h.root_object_) {
    *why = "not a JSON object";
    return false;
  }
  return true;
}

}  // namespace smc::stdlib
