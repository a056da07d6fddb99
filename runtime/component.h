// The interface between the runtime and components (built-in or a user's).
//
// A component instance (a Storm executor with one task) is created once per
// instance, opened with its Context, and then called by one thread at a time:
// its state needs no locking. Bolts and sinks receive whole batches of tuples
// (Execute), periodic ticks when configured (Tick), and Finish once every
// upstream instance has finished: a bolt with state emits its totals there.
// Spouts run on a thread of their own and are asked for tuples by Next until
// they say they are exhausted or the job stops.
//
// Components emit through an Emitter, one tuple at a time; the runtime
// batches, routes by grouping and delivers.
//
// With acking on (the topology's `acking` setting; runtime/acker.h), a bolt
// anchors what it emits to the input tuples it derives from (Anchor before
// Emit). How its inputs are acked is its AckMode: kAuto, the runtime acks
// every input tuple after Execute; kHold (aggregators), the runtime holds
// their trees (parked) and acks them after each Tick and Finish, when the
// component has emitted; kExplicit, the component acks or fails each tuple
// itself through SharedEmitter (shell bolts), or, for sinks that write
// through a Writer, hands the acks to the writer to apply to Context::acker
// once the output is written. Spouts are unreliable unless
// Reliable() says otherwise: the runtime then gives each of their tuples a
// message id, keeps it and replays it on failure; a reliable spout emits with
// message ids of its own and hears Ack/Fail for them, on its own thread. A component that throws fails the
// job: the exception's text is reported with the component's name and its
// .topo location.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/graph.h"
#include "dsl/value.h"
#include "runtime/flat_map64.h"
#include "runtime/setting_defaults.h"
#include "runtime/tuple.h"

namespace smc::rt {

class Acker;
class Outputs;
class SharedEmitter;
struct PlanTopology;

/// Thrown by a component when reading an input or writing an output fails
/// (a file that cannot be opened, standard input that is a directory): the
/// run fails as an I/O error (smc exits 74), not as a component failure (70).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws IoError("cannot read NAME: Is a directory") when `fd` is a
/// directory, which open(2) accepts and read(2) refuses.
void ThrowIfDirectory(int fd, const std::string& name);

/// What an instance may know of the topology around it, as plain data (the
/// plan stays the runtime's): what Storm's TopologyContext and the
/// multi-lang handshake tell a component. Shared by a component's instances.
struct TopologyView {
  struct Subscriber {
    std::string component;
    GraphGrouping grouping;
  };
  struct Source {
    std::string component, stream;  // the input's producer and its stream
    std::vector<std::string> fields;
    GraphGrouping grouping;
    int first_task = 1;  // the producer's first task id
  };
  std::string name;                                  // the topology's
  std::vector<std::string> task_components;          // [task id - 1]: that task's component
  std::vector<std::vector<Subscriber>> subscribers;  // per output stream: who reads it, how
  std::vector<Source> inputs;                        // per input, in declaration order
  std::map<std::string, Value> conf;                 // `topology.*`/`conf.*` settings (dsl/settings.h IsConfKey)
  int max_pending = static_cast<int>(SettingDefault("max.pending"));  // the component's `max.pending`
};

/// The view of component `component` of `t`.
std::shared_ptr<const TopologyView> ViewOf(const PlanTopology& t, int component);

/// What an instance knows about itself.
struct Context {
  std::string component;  // its name in the topology
  std::string location;   // "file.topo:4:5"
  int instance = 0;       // 0-based
  int parallelism = 1;
  const std::map<std::string, Value>* args = nullptr;                    // every parameter, defaults applied
  std::vector<std::vector<std::string>> input_fields;                    // per input, in declaration order
  std::vector<std::string> stream_names;                                 // output streams, by index
  std::vector<std::vector<std::string>> stream_fields;                   // their fields
  std::string base_dir;                                                  // folder of the .topo file
  Outputs* outputs = nullptr;                                            // standard output and files (sinks)
  int64_t tick_ns = 0;                                                   // the `tick` setting; 0: none
  int batch_size = static_cast<int>(SettingDefault("batch.size"));       // about what a spout's Next should emit
  int64_t linger_ns = SettingDefault("batch.linger");                    // how long output may wait (sinks' writers)
  int64_t subprocess_timeout_ns = SettingDefault("subprocess.timeout");  // the `subprocess.timeout` setting
  std::string on_failure = SettingDefaultText("on.failure");             // the `on.failure` setting
  int max_restarts = static_cast<int>(SettingDefault("max.restarts"));   // the `max.restarts` setting
  std::shared_ptr<const TopologyView> topology;                          // the topology around it (never null when run)
  int component_index = 0;                                               // this component's index in it
  int task_id = 1;                  // Storm task id of this instance (1-based, per topology)
  std::vector<int> first_task;      // task id of each component's first instance
  SharedEmitter* shared = nullptr;  // for components that emit from threads of their own
  bool acking = false;              // the topology tracks tuple trees (the `acking` setting)
  Acker* acker = nullptr;           // with acking on: for sinks that ack once their output is written
  int64_t message_timeout_ns = SettingDefault("message.timeout");  // the `message.timeout` setting

  const Value& Arg(const std::string& name) const;
  std::string StringArg(const std::string& name) const;
  /// A string argument naming a file: a relative path is taken from the
  /// folder of the .topo file (`base_dir`), as every relative path in a
  /// .topo is; the result is what messages name.
  std::string PathArg(const std::string& name) const;
  int64_t IntArg(const std::string& name) const;
  /// Index of an output stream, or -1.
  int Stream(std::string_view name) const;
  /// Index of `field` in input `input`'s fields, or -1.
  int InputField(int input, std::string_view field) const;
};

/// Input trees a kExplicit component holds in a group of its own choosing
/// (the tuples of one window), acked together when the group is released
/// (once the window has emitted). Empty when acking is off.
struct HeldTrees {
  FlatMap64<uint64_t> xors;  // root -> the held tuples' edges, XORed
};

/// Where components send what they produce.
class Emitter {
 public:
  virtual ~Emitter() = default;
  /// Emits one tuple on output stream `stream`; `values` has the stream's width.
  virtual void Emit(int stream, const Datum* values) = 0;
  /// Emits every tuple of `batch` (of the stream's width) on `stream`: the
  /// same as emitting them one by one, but shuffled subscribers may get the
  /// whole batch at once.
  virtual void EmitAll(int stream, const Batch& batch);
  /// Emits every tuple of the input `batch` on `stream`, each anchored to
  /// itself (a bolt that passes its input on): EmitAll when acking is off.
  virtual void PassAll(int stream, const Batch& batch) { EmitAll(stream, batch); }
  /// Emits to one instance of each `direct` subscriber of the stream.
  virtual void EmitDirect(int stream, int instance, const Datum* values) = 0;
  /// Reports bad input: counted, and emitted as (input, reason) on the
  /// component's `errors` stream when it has one.
  virtual void Error(std::string_view input, std::string_view reason) = 0;
  /// With acking on: what is emitted from now on (until the next Anchor, or
  /// the end of the Execute/Tick/Finish call) derives from tuple `t` of
  /// `batch` and belongs to its trees. No-op when acking is off.
  virtual void Anchor(const Batch& batch, size_t t) {}
  /// Adds tuple `t` of `batch` to the current anchors (multi-anchoring).
  virtual void AnchorAlso(const Batch& batch, size_t t) {}
  /// What is emitted from now on derives from no input tuple (is anchored to none).
  virtual void ClearAnchors() {}
  /// kExplicit components with acking on: acks input tuple `t` of `batch` now.
  virtual void AckInput(const Batch& batch, size_t t) {}
  /// kExplicit components: parks tuple `t`'s trees (they no longer time out)
  /// and keeps its ack in `group` until Release(group).
  virtual void Hold(const Batch& batch, size_t t, HeldTrees* group) {}
  /// Acks every tuple held in `group` (after what derives from them was
  /// emitted) and empties it.
  virtual void Release(HeldTrees* group) {}
};

/// How a bolt's input tuples are acked (see the file comment).
enum class AckMode { kAuto, kHold, kExplicit };

/// How a bolt's instances may change in number while the job runs (smc
/// rebalance). kNone: it keeps state that cannot be split or moved, and
/// rebalance refuses it. kStateless: nothing needs to move (a subprocess of
/// its own starts afresh): instances are added, and removed ones finish as
/// at the end of the stream. kKeyed: its state is per value of one input
/// field (`key`: that field's index in each input's tuples); every input must
/// be grouped by fields (or partial) on exactly that field, and the state
/// moves with MoveState to the instance that will receive the key.
struct Rescaling {
  enum Kind : uint8_t { kNone, kStateless, kKeyed } kind = kNone;
  std::vector<int> key;  // kKeyed: per input
};

/// On rebalance, where a key's state goes: the index, among the new
/// instances, of the one the router now sends that key to.
using KeyRoute = std::function<size_t(const Datum& key)>;

/// A bolt or a sink.
class Component {
 public:
  virtual ~Component() = default;
  virtual void Open(const Context& ctx) {}
  /// Processes a batch that arrived on input `input`.
  virtual void Execute(const Batch& batch, int input, Emitter& out) = 0;
  virtual void Tick(Emitter& out) {}
  virtual void Finish(Emitter& out) {}
  /// The tick period the component needs when the topology sets none (0: no ticks).
  virtual int64_t DefaultTickNs() const { return 0; }
  /// Called after SharedEmitter::Wake(), on the instance's turn.
  virtual void Poll(Emitter& out) {}
  /// After Finish: false while work is still under way elsewhere (a
  /// subprocess); the runtime then waits for a Wake and asks again, and
  /// passes the end of the stream on once this is true.
  virtual bool Done() const { return true; }
  /// How its inputs are acked when acking is on.
  virtual AckMode Acking() const { return AckMode::kAuto; }
  /// Whether and how smc rebalance may change its number of instances.
  virtual Rescaling Rescalable() const { return {}; }
  /// kKeyed, on rebalance (the job is paused and nothing is in flight):
  /// moves all of this instance's state into `to`, fresh instances of the
  /// same implementation opened for the new instance count (this one is
  /// not among them and is destroyed afterwards, without Finish): each key's
  /// state into to[route(key)], merged with what another old instance moved
  /// there. State that is not per key (a watermark, window bounds) is merged
  /// into every new instance. Held trees (HeldTrees) move with what they
  /// belong to. Throwing fails the job.
  virtual void MoveState(const std::vector<Component*>& to, const KeyRoute& route) {}
};

/// What components with threads of their own (subprocesses) use to emit and
/// to talk to the runtime. Thread-safe: emitting takes the instance's lock, so
/// it never runs at the same time as Execute, Tick, Poll or Finish (which must
/// therefore not wait for such a thread while they run).
class SharedEmitter {
 public:
  virtual ~SharedEmitter() = default;
  /// Emits; appends the task ids the tuple went to to `tasks` when not null.
  virtual void Emit(int stream, const Datum* values, std::vector<int>* tasks) = 0;
  /// Emits to the instance with task id `task` of each direct subscriber.
  virtual void EmitDirect(int stream, int task, const Datum* values) = 0;
  virtual void Error(std::string_view input, std::string_view reason) = 0;
  /// Asks the runtime to call Component::Poll soon, on the instance's turn.
  virtual void Wake() = 0;
  /// Counts `batches` more (or fewer) as pending in this instance, so that
  /// spouts wait while a subprocess has too much queued (backpressure).
  virtual void Hold(int batches) = 0;
  /// Reports a failure of this instance (with its name and location) and
  /// stops the job; the run exits 70.
  virtual void Fail(const std::string& what) = 0;
  /// Writes one line to standard error, below any status line.
  virtual void Log(const std::string& line) = 0;
  /// Record a metric the component reported by name (a multi-lang
  /// "metrics" message), for --metrics and `smc ps JOB`: a number adds to
  /// its total, another value (JSON text) replaces it. See ReportedMetrics
  /// (runtime/metrics.h).
  virtual void AddMetric(const std::string& name, double amount) {}
  virtual void SetMetric(const std::string& name, std::string_view json) {}

  // With acking on (Context::acking); without it, the plain calls above.
  /// Emits anchored to `anchors` (input tuples kept with Batch::AckOf), to
  /// the instance with task id `direct_task` of each direct subscriber when
  /// it is >= 0.
  virtual void EmitAnchored(int stream, const Datum* values, std::vector<int>* tasks, int direct_task,
                            const std::vector<const TupleAck*>& anchors) = 0;
  /// Acks or fails an input tuple (fails: its trees fail now and are replayed).
  virtual void Ack(const TupleAck& tuple) = 0;
  virtual void FailTuple(const TupleAck& tuple) = 0;
  /// A reliable spout's emit with its message id `msg` (a new tree).
  virtual void EmitWithId(int stream, const Datum* values, std::vector<int>* tasks, int direct_task, uint64_t msg) = 0;
};

/// What a spout may ask of the runtime while it produces.
class SpoutControl {
 public:
  virtual ~SpoutControl() = default;
  /// True once the job is stopping: Next should return false soon.
  virtual bool Stopping() const = 0;
  /// A file descriptor that becomes readable when the job stops (to poll on
  /// together with an input).
  virtual int WakeFd() const = 0;
};

class Spout {
 public:
  virtual ~Spout() = default;
  virtual void Open(const Context& ctx) {}
  /// Emits some tuples (about a batch's worth, or what is at hand). Returns
  /// false when exhausted (with acking, a reliable spout is asked again
  /// after a Fail, to emit the failed message again). May block for input, but for no more than about a
  /// millisecond at a time when data is pending, so batches are not held back.
  virtual bool Next(Emitter& out, const SpoutControl& ctl) = 0;

  /// With acking on: true when the spout emits with message ids of its own
  /// (SharedEmitter::EmitWithId) and replays what fails itself. Otherwise
  /// the runtime numbers, keeps and replays its tuples.
  virtual bool Reliable() const { return false; }
  /// A reliable spout's message is done (every tuple of its tree acked).
  virtual void Ack(uint64_t msg) {}
  /// A reliable spout's message failed (a bolt failed it, or it timed
  /// out): emit it again. Returns false when it cannot (its process is
  /// gone): the message is then given up (reported). Not called once it has
  /// failed max.replays times.
  virtual bool Fail(uint64_t msg) { return false; }
  /// The message as text, for the report when it is given up.
  virtual std::string MessageText(uint64_t msg) const { return std::to_string(msg); }
  /// The job was deactivated (false: Next is not called until it is
  /// activated again; with acking, Ack and Fail still are) or activated
  /// again (true). Storm's deactivate and activate; on the spout's thread.
  virtual void Activate(bool active) {}
};

}  // namespace smc::rt
