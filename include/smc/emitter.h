// smc plugin API: where a plugin's components send what they produce.
//
// smc batches what is emitted, routes it by the grouping of each reader and
// delivers it; a component only emits one tuple at a time. An Emitter is
// passed to every call that may emit and is valid only during that call.
// Part of smc's public plugin API (see smc/plugin.h).
#pragma once

#include <string_view>
#include <vector>

#include "smc/tuple.h"

namespace smc::plugin {

class Emitter {
 public:
  /// Emits one tuple on output stream `stream` (0: the first stream the
  /// component declares; see Context::Stream). `values` holds exactly as
  /// many values as the stream has fields; strings are copied before Emit
  /// returns.
  virtual void Emit(int stream, const Value* values) = 0;
  /// Emits on the first output stream.
  void Emit(const std::vector<Value>& values) { Emit(0, values.data()); }
  /// Reports bad input: counted, and emitted as (input, reason) on the
  /// component's `errors` stream when the topology reads one. Never throws.
  virtual void Error(std::string_view input, std::string_view reason) = 0;
  /// Bolts that override ExecuteBatch, with acking on: what is emitted from
  /// now on derives from tuple `t` of the batch being executed (until the
  /// next Anchor). Execute needs no call: smc anchors to its tuple. A no-op
  /// when the topology does not track tuples.
  virtual void Anchor(size_t t) = 0;
  /// Spouts: true once the job is stopping (abort, --for, a failure):
  /// Next should return soon. Always false for bolts and sinks.
  virtual bool Stopping() const = 0;

 protected:
  ~Emitter() = default;  // owned by smc
};

}  // namespace smc::plugin
