// shell(command) as a bolt: a subprocess speaking Apache Storm's multi-lang
// protocol (the parent side; shared pieces in multilang.h).
//
// Tuples go to the child from Execute through the child's writer thread; a
// reader thread handles what the child sends. After each batch a heartbeat
// tuple follows: the child's sync for it shows the whole batch was processed
// (the batch stops counting as pending, for backpressure) and, at the end,
// that everything was. A child that dies is restarted and the batches it had
// not confirmed are sent again (at least once), or the run fails.
//
// A tuple is done when the child acks or fails it, as in Storm (a sync is a
// sign of life, and the end of input waits for the acks too). With acking on
// (the topology's `acking`), the child's ack or fail goes to the tuple's tree,
// its emits are anchored to the tuples its "anchors" name, and tuples a
// restarted child had confirmed but not acked are failed (replayed).
//
// Threads: Execute/Tick/Finish (the runtime's, one at a time) and the reader
// thread share child_ and unsynced_ under mu_. Only the reader thread replaces
// the child; while it does, child_ is null and batches are only queued in
// unsynced_, from where the new child gets them all.
#include <map>
#include <unordered_map>

#include "dsl/value.h"
#include "runtime/stop.h"
#include "stdlib/builtins.h"
#include "stdlib/child.h"
#include "stdlib/formats.h"
#include "stdlib/multilang.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec ShellBoltSpec() {
  ComponentSpec s;
  s.name = "shell";
  s.kind = ComponentKind::kBolt;
  s.summary = "a bolt written in any language (Storm multi-lang protocol)";
  s.params = {Required("command", ParamType::kString,
                       "the command line, split like a shell would; run in the .topo file's folder"),
              Optional("message_timeout", ParamType::kDuration,
                       "a tuple not acked or failed by the subprocess within this time fails it (as on.failure says); "
                       "default: the topology's message.timeout"),
              Optional("max_unacked", ParamType::kInt, Value::Int(100'000),
                       "tuples sent to the subprocess and not yet acked before its producers wait")};
  s.outputs_doc = "as declared with '->'";
  s.outputs_from_arrow = true;
  s.emits_direct = true;
  return s;
}

}  // namespace smc::stdlib

// ---- behaviour -------------------------------------------------------------------

namespace smc::stdlib {
namespace {

// Tuple ids handed to the child and not yet acked or failed, by batch: one
// bit per tuple, so a child that never acks costs little until the limits
// (max_unacked, message_timeout) act.
class Unacked {
 public:
  void Insert(uint64_t first, uint64_t last, int64_t now_ns) {
    Erase(first);
    Range& r = ranges_[first];
    r.last = last;
    r.sent_ns = now_ns;
    r.acked.assign(last - first + 1, false);
    r.left = last - first + 1;
    count_ += r.left;
  }
  // False for an id that is unknown or acked already.
  bool Ack(uint64_t id) {
    auto it = ranges_.upper_bound(id);
    if (it == ranges_.begin()) return false;
    --it;
    Range& r = it->second;
    if (id > r.last || r.acked[id - it->first]) return false;
    r.acked[id - it->first] = true;
    --count_;
    if (--r.left == 0) ranges_.erase(it);
    return true;
  }
  // The oldest unacked id and when it was sent; false when none.
  bool Oldest(uint64_t* id, int64_t* sent_ns) const {
    if (ranges_.empty()) return false;
    const auto& [first, r] = *ranges_.begin();
    size_t i = 0;
    while (r.acked[i]) ++i;
    *id = first + i;
    *sent_ns = r.sent_ns;
    return true;
  }
  // Takes every unacked id out (in order).
  std::vector<uint64_t> TakeAll() {
    std::vector<uint64_t> out;
    for (const auto& [first, r] : ranges_) {
      for (size_t i = 0; i < r.acked.size(); ++i) {
        if (!r.acked[i]) out.push_back(first + i);
      }
    }
    ranges_.clear();
    count_ = 0;
    return out;
  }
  size_t count() const { return count_; }

 private:
  void Erase(uint64_t first) {
    auto it = ranges_.find(first);
    if (it == ranges_.end()) return;
    count_ -= it->second.left;
    ranges_.erase(it);
  }
  struct Range {
    uint64_t last = 0;
    int64_t sent_ns = 0;
    std::vector<bool> acked;
    size_t left = 0;
  };
  std::map<uint64_t, Range> ranges_;  // by first id
  size_t count_ = 0;
};

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string TupleText(const rt::Batch& b, size_t t) {
  std::string s;
  for (int k = 0; k < b.width(); ++k) {
    if (k) s += '\t';
    b.Get(t, k).AppendText(&s);
  }
  return s;
}

class ShellBolt : public rt::Component {
 public:
  // Nothing of its own to move on rebalance (a subprocess starts afresh).
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kStateless, {}}; }
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    peer_ = std::make_unique<ShellPeer>(ctx, ComponentKind::kBolt);
    auto timeout = ctx.args->find("message_timeout");
    message_timeout_ns_ = timeout != ctx.args->end() ? timeout->second.num : ctx.message_timeout_ns;
    max_unacked_ = static_cast<size_t>(std::max<int64_t>(1, ctx.IntArg("max_unacked")));
    hold_batches_ = std::max(1, ctx.topology->max_pending);
    for (const rt::TopologyView::Source& in : ctx.topology->inputs) {
      sources_.push_back({in.component, in.stream, in.first_task});
    }
    child_ = peer_->Launch(message_timeout_ns_);
    reader_thread_ = std::thread([this] { ReaderMain(); });
  }

  ~ShellBolt() override {
    stop_.store(true);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (child_) child_->Stop();  // the reader sees its output end
    }
    if (reader_thread_.joinable()) reader_thread_.join();
  }

  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    if (dead_.load()) {
      for (size_t t = 0; t < b.size(); ++t) out.Error(TupleText(b, t), "the subprocess failed");
      return;
    }
    const Source& src = sources_[input];
    std::string chunk;
    chunk.reserve(b.size() * 64);
    const int task = b.source_task() > 0 ? b.source_task() : src.task;  // the emitting instance's task
    for (size_t t = 0; t < b.size(); ++t) {
      std::string id = std::to_string(++next_id_);
      AppendTupleJson(id, src.component, src.stream, task, b, t, &chunk);
      chunk.append("\nend\n");
    }
    uint64_t first = next_id_ - b.size() + 1;
    if (ctx_->acking && b.tracked()) {
      std::lock_guard<std::mutex> lock(ids_mu_);
      for (size_t t = 0; t < b.size(); ++t) {
        if (b.track(t).root_count) tracked_[first + t] = b.AckOf(t);
      }
    }
    if (!Send(std::move(chunk), /*hold=*/true, first, next_id_)) {
      for (size_t t = 0; t < b.size(); ++t) out.Error(TupleText(b, t), "the subprocess failed");
    }
  }

  // Ticks reach the child as Storm's tick tuples.
  void Tick(rt::Emitter&) override {
    if (dead_.load()) return;
    std::string chunk;
    AppendFrame("{\"id\": \"tick\", \"comp\": \"__system\", \"stream\": \"__tick\", \"task\": -1, \"tuple\": [" +
                    std::to_string(std::max<int64_t>(1, ctx_->tick_ns / 1'000'000'000)) + "]}",
                &chunk);
    Send(std::move(chunk), /*hold=*/false);
  }

  // At the end: once the child has confirmed and acked every tuple, its
  // standard input is closed so that it can emit what it still holds and exit.
  void Finish(rt::Emitter&) override {
    std::lock_guard<std::mutex> lock(mu_);
    finishing_ = true;
    if (AllDone()) CloseInput();
  }
  bool Done() const override { return dead_.load() || ended_.load(); }
  rt::AckMode Acking() const override { return rt::AckMode::kExplicit; }

 private:
  struct Source {
    std::string component, stream;
    int task;
  };
  struct Unsynced {
    std::string chunk;  // the tuples and the heartbeat that ends them
    bool hold;
    uint64_t first_id = 0, last_id = 0;  // the tuple ids in it (none when first_id is 0)
  };

  // Called with mu_ held: every tuple sent was confirmed and acked or
  // failed (a child that never acks is restarted after message_timeout).
  bool AllDone() {
    std::lock_guard<std::mutex> ids_lock(ids_mu_);
    return unsynced_.empty() && unacked_.count() == 0;
  }

  // Called with mu_ held. No-op while the child is being replaced (the new
  // one is closed once it has confirmed what it was sent).
  void CloseInput() {
    if (closing_ns_ != 0 || !child_) return;
    closing_ns_ = Now();
    peer_->NoteInputClosed();
    child_->CloseInputWhenDone();
  }

  // Queues a chunk, followed by a heartbeat, for the child. False when the
  // component has given up (the chunk was not taken).
  bool Send(std::string chunk, bool hold, uint64_t first_id = 0, uint64_t last_id = 0) {
    chunk.append(kHeartbeatFrame);
    bool over_limit = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (dead_.load()) return false;
      if (hold) ctx_->shared->Hold(1);
      if (first_id != 0) {
        std::lock_guard<std::mutex> ids_lock(ids_mu_);
        unacked_.Insert(first_id, last_id, Now());
        over_limit = unacked_.count() >= max_unacked_;
      }
      unsynced_.push_back({chunk, hold, first_id, last_id});
      last_barrier_ns_ = Now();
      if (child_) child_->Write(std::move(chunk), false);
    }
    if (over_limit) Throttle(true);
    return true;
  }

  // Past max_unacked, the producers wait: the instance counts as full until
  // acks bring it back under the limit.
  void Throttle(bool on) {
    std::lock_guard<std::mutex> lock(throttle_mu_);
    if (on == throttled_) return;
    throttled_ = on;
    ctx_->shared->Hold(on ? hold_batches_ : -hold_batches_);
  }

  void ReaderMain() {
    try {
      ReaderLoop();
    } catch (const EmitError& e) {
      GiveUp(e.what());
    } catch (const std::exception& e) {
      GiveUp(label() + " internal error: " + e.what());
    } catch (...) {
      GiveUp(label() + " internal error: an unknown exception");
    }
  }

  const std::string& label() const { return peer_->label(); }

  void ReaderLoop() {
    int64_t last_heard = Now();
    int64_t stop_seen_ns = 0;
    while (!stop_.load()) {
      std::string json;
      auto r = peer_->reader().Read(&json, 100'000'000);
      if (stop_.load()) return;
      std::string fault;
      int64_t closing;
      bool pending;
      {
        std::lock_guard<std::mutex> lock(mu_);
        closing = closing_ns_;
        pending = !unsynced_.empty();
      }
      if (rt::StopSignal::Get().requested() && stop_seen_ns == 0) stop_seen_ns = Now();
      if (closing &&
          (r == FrameReader::Result::kEof || r == FrameReader::Result::kError || Now() - closing > kExitWaitNs)) {
        ended_.store(true);  // it has exited, or had its chance to emit what it held
        ctx_->shared->Wake();
        return;
      }
      if (r == FrameReader::Result::kTimeout) {
        bool waiting;
        {
          std::lock_guard<std::mutex> lock(mu_);
          waiting = !unsynced_.empty();
          // Like Storm, a heartbeat about once a second keeps an idle child checked.
          if (!waiting && closing_ns_ == 0 && Now() - last_barrier_ns_ > 1'000'000'000) {
            unsynced_.push_back({std::string(kHeartbeatFrame), false});
            last_barrier_ns_ = Now();
            child_->Write(std::string(kHeartbeatFrame), false);
          }
        }
        fault = CheckDeadlines(waiting, last_heard, stop_seen_ns);
        if (fault.empty()) continue;
      } else if (r == FrameReader::Result::kEof || r == FrameReader::Result::kError) {
        int status;
        fault = peer_->EndedFault(child_.get(), &status);
      } else if (r == FrameReader::Result::kTooLarge) {
        fault = ShellPeer::TooLargeFault();
      } else {
        last_heard = Now();
        try {
          Handle(json);
          fault = CheckDeadlines(pending, last_heard, stop_seen_ns);  // a chatty child can hang too
          if (fault.empty()) continue;
        } catch (const ProtocolError& e) {
          fault = e.what();
        }
      }
      if (!Recover(fault)) return;
      last_heard = Now();
    }
  }

  // "" or the fault: silent too long, a tuple not acked in time, or a stop
  // that waits too long for the child.
  std::string CheckDeadlines(bool waiting, int64_t last_heard, int64_t stop_seen_ns) {
    int64_t now = Now();
    if (waiting && stop_seen_ns != 0) {
      int64_t grace = std::min(ctx_->subprocess_timeout_ns, kStopGraceNs);
      if (now - stop_seen_ns > grace) {
        return "did not confirm its tuples within " + Value::Duration(grace).ToText() + " of the stop";
      }
    }
    if (waiting && now - last_heard >= ctx_->subprocess_timeout_ns) {
      return "fell silent for longer than the subprocess timeout (" +
             Value::Duration(ctx_->subprocess_timeout_ns).ToText() + ")";
    }
    return CheckMessageTimeout();
  }

  std::string CheckMessageTimeout() {
    uint64_t id;
    int64_t sent_ns;
    bool any;
    {
      std::lock_guard<std::mutex> lock(ids_mu_);
      any = unacked_.Oldest(&id, &sent_ns);
      if (unacked_.count() < max_unacked_) Throttle(false);
    }
    if (!any || Now() - sent_ns <= message_timeout_ns_) return "";
    return "did not ack or fail tuple " + std::to_string(id) + " within the message timeout (" +
           Value::Duration(message_timeout_ns_).ToText() + ")";
  }

  void Handle(const std::string& json) {
    ChildMessage m(json);
    if (m.command == "emit") {
      // Only this thread replaces child_, so it needs no lock here, and a
      // child slow to read its task ids blocks no one else.
      if (!ctx_->acking) {
        peer_->HandleEmit(m, child_.get());
        return;
      }
      // Anchored to the tuples it names; the tracked ones live in tracked_
      // until this thread sees their ack or fail.
      std::vector<const rt::TupleAck*> anchors;
      if (const rapidjson::Value* a = m.Find("anchors"); a && a->IsArray()) {
        std::lock_guard<std::mutex> lock(ids_mu_);
        for (const auto& v : a->GetArray()) {
          uint64_t n = 0;
          if (v.IsString()) n = std::strtoull(v.GetString(), nullptr, 10);
          if (v.IsUint64()) n = v.GetUint64();
          auto it = tracked_.find(n);
          if (it != tracked_.end()) anchors.push_back(&it->second);
        }
      }
      peer_->HandleEmit(m, child_.get(), {&anchors, nullptr});
    } else if (m.command == "ack" || m.command == "fail") {
      std::string id = m.Id();
      if (id == "tick") return;  // tick tuples may be acked, as in Storm
      bool known = false;
      rt::TupleAck tuple;
      {
        std::lock_guard<std::mutex> lock(ids_mu_);
        char* end = nullptr;
        uint64_t n = std::strtoull(id.c_str(), &end, 10);
        known = !id.empty() && *end == 0 && unacked_.Ack(n);
        if (unacked_.count() < max_unacked_) Throttle(false);
        if (auto it = tracked_.find(n); known && it != tracked_.end()) {
          tuple = std::move(it->second);
          tracked_.erase(it);
        }
      }
      if (!known) {
        ctx_->shared->Log(label() + " error: " + m.command + " of an unknown or already acked tuple id '" + id + "'");
        ctx_->shared->Error(id, m.command + " of an unknown or already acked tuple id");
        return;
      }
      if (m.command == "fail" && !tuple.roots.empty()) {
        ctx_->shared->FailTuple(tuple);  // its spout tuple is replayed
      } else if (m.command == "fail") {
        ctx_->shared->Error(id, "failed by the bolt");
      } else {
        ctx_->shared->Ack(tuple);
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (finishing_ && AllDone()) CloseInput();
    } else if (m.command == "sync") {
      std::lock_guard<std::mutex> lock(mu_);
      if (unsynced_.empty()) return;  // an extra sync: harmless
      if (unsynced_.front().hold) ctx_->shared->Hold(-1);
      unsynced_.pop_front();
      if (finishing_ && AllDone()) CloseInput();
    } else if (!peer_->HandleCommon(m)) {
      ctx_->shared->Log(label() + " warning: unknown command '" + m.command + "' ignored");
    }
  }

  // After a fault: restart the child and resend what it had not confirmed, or
  // give up. Returns false when the reader should stop.
  bool Recover(const std::string& fault) {
    std::string message = peer_->Describe(child_.get(), fault);
    if (!peer_->MayRestart(message)) {
      GiveUp(message);
      return false;
    }
    std::unique_ptr<Child> old;
    {
      std::lock_guard<std::mutex> lock(mu_);
      old = std::move(child_);  // from now on batches are only queued
    }
    old->Stop();
    old.reset();
    // Tuples the old child confirmed (synced) but never acked are reported,
    // not silently forgotten; the unconfirmed ones are sent again below.
    ReportUnacked("the subprocess was restarted before it acked this tuple", /*keep_unsynced=*/true);
    std::unique_ptr<Child> fresh;
    try {
      fresh = peer_->Launch(message_timeout_ns_);
    } catch (const std::exception& e) {
      GiveUp(e.what());
      return false;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_.load()) {  // the component is being destroyed
      fresh->Stop();
      return false;
    }
    child_ = std::move(fresh);
    for (const Unsynced& u : unsynced_) {
      child_->Write(u.chunk, false);  // at least once
      if (u.first_id != 0) {
        std::lock_guard<std::mutex> ids_lock(ids_mu_);
        unacked_.Insert(u.first_id, u.last_id, Now());  // the new child acks them again
      }
    }
    last_barrier_ns_ = Now();
    if (finishing_ && AllDone()) CloseInput();
    return true;
  }

  // Reports the ids not acked by a child that is gone as errors (the ones
  // in unconfirmed batches too unless `keep_unsynced`).
  void ReportUnacked(const std::string& reason, bool keep_unsynced) {
    std::vector<uint64_t> ids;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::lock_guard<std::mutex> ids_lock(ids_mu_);
      ids = unacked_.TakeAll();
      if (keep_unsynced) {
        std::vector<uint64_t> kept;
        for (uint64_t id : ids) {
          bool resent = false;
          for (const Unsynced& u : unsynced_) resent = resent || (u.first_id <= id && id <= u.last_id);
          if (!resent) kept.push_back(id);
        }
        ids.swap(kept);
      }
      if (unacked_.count() < max_unacked_) Throttle(false);
    }
    for (uint64_t id : ids) {
      rt::TupleAck tuple;
      {
        std::lock_guard<std::mutex> ids_lock(ids_mu_);
        if (auto it = tracked_.find(id); it != tracked_.end()) {
          tuple = std::move(it->second);
          tracked_.erase(it);
        }
      }
      if (!tuple.roots.empty()) {
        ctx_->shared->FailTuple(tuple);  // with acking: replayed from its spout
      } else {
        ctx_->shared->Error(std::to_string(id), reason);
      }
    }
  }

  // The run fails with `message`; what the child had not confirmed is
  // released (the failed run accounts for it).
  void GiveUp(const std::string& message) {
    int holds = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      dead_.store(true);
      for (const Unsynced& u : unsynced_) holds += u.hold ? 1 : 0;
      unsynced_.clear();
    }
    {
      std::lock_guard<std::mutex> ids_lock(ids_mu_);
      unacked_.TakeAll();
      tracked_.clear();
    }
    Throttle(false);
    if (holds) ctx_->shared->Hold(-holds);
    ctx_->shared->Fail(message);
    ctx_->shared->Wake();
  }

  static constexpr int64_t kExitWaitNs = 2'000'000'000;   // for a child to exit after its input closed
  static constexpr int64_t kStopGraceNs = 5'000'000'000;  // on a stop, for a child to confirm its tuples

  const rt::Context* ctx_ = nullptr;
  std::unique_ptr<ShellPeer> peer_;  // used by the reader thread (and Open)
  int64_t message_timeout_ns_ = 30'000'000'000;
  size_t max_unacked_ = 100'000;
  int hold_batches_ = 8;
  std::vector<Source> sources_;
  std::atomic<bool> ended_{false};

  std::mutex mu_;  // child_, unsynced_, closing_ns_, finishing_, last_barrier_ns_
  std::unique_ptr<Child> child_;
  std::deque<Unsynced> unsynced_;
  int64_t closing_ns_ = 0;  // when its input was closed; 0: not yet
  bool finishing_ = false;
  int64_t last_barrier_ns_ = 0;

  std::mutex ids_mu_;  // unacked_, tracked_ (taken after mu_ when both are)
  Unacked unacked_;
  std::unordered_map<uint64_t, rt::TupleAck> tracked_;  // with acking: tuples sent, by id, until acked or failed
  std::mutex throttle_mu_;
  bool throttled_ = false;

  uint64_t next_id_ = 0;  // Execute's only
  std::atomic<bool> stop_{false};
  std::atomic<bool> dead_{false};
  std::thread reader_thread_;
};

}  // namespace

std::unique_ptr<rt::Component> MakeShellBolt() {
  return std::make_unique<ShellBolt>();
}

}  // namespace smc::stdlib
