// Apache Storm's multi-lang protocol (private to stdlib/): framing, messages
// from a child, the handshake context, tuples as JSON. Used by shell
// components (the parent side: shell_bolt.cc, shell_spout.cc) and by
// `smc component` (the child side).
//
// Everything a child sends is untrusted: a frame may hold at most
// kMaxFrameBytes, and is parsed with the bounded reader (runtime/json_read.h,
// no recursion, at most rt::kMaxJsonDepth levels of nesting). A frame that
// breaks either limit is a protocol error of the component, never a crash.
//
// ShellPeer holds what shell spouts and bolts share: starting the child and
// its handshake, the pid folder, log/error/metrics and emit handling, the
// heartbeat frame and the restart-or-give-up decision. Thread safety: a
// ShellPeer is used by one thread at a time (its owner serialises).
#pragma once

#include <rapidjson/document.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/component_kind.h"
#include "runtime/component.h"
#include "runtime/tuple.h"

namespace smc::stdlib {

class Child;
class RestartPolicy;

/// The largest message (JSON text up to its "end" line) accepted from a
/// multi-lang process: 16 MiB (documented in smc-topo(5)). A bigger one is a
/// protocol error, so a child cannot make smc buffer without bound.
inline constexpr size_t kMaxFrameBytes = size_t{16} << 20;

/// Splits bytes into messages: JSON text up to a line that is exactly "end"
/// ('\r' before the '\n' allowed). Pure: no I/O, for the reader and fuzzing.
class FrameBuffer {
 public:
  /// `max_bytes`: the largest message accepted (tests and fuzzing use less).
  explicit FrameBuffer(size_t max_bytes = kMaxFrameBytes) : max_bytes_(max_bytes) {}
  /// Appends received bytes.
  void Append(std::string_view bytes) { buf_.append(bytes); }
  /// Takes the next whole message into `json`; false when none is complete.
  bool Take(std::string* json);
  /// True when the bytes after the last whole message already exceed
  /// max_bytes (the message can never be accepted).
  bool Oversized() const { return buf_.size() > max_bytes_; }
  size_t max_bytes() const { return max_bytes_; }
  std::string_view partial() const { return buf_; }

 private:
  size_t max_bytes_;
  std::string buf_;
  size_t scanned_ = 0;  // bytes of buf_ (whole lines) already known not to end a message
};

/// Reads messages from a file descriptor.
class FrameReader {
 public:
  enum class Result { kMessage, kEof, kTimeout, kError, kTooLarge };
  explicit FrameReader(int fd) : fd_(fd) {}
  /// Waits up to `timeout_ns` (forever when negative) for a whole message.
  /// `wake_fd` (or -1), when readable, also ends the wait with kTimeout.
  /// kTooLarge: the message exceeds kMaxFrameBytes (nothing more is read).
  Result Read(std::string* json, int64_t timeout_ns, int wake_fd = -1);
  /// Bytes received after the last whole message (for error reports).
  std::string_view partial() const { return frames_.partial(); }
  int error() const { return error_; }

 private:
  int fd_;
  FrameBuffer frames_;
  int error_ = 0;
};

/// A protocol error of a child: what it sent, in words ("sent malformed JSON ...").
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An emit the topology cannot deliver (a direct emit on a stream not read
/// with 'direct', or the reverse): the run fails; restarting would not help.
class EmitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A message from a multi-lang process, parsed with the bounded reader.
struct ChildMessage {
  rapidjson::Document doc;
  std::string command;  // "" when absent

  /// Parses `json`; throws ProtocolError when it is not JSON, nests deeper
  /// than rt::kMaxJsonDepth, or is not an object.
  explicit ChildMessage(std::string_view json);
  /// The member `name`, or null.
  const rapidjson::Value* Find(const char* name) const;
  /// The "id" member as text ("" when absent or of another type).
  std::string Id() const;
  /// The "id" member exactly as JSON text, of any type ("" when absent or
  /// null): a spout's message id goes back to it as it came.
  std::string IdJson() const;
};

/// Writes all of `data` to `fd` (blocking); false on an error (EPIPE, ...).
bool WriteAll(int fd, std::string_view data);

/// Appends `json` framed as a message: json, "\nend\n".
inline void AppendFrame(std::string_view json, std::string* out) {
  out->append(json);
  out->append("\nend\n");
}

/// Storm's heartbeat tuple, framed: a bolt child answers it with a sync.
inline constexpr std::string_view kHeartbeatFrame =
    "{\"id\": \"-1\", \"comp\": null, \"stream\": \"__heartbeat\", \"task\": -1, \"tuple\": []}\nend\n";

/// Appends a datum as JSON.
void AppendDatumJson(const rt::Datum& d, std::string* out);

/// Appends a bolt's input tuple message.
void AppendTupleJson(std::string_view id, std::string_view comp, std::string_view stream, int task, const rt::Batch& b,
                     size_t t, std::string* out);

/// The handshake's conf: the Storm keys smc knows (topology.name, timeouts,
/// tick frequency, acker count, ...) and the topology's `topology.*` and
/// `conf.*` settings (`conf.KEY` as KEY), which replace them when they collide.
std::string ConfJson(const rt::Context& ctx, int64_t message_timeout_ns);

/// The handshake: conf, pidDir and the Storm context of this instance.
/// `message_timeout_ns` is reported as topology.message.timeout.secs.
std::string HandshakeJson(const rt::Context& ctx, const std::string& pid_dir,
                          int64_t message_timeout_ns = 30'000'000'000);

/// Storm's name of a grouping: SHUFFLE, FIELDS, ...
const char* StormGroupingName(int grouping_kind);

/// A frame's text for an error message: at most 200 bytes, on one line.
std::string Excerpt(std::string_view json);

/// With acking: what a child's emit belongs to, a bolt's anchors (its input
/// tuples) or a spout's message id (a new tree); neither: untracked.
struct EmitTrack {
  const std::vector<const rt::TupleAck*>* anchors = nullptr;
  const uint64_t* msg = nullptr;
};

/// The parent side of one shell component instance.
class ShellPeer {
 public:
  ShellPeer(const rt::Context& ctx, ComponentKind kind);
  ~ShellPeer();  // removes the pid folder
  ShellPeer(const ShellPeer&) = delete;
  ShellPeer& operator=(const ShellPeer&) = delete;

  /// Starts the child (its command line from the `command` argument) and
  /// completes the handshake; throws std::runtime_error with the reason.
  /// `message_timeout_ns` goes into the handshake's conf.
  std::unique_ptr<Child> Launch(int64_t message_timeout_ns = 30'000'000'000);
  /// Reads the current child's messages (valid after Launch).
  FrameReader& reader() { return *reader_; }

  /// "subprocess 'cmd' (pid 12) WHAT; last stderr: ...".
  std::string Describe(Child* child, const std::string& what);
  /// The fault for a child whose output ended (EOF or a read error):
  /// "died (exited with status 3)", or, when it still runs,
  /// "closed its standard output (while still running)".
  std::string EndedFault(Child* child, int* status);
  /// The fault for FrameReader::kTooLarge.
  static std::string TooLargeFault();

  /// Handles log, error and metrics; false for other commands. Once
  /// NoteInputClosed was called, an error that only says the child read the
  /// end of its input (Storm's adapters: "Read EOF from stdin", Ruby's "end
  /// of file reached") is expected and is not counted.
  bool HandleCommon(const ChildMessage& m);
  /// smc has closed (or is closing) the child's standard input. Thread-safe.
  void NoteInputClosed() { input_closed_.store(true); }
  /// Handles an emit: checks and converts the tuple, emits it (direct when
  /// it names a task), and replies with the task ids unless the emit says
  /// need_task_ids false. Throws ProtocolError on a bad emit, EmitError on
  /// one the topology cannot deliver.
  void HandleEmit(const ChildMessage& m, Child* child, const EmitTrack& track = {});

  /// The restart policy after `message` (a Describe text): see
  /// RestartPolicy::Allow (child.h).
  bool MayRestart(const std::string& message);
  /// "[split#1]".
  const std::string& label() const { return label_; }

 private:
  const rt::Context& ctx_;
  std::string label_;
  std::unique_ptr<FrameReader> reader_;
  std::string pid_dir_;  // "" until made
  std::unique_ptr<RestartPolicy> restarts_;
  std::vector<rt::Datum> values_;
  std::vector<std::string> scratch_;
  std::vector<int> tasks_;
  std::atomic<bool> input_closed_{false};
};

}  // namespace smc::stdlib
