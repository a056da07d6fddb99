// What `smc component NAME` does the same for a bolt (cli/component.cc) and
// for a spout (cli/component_spout.cc): writing multi-lang commands, reading
// the handshake, turning --param values into .topo source, and compiling the
// one-component topology that checks and completes the component's
// signature. Not thread-safe (one component per process).
#pragma once

#include <rapidjson/document.h>

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/catalog.h"
#include "runtime/component.h"
#include "runtime/plan.h"
#include "stdlib/multilang.h"

namespace smc {

/// Emits as multi-lang "emit" commands on standard output, buffered until Flush.
class ProtocolEmitter : public rt::Emitter {
 public:
  /// How Error() reports a bad input: a bolt sends Storm's "error" command,
  /// a spout a "log" at error level.
  enum class ErrorAs { kErrorCommand, kLog };
  ProtocolEmitter(std::vector<std::string> streams, std::vector<int> widths, ErrorAs error_as)
      : streams_(std::move(streams)), widths_(std::move(widths)), error_as_(error_as) {}
  void Emit(int stream, const rt::Datum* values) override;
  void EmitDirect(int stream, int, const rt::Datum* values) override { Emit(stream, values); }
  void Error(std::string_view input, std::string_view reason) override;
  /// Appends one message (JSON text) as a frame.
  void Send(const std::string& json) { stdlib::AppendFrame(json, &out_); }
  /// Writes what is buffered; false when standard output is gone.
  bool Flush();
  /// The id the next emits are anchored to ("" for none).
  void set_anchor(std::string anchor) { anchor_ = std::move(anchor); }

 private:
  std::vector<std::string> streams_;
  std::vector<int> widths_;
  ErrorAs error_as_;
  std::string anchor_;
  std::string out_;
};

/// A --param value as .topo source, read as the declared type of parameter
/// `key` of `spec` (null: a string): `equals=2` for a string parameter is the
/// string "2"; `max=2` for an integer one is 2; lists are `[...]` or
/// comma-separated (`a,b`).
std::string ArgText(const ComponentSpec* spec, const std::string& key, const std::string& value);

/// The component's signature checked and completed by the validator, as if
/// written in a .topo file: `prefix` (the lines before it), the component
/// `name(params...)`, then `suffix`. Returns the plan, or null after printing
/// the errors ("smc component: error: ...") to `err`.
std::unique_ptr<rt::Plan> CompileSignature(ComponentKind kind, const std::string& name,
                                           const std::vector<std::string>& params, const std::string& prefix,
                                           const std::string& suffix, std::ostream& err);

/// Reads the handshake frame from standard input into `hs`; 0, or the exit
/// status after printing why to `err`.
int ReadHandshake(stdlib::FrameReader& reader, rapidjson::Document* hs, std::ostream& err);

/// Writes the pid file Storm asks for (in the handshake's pidDir) and sends
/// the pid reply; false when standard output is gone.
bool ReplyPid(const rapidjson::Document& hs, ProtocolEmitter& out);

/// The "message larger than N MiB" error, for a frame past the limit.
void ReportTooLarge(std::ostream& err);

}  // namespace smc
