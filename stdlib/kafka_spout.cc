// kafka(brokers: ..., topic: ..., group: ...) spout: a topology reading
// from Apache Kafka (librdkafka's C API; kafka_client.h).
//
// The spout joins consumer group `group`, subscribes to `topic` and emits
// every record as (key, value, partition, offset); automatic commits are
// off. Without acking it commits a record's offset once its tuple has left
// the spout (Emit returned); with acking it is a reliable spout: each record
// is a message id of its own, replayed when its tree fails, and per
// partition only the prefix of offsets whose trees are all acked is
// committed. Commits are asynchronous while it runs and synchronous at the
// end, so a later consumer of the group reads nothing twice. Partition
// assignments and revocations are reported on standard error; on a
// revocation what is done is committed and the partition's pending records
// are forgotten (its new owner reads them again).
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/component.h"
#include "stdlib/builtins.h"
#include "stdlib/kafka_client.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

using kafka::OptionsValid;

ComponentSpec KafkaSpoutSpec() {
  ComponentSpec s;
  s.name = "kafka";
  s.kind = ComponentKind::kSpout;
  s.summary = "emits every record of a Kafka topic, in a consumer group, committing offsets once done";
  s.params = {Required("brokers", ParamType::kString, "bootstrap servers, HOST:PORT[,HOST:PORT...]"),
              Required("topic", ParamType::kString, "the topic to consume"),
              Required("group", ParamType::kString, "the consumer group (its committed offsets)"),
              Optional("count", ParamType::kInt, Value::Int(0), "stop after this many records in all; 0: never"),
              Choice("from", {"earliest", "latest"}, "earliest", "where a partition without a committed offset starts"),
              Optional("idle", ParamType::kDuration, Value::Duration(0),
                       "stop once no record came for this long after partitions were assigned; 0: never"),
              Optional("options", ParamType::kStringList,
                       "librdkafka settings, NAME=VALUE each (the component's own settings win)")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out, std::string* error,
                 std::string* error_arg) {
    if (!AtLeast(args, "count", 0, error, error_arg) || !AtLeast(args, "idle", 0, error, error_arg) ||
        !OptionsValid(args, error, error_arg))
      return false;
    *out = {{"default", {"key", "value", "partition", "offset"}}};
    return true;
  };
  s.outputs_doc = "(key, value, partition, offset)";
  s.max_parallelism = 1;  // count is per instance; one consumer keeps it exact
  return s;
}

namespace {

using kafka::Conf;
using kafka::Fatal;
using kafka::FatalText;
using kafka::Prefix;
using kafka::Quiet;
using Clock = std::chrono::steady_clock;

constexpr auto kCloseCommitWait = std::chrono::seconds(15);

class KafkaSpout : public rt::Spout {
 public:
  ~KafkaSpout() override {
    try {
      Close();  // a stopped run: what is done is committed
    } catch (const std::exception& e) {
      if (ctx_) ctx_->shared->Log(Prefix(*ctx_) + "warning: " + e.what() + " (the group reads those records again)");
    }
  }

  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    brokers_ = ctx.StringArg("brokers");
    topic_ = ctx.StringArg("topic");
    count_ = ctx.IntArg("count");
    idle_ns_ = ctx.Arg("idle").num;
    reliable_ = ctx.acking;
    Conf conf;
    conf.Set("client.id", "smc");
    conf.SetOptions(ctx);
    conf.Set("bootstrap.servers", brokers_);
    conf.Set("group.id", ctx.StringArg("group"));
    conf.Set("enable.auto.commit", "false");
    conf.Set("enable.auto.offset.store", "false");
    conf.Set("auto.offset.reset", ctx.StringArg("from"));
    rd_kafka_conf_set_opaque(conf.get(), this);
    rd_kafka_conf_set_log_cb(conf.get(), Quiet);
    rd_kafka_conf_set_error_cb(conf.get(), [](rd_kafka_t* rk, int err, const char* reason, void* self) {
      static_cast<KafkaSpout*>(self)->OnError(rk, err, reason);
    });
    rd_kafka_conf_set_rebalance_cb(
        conf.get(), [](rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts, void* self) {
          static_cast<KafkaSpout*>(self)->OnRebalance(rk, err, parts);
        });
    rd_kafka_conf_set_offset_commit_cb(
        conf.get(), [](rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts, void* self) {
          static_cast<KafkaSpout*>(self)->OnCommitted(err, parts);
        });
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof err);
    if (!rk_) throw rt::IoError(std::string("cannot create a Kafka consumer: ") + err);
    conf.Release();
    rd_kafka_poll_set_consumer(rk_);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic_.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e) throw rt::IoError("cannot subscribe to Kafka topic '" + topic_ + "': " + rd_kafka_err2str(e));
  }

  bool Next(rt::Emitter& out, const rt::SpoutControl& ctl) override {
    if (!rk_) return false;  // closed
    ThrowIfFailed();
    if (ctl.Stopping()) return End();
    while (!replay_.empty()) {
      uint64_t msg = replay_.front();
      replay_.pop_front();
      auto it = pending_.find(msg);
      if (it != pending_.end()) EmitRecord(out, msg, it->second);
    }
    for (int n = 0; n < ctx_->batch_size && !Enough(); ++n) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, n == 0 ? 1 : 0);
      ThrowIfFailed();
      if (!m) break;
      if (m->err) {
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          rd_kafka_message_destroy(m);
          continue;
        }
        if (m->err == RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED) {
          // Not polled for max.poll.interval.ms (the job was deactivated):
          // the group moved on without it; it rejoins now.
          ctx_->shared->Log(Prefix(*ctx_) + "warning: " + rd_kafka_message_errstr(m));
          rd_kafka_message_destroy(m);
          continue;
        }
        std::string text = "Kafka topic '" + topic_ + "'";
        if (m->partition >= 0) text += " partition " + std::to_string(m->partition);
        text += ": " + std::string(rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
        throw rt::IoError(text);
      }
      auto part = parts_.find(m->partition);
      if (part == parts_.end()) {  // not (or no longer) ours
        rd_kafka_message_destroy(m);
        continue;
      }
      Record r;
      r.partition = m->partition;
      r.offset = m->offset;
      r.has_key = m->key != nullptr;
      if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      r.has_value = m->payload != nullptr;
      if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
      rd_kafka_message_destroy(m);
      last_record_ = Clock::now();
      ++read_;
      Partition& p = part->second;
      if (reliable_) {
        uint64_t msg = ++next_msg_;
        p.outstanding.insert(r.offset);
        p.next = std::max(p.next, r.offset + 1);
        auto [it, _] = pending_.emplace(msg, std::move(r));
        EmitRecord(out, msg, it->second);
      } else {
        EmitRecord(out, 0, r);
        p.next = std::max(p.next, r.offset + 1);  // left the spout: done
      }
    }
    if (Enough() || Idle()) return End();
    CommitSoon();
    return true;
  }

  bool Reliable() const override { return reliable_; }

  void Ack(uint64_t msg) override {
    auto it = pending_.find(msg);
    if (it == pending_.end()) return;  // its partition was revoked
    auto part = parts_.find(it->second.partition);
    if (part != parts_.end()) part->second.outstanding.erase(it->second.offset);
    pending_.erase(it);
    if (ended_ && pending_.empty()) {
      Close();
    } else {
      CommitSoon();
    }
  }

  bool Fail(uint64_t msg) override {
    if (pending_.count(msg)) replay_.push_back(msg);
    return true;  // a record of a revoked partition is its new owner's to read again
  }

  std::string MessageText(uint64_t msg) const override {
    auto it = pending_.find(msg);
    if (it == pending_.end()) return std::to_string(msg);
    return "topic '" + topic_ + "' partition " + std::to_string(it->second.partition) + " offset " +
           std::to_string(it->second.offset);
  }

 private:
  struct Record {
    int32_t partition = 0;
    int64_t offset = 0;
    bool has_key = false, has_value = false;
    std::string key, value;
  };
  struct Partition {
    int64_t next = -1;              // past the last offset emitted; -1: none yet
    int64_t committed = -1;         // the offset last committed
    std::set<int64_t> outstanding;  // emitted, their trees not yet acked
    int64_t Done() const { return outstanding.empty() ? next : *outstanding.begin(); }
  };

  void EmitRecord(rt::Emitter& out, uint64_t msg, const Record& r) {
    rt::Datum d[4] = {r.has_key ? rt::Datum::Str(r.key) : rt::Datum::Null(),
                      r.has_value ? rt::Datum::Str(r.value) : rt::Datum::Null(), rt::Datum::Int(r.partition),
                      rt::Datum::Int(r.offset)};
    if (reliable_) {
      ctx_->shared->EmitWithId(0, d, nullptr, -1, msg);
    } else {
      out.Emit(0, d);
    }
  }

  bool Enough() const { return count_ > 0 && read_ >= count_ && replay_.empty(); }
  bool Idle() const {
    return idle_ns_ > 0 && assigned_ && replay_.empty() &&
           Clock::now() - last_record_ >= std::chrono::nanoseconds(idle_ns_);
  }

  // The stream ends: with nothing pending, what is done is committed now,
  // and the consumer leaves the group (its partitions go to the others at
  // once, not after a session timeout).
  bool End() {
    ended_ = true;
    if (pending_.empty()) Close();
    return false;
  }

  // Commits what is done and leaves the group (once). A commit refused for
  // a while (a rebalance under way) is tried again, serving the group's
  // callbacks meanwhile (records polled now are not emitted: they stay
  // uncommitted), for up to kCloseCommitWait; throws when it still fails.
  void Close() {
    if (!rk_) return;
    std::string failed;
    if (!closing_) {
      const auto deadline = Clock::now() + kCloseCommitWait;
      while (rd_kafka_resp_err_t err = Commit(true)) {
        if (!Retriable(err) || Clock::now() > deadline) {
          failed = CommitError(err);
          break;
        }
        if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100)) rd_kafka_message_destroy(m);
      }
    }
    closing_ = true;
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
    if (!failed.empty()) throw rt::IoError(failed);
  }

  void CommitSoon() {
    auto now = Clock::now();
    if (now - last_commit_ < std::chrono::milliseconds(100)) return;
    last_commit_ = now;
    Commit(false);
  }

  // Errors after which a commit is tried again later: the group is
  // rebalancing, or its coordinator is moving or unreachable for now.
  static bool Retriable(rd_kafka_resp_err_t err) {
    switch (err) {
      case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
      case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
      case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
      case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
      case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
      case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
      case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
      case RD_KAFKA_RESP_ERR__TIMED_OUT:
      case RD_KAFKA_RESP_ERR__TRANSPORT:
      case RD_KAFKA_RESP_ERR__WAIT_COORD:
      case RD_KAFKA_RESP_ERR__STATE: return true;
      default: return false;
    }
  }

  std::string CommitError(rd_kafka_resp_err_t err) const {
    return "cannot commit offsets of Kafka topic '" + topic_ + "' at " + brokers_ + ": " + rd_kafka_err2str(err);
  }

  // Commits, per partition, the offset below which every record is done,
  // and the offsets of revoked partitions not committed yet. Asynchronous:
  // the callback records the outcome. Synchronous: the first error.
  rd_kafka_resp_err_t Commit(bool sync) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(parts_.size()) + 1);
    for (auto& [id, p] : parts_) {
      int64_t done = p.Done();
      if (done >= 0 && done > p.committed) rd_kafka_topic_partition_list_add(list, topic_.c_str(), id)->offset = done;
    }
    for (auto& [id, offset] : revoked_) {
      if (!rd_kafka_topic_partition_list_find(list, topic_.c_str(), id))
        rd_kafka_topic_partition_list_add(list, topic_.c_str(), id)->offset = offset;
    }
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (list->cnt > 0) {
      err = rd_kafka_commit(rk_, list, sync ? 0 : 1);
      if (sync) err = Committed(err, list);
    }
    rd_kafka_topic_partition_list_destroy(list);
    return err;
  }

  // A commit's outcome: what it committed is recorded; the first error.
  rd_kafka_resp_err_t Committed(rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t* list) {
    rd_kafka_resp_err_t first = err;
    for (int i = 0; list && i < list->cnt; ++i) {
      const rd_kafka_topic_partition_t& e = list->elems[i];
      rd_kafka_resp_err_t r = err ? err : e.err;
      if (r) {
        if (!first) first = r;
        continue;
      }
      auto part = parts_.find(e.partition);
      if (part != parts_.end()) part->second.committed = std::max(part->second.committed, e.offset);
      auto rev = revoked_.find(e.partition);
      if (rev != revoked_.end() && rev->second <= e.offset) revoked_.erase(rev);
    }
    return first == RD_KAFKA_RESP_ERR__NO_OFFSET ? RD_KAFKA_RESP_ERR_NO_ERROR : first;
  }

  void ThrowIfFailed() {
    if (!error_.empty()) throw rt::IoError(error_);
  }

  void OnError(rd_kafka_t* rk, int err, const char* reason) {
    if (closing_) return;
    if (Fatal(rk, err)) {
      if (error_.empty()) error_ = "Kafka at " + brokers_ + ": " + FatalText(rk, err, reason);
    } else {
      ctx_->shared->Log(Prefix(*ctx_) + "warning: " + reason);
    }
  }

  void OnCommitted(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    if (closing_) return;
    err = Committed(err, parts);
    if (err && !Retriable(err) && error_.empty()) error_ = CommitError(err);  // otherwise tried again later
  }

  static std::string PartitionList(const rd_kafka_topic_partition_list_t* parts) {
    std::string text;
    for (int i = 0; i < parts->cnt; ++i) text += (i ? ", " : "") + std::to_string(parts->elems[i].partition);
    return text.empty() ? "none" : text;
  }

  void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    const bool cooperative = std::string(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      if (cooperative) {
        rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, parts);
        if (e) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, parts);
      }
      if (closing_) return;
      for (int i = 0; i < parts->cnt; ++i) parts_[parts->elems[i].partition] = Partition{};
      assigned_ = true;
      last_record_ = Clock::now();
      ctx_->shared->Log(Prefix(*ctx_) + "assigned partition(s) " + PartitionList(parts) + " of topic '" + topic_ + "'");
      return;
    }
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      if (!closing_) {
        // What is done stays done: committed now, or later (a rebalance
        // may refuse commits until it is over) if need be.
        for (int i = 0; i < parts->cnt; ++i) {
          auto part = parts_.find(parts->elems[i].partition);
          if (part == parts_.end()) continue;
          int64_t done = part->second.Done();
          if (done >= 0 && done > part->second.committed) revoked_[part->first] = done;
          parts_.erase(part);
        }
        Commit(false);  // not waited for here: the group waits for this member
        for (auto it = pending_.begin(); it != pending_.end();) {
          it = parts_.count(it->second.partition) ? std::next(it) : pending_.erase(it);
        }
        ctx_->shared->Log(Prefix(*ctx_) + "revoked partition(s) " + PartitionList(parts) + " of topic '" + topic_ +
                          "'");
      }
      if (cooperative) {
        rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts);
        if (e) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, nullptr);
      }
      return;
    }
    rd_kafka_assign(rk, nullptr);
    if (!closing_ && error_.empty())
      error_ = "Kafka consumer group rebalance failed at " + brokers_ + ": " + rd_kafka_err2str(err);
  }

  const rt::Context* ctx_ = nullptr;
  rd_kafka_t* rk_ = nullptr;
  std::string brokers_, topic_, error_;
  int64_t count_ = 0, read_ = 0, idle_ns_ = 0;
  bool reliable_ = false, ended_ = false, assigned_ = false, closing_ = false;
  std::map<int32_t, Partition> parts_;
  std::map<int32_t, int64_t> revoked_;            // revoked partitions' done offsets, not committed yet
  std::unordered_map<uint64_t, Record> pending_;  // reliable: emitted, not yet acked
  std::deque<uint64_t> replay_;                   // failed: emitted again by the next Next
  uint64_t next_msg_ = 0;
  Clock::time_point last_record_{}, last_commit_{};
};

}  // namespace

std::unique_ptr<rt::Spout> MakeKafkaSpout() {
  return std::make_unique<KafkaSpout>();
}

}  // namespace smc::stdlib
