// Apache Storm's multi-lang protocol (private to stdlib/): framing, the
// handshake context, tuples as JSON. Used by shell components (the parent
// side) and by `smc component` (the child side).
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/component.h"
#include "runtime/tuple.h"

namespace smc::stdlib {

/// Reads messages: JSON text up to a line that is exactly "end".
class FrameReader {
 public:
  enum class Result { kMessage, kEof, kTimeout, kError };
  explicit FrameReader(int fd) : fd_(fd) {}
  /// Waits up to `timeout_ns` (forever when negative) for a whole message.
  /// `wake_fd` (or -1), when readable, also ends the wait with kTimeout.
  Result Read(std::string* json, int64_t timeout_ns, int wake_fd = -1);
  /// Bytes received after the last whole message (for error reports).
  std::string_view partial() const { return buf_; }
  int error() const { return error_; }

 private:
  bool TakeMessage(std::string* json);
  int fd_;
  std::string buf_;
  size_t scanned_ = 0;  // lines of buf_ already known not to be "end"
  int error_ = 0;
};

/// Writes all of `data` to `fd` (blocking); false on an error (EPIPE, ...).
bool WriteAll(int fd, std::string_view data);

/// Appends `json` framed as a message: json, "\nend\n".
inline void AppendFrame(std::string_view json, std::string* out) {
  out->append(json);
  out->append("\nend\n");
}

/// Appends a datum as JSON.
void AppendDatumJson(const rt::Datum& d, std::string* out);

/// Appends a bolt's input tuple message.
void AppendTupleJson(std::string_view id, std::string_view comp, std::string_view stream, int task,
                     const rt::Batch& b, size_t t, std::string* out);

/// The handshake: conf, pidDir and the Storm context of this instance.
std::string HandshakeJson(const rt::Context& ctx, const std::string& pid_dir);

/// Storm's name of a grouping: SHUFFLE, FIELDS, ...
const char* StormGroupingName(int grouping_kind);

}  // namespace smc::stdlib
