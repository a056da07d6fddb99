// smc plugin API: spouts, bolts and sinks written in C++ by a user.
//
// The threading contract is smc's own (runtime/component.h): an instance
// (one per `xN` of the topology) is created, opened once with its Context,
// and then called by one thread at a time, so its state needs no locking.
// Different instances may run at the same time on different threads.
//
// A Bolt (a bolt or a sink: a sink is a bolt whose signature declares no
// outputs) gets every input tuple through Execute, or whole batches through
// ExecuteBatch; periodic ticks through Tick when the topology sets `tick`;
// and Finish once every upstream instance has finished (the end of a bounded
// stream): a bolt with state emits its totals there. A Spout is asked for
// tuples by Next, on a thread of its own, until it returns false.
//
// Exceptions: a component that throws (anything derived from
// std::exception) fails the job; smc reports the text with the component's
// name and .topo location and exits 70. Bad input should rather go to
// Emitter::Error, which counts it and lets the run go on.
//
// Acking (`set acking = true` in the topology): smc anchors what Execute
// emits to the tuple it was called with and acks that tuple when Execute
// returns; a component whose signature says `holds_inputs` (an aggregator
// that emits in Tick or Finish) has its input tuples held until it has
// emitted there instead. Spouts are made reliable by smc: it keeps a copy of
// each tuple until its tree completes and emits it again when it fails.
// Part of smc's public plugin API (see smc/plugin.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "smc/emitter.h"
#include "smc/tuple.h"

namespace smc::plugin {

/// One argument of a component's use in a .topo file, defaults applied.
/// Scalars are in `value` (a string, int, float or bool; a duration as its
/// nanoseconds and a size as its bytes, both ints); a list's items are in
/// `items` (and `value` is null).
struct Argument {
  std::string name;
  Value value;               // strings view `text`
  std::string text;          // a string argument's bytes
  std::vector<Value> items;  // a list's items; strings view `item_texts`
  std::vector<std::string> item_texts;
};

/// What an instance knows about itself. Valid from Open until the instance
/// is destroyed.
struct Context {
  std::string topology;        // the topology's name
  std::string component;       // the component's name in it
  std::string location;        // "file.topo:4:5", for messages
  std::string base_dir;        // the folder of the .topo file (smc component: "."): relative paths start there
  int instance = 0;            // 0-based
  int parallelism = 1;         // the component's number of instances
  bool acking = false;         // the topology tracks tuple trees
  int64_t tick_ns = 0;         // the tick period; 0: no ticks
  std::vector<Argument> args;  // every declared parameter, defaults applied
  std::vector<std::vector<std::string>> input_fields;   // bolts and sinks: per input, in declaration order
  std::vector<std::string> stream_names;                // output streams, by index
  std::vector<std::vector<std::string>> stream_fields;  // their fields

  /// The argument `name`, or null when the component declares no such parameter.
  const Argument* Arg(std::string_view name) const {
    for (const Argument& a : args) {
      if (a.name == name) return &a;
    }
    return nullptr;
  }
  /// A string argument, or "" when it is missing or not a string.
  std::string String(std::string_view name) const {
    const Argument* a = Arg(name);
    return a && a->value.is_string() ? a->text : std::string();
  }
  /// An int (also a duration in ns, a size in bytes, a bool as 0/1) or `otherwise`.
  int64_t Int(std::string_view name, int64_t otherwise = 0) const {
    const Argument* a = Arg(name);
    return a && (a->value.type == Type::kInt || a->value.type == Type::kBool) ? a->value.i : otherwise;
  }
  /// A number (int or float) or `otherwise`.
  double Float(std::string_view name, double otherwise = 0) const {
    const Argument* a = Arg(name);
    return a && (a->value.is_int() || a->value.is_float()) ? a->value.AsDouble() : otherwise;
  }
  bool Bool(std::string_view name, bool otherwise = false) const {
    const Argument* a = Arg(name);
    return a && a->value.type == Type::kBool ? a->value.i != 0 : otherwise;
  }
  /// Index of output stream `name`, or -1.
  int Stream(std::string_view name) const {
    for (size_t i = 0; i < stream_names.size(); ++i) {
      if (stream_names[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
  /// Index of `field` in input `input`'s tuples, or -1.
  int InputField(int input, std::string_view field) const {
    if (input < 0 || static_cast<size_t>(input) >= input_fields.size()) return -1;
    const std::vector<std::string>& f = input_fields[static_cast<size_t>(input)];
    for (size_t i = 0; i < f.size(); ++i) {
      if (f[i] == field) return static_cast<int>(i);
    }
    return -1;
  }
};

/// A bolt or a sink.
class Bolt {
 public:
  virtual ~Bolt() = default;
  virtual void Open(const Context& ctx) {}
  /// One tuple that arrived on input `input` (in declaration order).
  virtual void Execute(const Tuple& tuple, int input, Emitter& out) = 0;
  /// A whole batch; the default calls Execute for each tuple. Override it
  /// to work on many tuples at once (call out.Anchor(t) before emitting
  /// what derives from tuple t, for acking).
  virtual void ExecuteBatch(const Batch& batch, int input, Emitter& out) {
    for (size_t t = 0; t < batch.size(); ++t) {
      out.Anchor(t);
      Execute(batch[t], input, out);
    }
  }
  /// Periodic, when the topology sets `tick` (or the signature's default_tick_ns).
  virtual void Tick(Emitter& out) {}
  /// Every input has ended: emit what is left.
  virtual void Finish(Emitter& out) {}
};

/// A spout.
class Spout {
 public:
  virtual ~Spout() = default;
  virtual void Open(const Context& ctx) {}
  /// Emits some tuples (about a batch's worth, or what is at hand) and
  /// returns true, or returns false once exhausted (a bounded stream ends).
  /// May block for input, but for no more than about a millisecond at a time
  /// while out.Stopping() is false, so batches are not held back and the job
  /// can stop.
  virtual bool Next(Emitter& out) = 0;
};

}  // namespace smc::plugin
