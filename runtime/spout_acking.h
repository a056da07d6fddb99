// Acking on a spout's own thread: the runtime's side of a spout when the
// topology tracks tuple trees (runtime/acker.h).
//
// An unreliable spout (all built-in ones: file, stdin, generate, channel, ...)
// emits as always; SpoutAcking numbers each of its tuples, keeps a copy in a
// ReplayBuffer until its tree completes, and emits it again when the tree
// fails or times out. A reliable spout (a shell spout: Spout::Reliable)
// emits with message ids of its own and is told Ack/Fail for them, the way
// Storm calls ack/fail/nextTuple on one thread. Either way a message that
// failed more than max.replays times is given up: reported and counted, and
// the run ends non-zero.
//
// Used by one thread (the spout's) except SpoutAcks, which any thread fills.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/acker.h"
#include "runtime/component.h"
#include "runtime/flat_map64.h"
#include "runtime/plan.h"
#include "runtime/router.h"

namespace smc::rt {

/// Copies of spout tuples kept until acked, by message id. A tuple costs
/// its values' bytes plus a small header; bounded by max.spout.pending.
class ReplayBuffer {
 public:
  /// Keeps a tuple of `width` values emitted on `stream`; returns its id.
  uint64_t Add(int stream, const Datum* values, int width);
  /// The kept tuple `id`: its stream and values (strings view the buffer,
  /// valid until it changes); false when unknown.
  bool Find(uint64_t id, int* stream, std::vector<Datum>* values) const;
  /// Counts one more replay of `id` and returns how many it has had before.
  int CountReplay(uint64_t id);
  void Erase(uint64_t id) { kept_.Erase(id); }
  size_t size() const { return kept_.size(); }

 private:
  struct Kept {
    int stream = 0;
    int replays = 0;
    std::string bytes;  // the values, encoded
  };
  FlatMap64<Kept> kept_;  // by id, from 1
  uint64_t next_ = 0;
};

class SpoutAcking final : public Emitter {
 public:
  /// `give_up` is called with a line describing each message given up.
  SpoutAcking(Router* router, Spout* spout, const PlanAcking& cfg, std::function<void(const std::string&)> give_up);

  /// The emitter the spout's Next gets.
  Emitter& emitter() { return reliable_ ? static_cast<Emitter&>(*router_) : *this; }
  /// Where the acker reports this spout's trees.
  SpoutAcks* acks() { return &acks_; }

  // An unreliable spout's tuples: numbered, kept, tracked.
  void Emit(int stream, const Datum* values) override;
  void EmitDirect(int stream, int instance, const Datum* values) override;
  void Error(std::string_view input, std::string_view reason) override { router_->Error(input, reason); }

  /// Handles what the acker reported since the last call: acks and fails
  /// to a reliable spout, replays of kept tuples, give-ups. Returns how many
  /// reports there were; `*failed` is set when a reliable spout was told of
  /// a failure (its Next should run again, even after its end).
  size_t Drain(bool* failed);
  /// max.spout.pending trees are pending: Next should wait.
  bool Full() const { return acks_.pending() >= max_pending_; }
  int pending() const { return acks_.pending(); }
  /// Messages given up so far.
  uint64_t given_up() const { return given_up_; }

 private:
  void GiveUp(const std::string& text);

  Router* router_;
  Spout* spout_;
  bool reliable_;
  int max_pending_;
  int max_replays_;
  std::function<void(const std::string&)> give_up_;
  SpoutAcks acks_;
  ReplayBuffer buffer_;
  std::unordered_map<uint64_t, int> fails_;  // a reliable spout's messages that failed, by id
  std::vector<SpoutAcks::Done> done_;
  std::vector<Datum> values_;
  uint64_t given_up_ = 0;
};

}  // namespace smc::rt
