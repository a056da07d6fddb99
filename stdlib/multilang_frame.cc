// The pure part of the multi-lang protocol (see multilang.h): framing,
// parsing a child's messages with the bounded reader, data as JSON. No
// process, plan or runtime state here, so the frame fuzzer (tests/fuzz/
// fuzz_frame.cc) links this file and runtime/tuple.cc alone.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "runtime/json_read.h"
#include "runtime/json_text.h"
#include "stdlib/multilang.h"

namespace smc::stdlib {

bool FrameBuffer::Take(std::string* json) {
  // Messages end with a line that is exactly "end" (a '\r' before '\n' is allowed).
  size_t pos = scanned_;
  while (true) {
    size_t nl = buf_.find('\n', pos);
    if (nl == std::string::npos) {
      scanned_ = pos;
      return false;
    }
    std::string_view line(buf_.data() + pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "end") {
      json->assign(buf_, 0, pos);
      buf_.erase(0, nl + 1);
      scanned_ = 0;
      return true;
    }
    pos = nl + 1;
  }
}

FrameReader::Result FrameReader::Read(std::string* json, int64_t timeout_ns, int wake_fd) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout_ns);
  while (true) {
    if (frames_.Take(json)) {
      if (json->size() > frames_.max_bytes()) return Result::kTooLarge;
      return Result::kMessage;
    }
    if (frames_.Oversized()) return Result::kTooLarge;
    int wait_ms = -1;
    if (timeout_ns >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Result::kTimeout;
      wait_ms = static_cast<int>(std::min<int64_t>(left.count() + 1, 1 << 30));
    }
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    int ready = ::poll(fds, wake_fd >= 0 ? 2 : 1, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return Result::kError;
    }
    if (ready == 0) continue;  // the deadline is checked above
    if (wake_fd >= 0 && (fds[1].revents & POLLIN)) return Result::kTimeout;
    char chunk[65536];
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      error_ = errno;
      return Result::kError;
    }
    if (n == 0) return Result::kEof;
    frames_.Append(std::string_view(chunk, static_cast<size_t>(n)));
  }
}

std::string Excerpt(std::string_view json) {
  std::string text(json.substr(0, 200));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (json.size() > 200) text += "...";
  return text;
}

ChildMessage::ChildMessage(std::string_view json) {
  std::string why;
  if (!rt::ParseJsonBounded(doc, json, &why)) {
    throw ProtocolError("sent malformed JSON (" + why + "): " + Excerpt(json));
  }
  if (!doc.IsObject()) throw ProtocolError("sent a message that is not a JSON object: " + Excerpt(json));
  if (const rapidjson::Value* c = Find("command"); c && c->IsString()) {
    command.assign(c->GetString(), c->GetStringLength());
  }
}

const rapidjson::Value* ChildMessage::Find(const char* name) const {
  auto it = doc.FindMember(name);
  return it == doc.MemberEnd() ? nullptr : &it->value;
}

std::string ChildMessage::Id() const {
  const rapidjson::Value* v = Find("id");
  if (!v) return "";
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsUint64()) return std::to_string(v->GetUint64());
  return "";
}

std::string ChildMessage::IdJson() const {
  const rapidjson::Value* v = Find("id");
  if (!v || v->IsNull()) return "";
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> writer(text);
  v->Accept(writer);  // nesting bounded by the reader (rt::kMaxJsonDepth)
  return std::string(text.GetString(), text.GetSize());
}

bool WriteAll(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

void AppendDatumJson(const rt::Datum& d, std::string* out) {
  switch (d.type) {
    case rt::Type::kString:
      if (d.json) {
        out->append(d.s);  // a list or a map: JSON text already (see runtime/tuple.h)
      } else {
        rt::AppendJsonString(d.s, out);
      }
      break;
    case rt::Type::kNull: out->append("null"); break;
    case rt::Type::kFloat: {
      if (!std::isfinite(d.f)) {  // JSON has no NaN or infinity
        out->append("null");
        break;
      }
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, d.f);  // shortest text that reads back the same
      std::string_view text(buf, r.ptr - buf);
      out->append(text);
      if (text.find_first_of(".e") == std::string_view::npos) out->append(".0");  // 1.0 stays a float
      break;
    }
    default: d.AppendText(out);
  }
}

}  // namespace smc::stdlib
