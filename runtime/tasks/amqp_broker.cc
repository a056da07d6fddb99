#include "runtime/tasks/amqp_broker.h"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <vector>

namespace smc::rt {

namespace {

constexpr const char* kAbortExchange = "smc.abort";
constexpr const char* kEndExchange = "smc.ends";           // final states, routed by task id to end queues
constexpr int32_t kEndQueueExpiresMs = 7 * 24 * 3600'000;  // an end queue unused this long is deleted
constexpr int64_t kAfterRecheckMs = 200;                   // a waiting task's dependencies, read again
constexpr int64_t kMaxRemoteResult = 64 << 20;             // a result travels in one message

std::string QueueName(const std::string& q) {
  return "smc.q." + q;
}

// Where task `id`'s final state is kept once it ends, for the tasks after it.
std::string EndQueueName(const std::string& id) {
  return "smc.end." + id;
}

amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string Str(amqp_bytes_t b) {
  return b.bytes ? std::string(static_cast<const char*>(b.bytes), b.len) : std::string();
}

bool Normal(const amqp_rpc_reply_t& r) {
  return r.reply_type == AMQP_RESPONSE_NORMAL;
}

// A task message: task, queue, arguments, and the ids of the tasks it
// runs after (comma-separated) when there are any.
std::string TaskBody(const QueuedTask& t, const std::vector<std::string>& after) {
  if (after.empty()) return JoinEscaped({t.task, t.queue, EncodeArgs(t.args)});
  std::string ids;
  for (const std::string& a : after) ids += (ids.empty() ? "" : ",") + a;
  return JoinEscaped({t.task, t.queue, EncodeArgs(t.args), ids});
}

// The ids of a task message's fourth field; false when one is not an id.
bool ParseAfter(const std::string& field, std::vector<std::string>* out) {
  size_t start = 0;
  while (start <= field.size()) {
    size_t comma = field.find(',', start);
    std::string id = field.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!IsQueuedTaskId(id) || out->size() >= 1024) return false;
    out->push_back(id);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

// A reply: a header (kind "progress" or "end", then the fields) and, after
// it, the result's bytes. "LENGTH\n" HEADER RESULT.
std::string ReplyBody(const char* kind, const QueuedTask& t, const std::string& result) {
  std::string head =
      JoinEscaped({kind, t.id, t.state, std::to_string(t.attempt), std::to_string(t.exit_status),
                   std::to_string(t.signal), t.timed_out ? "1" : "0", t.reason, std::to_string(t.progress), t.message,
                   std::to_string(t.started_ms), std::to_string(t.ended_ms), std::to_string(t.result_size), t.worker});
  return std::to_string(head.size()) + "\n" + head + result;
}

bool ParseReply(const std::string& body, QueuedTask* t, std::optional<std::string>* result) {
  size_t nl = body.find('\n');
  if (nl == std::string::npos || nl > 12) return false;
  size_t len = std::strtoull(body.c_str(), nullptr, 10);
  if (len > body.size() - nl - 1) return false;
  std::vector<std::string> f = SplitEscaped(body.substr(nl + 1, len));
  if (f.size() != 14) return false;
  t->id = f[1];
  t->state = f[2];
  t->attempt = std::atoi(f[3].c_str());
  t->exit_status = std::atoi(f[4].c_str());
  t->signal = std::atoi(f[5].c_str());
  t->timed_out = f[6] == "1";
  t->reason = f[7];
  t->progress = std::strtod(f[8].c_str(), nullptr);
  t->message = f[9];
  t->started_ms = std::strtoll(f[10].c_str(), nullptr, 10);
  t->ended_ms = std::strtoll(f[11].c_str(), nullptr, 10);
  t->result_size = std::strtoll(f[12].c_str(), nullptr, 10);
  t->worker = f[13];
  if (f[0] == "end" && t->state == "done") *result = body.substr(nl + 1 + len);
  return f[0] == "end" || f[0] == "progress";
}

std::string ReplyQueueName() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return std::string("smc.reply.") + host + "." + std::to_string(::getuid());
}

}  // namespace

struct AmqpBroker::Conn {
  amqp_connection_state_t state = nullptr;
  bool consuming = false;
  uint64_t next_seq = 1;           // the publish sequence number of confirm mode
  std::set<std::string> declared;  // queues declared on this connection
  bool lookups_open = false;       // channel 2: basic.get of end queues (a missing one closes it)
  void Close() {
    if (!state) return;
    if (lookups_open) amqp_channel_close(state, 2, AMQP_REPLY_SUCCESS);
    amqp_channel_close(state, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state);
    state = nullptr;
    declared.clear();
    next_seq = 1;
    lookups_open = false;
  }
  // A connection that failed: dropped without the closing handshake.
  void Drop() {
    if (!state) return;
    amqp_destroy_connection(state);
    state = nullptr;
    declared.clear();
    next_seq = 1;
    lookups_open = false;
  }
  ~Conn() { Close(); }
};

AmqpBroker::AmqpBroker() : pub_(std::make_unique<Conn>()), sub_(std::make_unique<Conn>()) {}
AmqpBroker::~AmqpBroker() = default;

bool AmqpBroker::Fail(const std::string& what) {
  error_ = what + " (broker " + where_ + ")";
  return false;
}

bool AmqpBroker::Open(const std::string& url) {
  std::vector<char> buf(url.begin(), url.end());
  buf.push_back('\0');
  amqp_connection_info ci;
  amqp_default_connection_info(&ci);
  if (amqp_parse_url(buf.data(), &ci) != AMQP_STATUS_OK || ci.ssl) {
    error_ = "cannot read the broker's address: give amqp://USER:PASS@HOST:PORT/VHOST";
    return false;
  }
  host_ = ci.host;
  port_ = ci.port;
  user_ = ci.user;
  password_ = ci.password;
  vhost_ = ci.vhost && *ci.vhost ? ci.vhost : "/";  // amqp://host/ means the default vhost, as Celery reads it
  where_ = host_ + ":" + std::to_string(port_) + "/" + (vhost_ == "/" ? "" : vhost_);
  reply_queue_ = ReplyQueueName();
  if (!local_.Open(true)) {
    error_ = local_.error();
    return false;
  }
  return Ensure(*pub_, false);
}

int AmqpBroker::wake_fd() const {
  return sub_->state ? amqp_get_sockfd(sub_->state) : -1;
}

bool AmqpBroker::Connect(Conn& c, bool consume) {
  c.Drop();
  c.state = amqp_new_connection();
  amqp_socket_t* sock = amqp_tcp_socket_new(c.state);
  timeval tv{5, 0};
  if (!sock || amqp_socket_open_noblock(sock, host_.c_str(), port_, &tv) != AMQP_STATUS_OK) {
    c.Drop();
    return Fail("cannot connect to the broker");
  }
  if (!Normal(amqp_login(c.state, vhost_.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, user_.c_str(),
                         password_.c_str()))) {
    c.Drop();
    return Fail("the broker refused the login");
  }
  amqp_channel_open(c.state, 1);
  if (!Normal(amqp_get_rpc_reply(c.state))) {
    c.Drop();
    return Fail("cannot open a channel");
  }
  auto declare = [&](const std::string& q) {
    amqp_queue_declare(c.state, 1, Bytes(q), 0, 1, 0, 0, amqp_empty_table);
    return Normal(amqp_get_rpc_reply(c.state));
  };
  if (&c == pub_.get()) {
    amqp_confirm_select(c.state, 1);
    amqp_exchange_declare(c.state, 1, amqp_cstring_bytes(kAbortExchange), amqp_cstring_bytes("fanout"), 0, 1, 0, 0,
                          amqp_empty_table);
    bool ok = Normal(amqp_get_rpc_reply(c.state));
    amqp_exchange_declare(c.state, 1, amqp_cstring_bytes(kEndExchange), amqp_cstring_bytes("direct"), 0, 1, 0, 0,
                          amqp_empty_table);
    if (!ok || !Normal(amqp_get_rpc_reply(c.state)) || !declare(reply_queue_)) {
      c.Drop();
      return Fail("cannot set up the broker's queues");
    }
  }
  if (consume && worker_mode_) {
    // One limit for the channel (RabbitMQ's global = true), shared by the
    // consumers of every queue served; SetPrefetch changes it as tasks wait.
    amqp_basic_qos(c.state, 1, 0, static_cast<uint16_t>(std::max(1, worker_.parallelism)), 1);
    prefetch_ = std::max(1, worker_.parallelism);  // what waits (waiting_) was delivered again
    for (const std::string& q : worker_.queues) {
      if (!declare(QueueName(q))) {
        c.Drop();
        return Fail("cannot declare queue " + q);
      }
      amqp_basic_consume(c.state, 1, Bytes(QueueName(q)), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
      if (!Normal(amqp_get_rpc_reply(c.state))) {
        c.Drop();
        return Fail("cannot consume queue " + q);
      }
    }
    amqp_exchange_declare(c.state, 1, amqp_cstring_bytes(kAbortExchange), amqp_cstring_bytes("fanout"), 0, 1, 0, 0,
                          amqp_empty_table);
    amqp_queue_declare_ok_t* ok = amqp_queue_declare(c.state, 1, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
    if (!ok || !Normal(amqp_get_rpc_reply(c.state))) {
      c.Drop();
      return Fail("cannot make the worker's abort queue");
    }
    std::string mine = Str(ok->queue);
    amqp_queue_bind(c.state, 1, Bytes(mine), amqp_cstring_bytes(kAbortExchange), amqp_empty_bytes, amqp_empty_table);
    amqp_basic_consume(c.state, 1, Bytes(mine), amqp_empty_bytes, 0, 1, 1, amqp_empty_table);
    if (!Normal(amqp_get_rpc_reply(c.state))) {
      c.Drop();
      return Fail("cannot consume the abort queue");
    }
  } else if (consume) {
    if (!declare(reply_queue_)) {
      c.Drop();
      return Fail("cannot declare the reply queue");
    }
    amqp_basic_qos(c.state, 1, 0, 1000, 0);
    amqp_basic_consume(c.state, 1, Bytes(reply_queue_), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    if (!Normal(amqp_get_rpc_reply(c.state))) {
      c.Drop();
      return Fail("cannot consume the reply queue");
    }
  }
  c.consuming = consume;
  return true;
}

bool AmqpBroker::Ensure(Conn& c, bool consume) {
  if (c.state && (c.consuming || !consume)) return true;
  // Reconnects: a few tries, 0.2 s apart, then gives up for this call.
  for (int tries = 0; tries < 5; ++tries) {
    if (tries) ::usleep(200'000);
    if (Connect(c, consume)) {
      error_.clear();
      if (&c == sub_.get() && worker_mode_) {
        ++generation_;
        for (const auto& [id, h] : tags_) lost_ids_.insert(id);  // the broker delivers them again
        for (const auto& [id, t] : held_) lost_ids_.insert(id);
        tags_.clear();
        held_.clear();
        waiting_.clear();  // delivered again too
      }
      return true;
    }
  }
  return false;
}

bool AmqpBroker::Publish(const std::string& exchange, const std::string& key, const std::string& body,
                         const std::string& message_id, const std::string& reply_to, bool persistent, bool confirm) {
  for (int round = 0; round < 2; ++round) {
    if (!Ensure(*pub_, false)) return false;
    if (exchange.empty() && !pub_->declared.count(key)) {
      amqp_queue_declare(pub_->state, 1, Bytes(key), 0, 1, 0, 0, amqp_empty_table);
      if (!Normal(amqp_get_rpc_reply(pub_->state))) {
        pub_->Drop();
        continue;
      }
      pub_->declared.insert(key);
    }
    amqp_basic_properties_t props;
    std::memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.delivery_mode = persistent ? 2 : 1;
    props.content_type = amqp_cstring_bytes("application/octet-stream");
    if (!message_id.empty()) {
      props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
      props.message_id = Bytes(message_id);
    }
    if (!reply_to.empty()) {
      props._flags |= AMQP_BASIC_REPLY_TO_FLAG;
      props.reply_to = Bytes(reply_to);
    }
    uint64_t seq = pub_->next_seq++;
    if (amqp_basic_publish(pub_->state, 1, Bytes(exchange), Bytes(key), 0, 0, &props, Bytes(body)) != AMQP_STATUS_OK) {
      pub_->Drop();
      continue;
    }
    // Every publish on this channel is confirmed (confirm mode); wait for
    // this one's ack (and skip the others' when not asked to wait).
    if (!confirm) return true;
    while (true) {
      amqp_frame_t frame;
      timeval tv{10, 0};
      if (amqp_simple_wait_frame_noblock(pub_->state, &frame, &tv) != AMQP_STATUS_OK) {
        pub_->Drop();
        break;
      }
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
        auto* a = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
        if (a->delivery_tag == seq || (a->multiple && a->delivery_tag >= seq)) return true;
        continue;  // an earlier, unwaited publish (progress)
      }
      if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
        auto* n = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
        if (n->delivery_tag == seq || (n->multiple && n->delivery_tag >= seq))
          return Fail("the broker refused a message");
        continue;
      }
      if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
          frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
        pub_->Drop();
        break;
      }
    }
  }
  return Fail("cannot publish to the broker");
}

bool AmqpBroker::Submit(std::vector<QueuedTask>* batch) {
  error_.clear();
  for (QueuedTask& t : *batch) {
    // A task runs after tasks this client submitted: their ends come to its
    // reply queue. Each one's end queue is made before its state is read
    // here, so an end that comes after the read lands in it (a worker
    // publishes a task's end there after its reply: see Finish).
    std::vector<std::string> open;  // dependencies not ended yet: the worker waits for them
    std::string skip;
    for (const std::string& dep : t.after) {
      if (!local_.Find(dep)) {
        error_ = "no task '" + dep + "' to run after (over RabbitMQ, --after names a task submitted by this user on " +
                 "this machine)";
        return false;
      }
      if (!DeclareEndQueue(dep)) return false;
    }
    if (!t.after.empty() && !DrainReplies()) return false;
    for (const std::string& dep : t.after) {
      std::optional<QueuedTask> d = local_.Find(dep);
      std::string st = d ? d->state : "queued";
      if (!IsFinalQueuedState(st)) {
        open.push_back(dep);
      } else if (st != "done" && skip.empty()) {
        skip = "after " + st + " task '" + dep + "'";
      }
    }
    t.id = NewQueuedTaskId();
    t.submitted_ms = NowMs();
    t.state = "queued";
    if (!local_.Record(t)) {
      error_ = local_.error();
      return false;
    }
    if (!skip.empty()) {  // as the embedded queue does: stored skipped, never sent
      t.state = "skipped";
      t.reason = skip;
      t.ended_ms = t.submitted_ms;
      bool applied = false;
      if (!local_.Apply(t, std::nullopt, &applied)) {
        error_ = local_.error();
        return false;
      }
      continue;
    }
    if (!Publish("", QueueName(t.queue), TaskBody(t, open), t.id, reply_queue_, true, true)) return false;
  }
  return true;
}

bool AmqpBroker::DeclareEndQueue(const std::string& id) {
  for (int round = 0; round < 2; ++round) {
    if (!Ensure(*pub_, false)) return false;
    amqp_table_entry_t e[2];
    e[0].key = amqp_cstring_bytes("x-expires");
    e[0].value.kind = AMQP_FIELD_KIND_I32;
    e[0].value.value.i32 = kEndQueueExpiresMs;
    e[1].key = amqp_cstring_bytes("x-max-length");  // an end published again replaces the first
    e[1].value.kind = AMQP_FIELD_KIND_I32;
    e[1].value.value.i32 = 1;
    amqp_table_t args{2, e};
    std::string q = EndQueueName(id);
    amqp_queue_declare(pub_->state, 1, Bytes(q), 0, 1, 0, 0, args);
    if (Normal(amqp_get_rpc_reply(pub_->state))) {
      amqp_queue_bind(pub_->state, 1, Bytes(q), amqp_cstring_bytes(kEndExchange), Bytes(id), amqp_empty_table);
      if (Normal(amqp_get_rpc_reply(pub_->state))) return true;
    }
    pub_->Drop();
  }
  return Fail("cannot make the end queue of task " + id);
}

bool AmqpBroker::EndOf(const std::string& id, std::string* state) {
  state->clear();
  if (!Lookups()) return false;
  amqp_rpc_reply_t r = amqp_basic_get(pub_->state, 2, Bytes(EndQueueName(id)), 0);
  if (!Normal(r)) {
    bool missing = false;
    if (!LookupFailed(r, &missing)) return Fail("cannot read the end of task " + id);
    *state = "unknown";  // it expired, was deleted, or was never made
    return true;
  }
  if (r.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) return true;  // not ended yet
  uint64_t tag = static_cast<amqp_basic_get_ok_t*>(r.reply.decoded)->delivery_tag;
  amqp_message_t msg;
  if (!Normal(amqp_read_message(pub_->state, 2, &msg, 0))) {
    pub_->Drop();
    return Fail("cannot read the end of task " + id);
  }
  *state = Str(msg.body);
  amqp_destroy_message(&msg);
  amqp_basic_reject(pub_->state, 2, tag, 1);  // kept for the other tasks after it
  if (state->empty()) *state = "unknown";
  return true;
}

bool AmqpBroker::SetPrefetch() {
  // Tasks waiting for others hold their deliveries; the prefetch grows by
  // them, so that they never keep the tasks they wait for from this worker.
  int n = std::max(1, worker_.parallelism) + static_cast<int>(waiting_.size());
  if (n == prefetch_ || !sub_->state) return true;
  amqp_basic_qos(sub_->state, 1, 0, static_cast<uint16_t>(std::min(n, 65535)), 1);
  if (!Normal(amqp_get_rpc_reply(sub_->state))) {
    sub_->Drop();
    return Fail("cannot set the prefetch");
  }
  prefetch_ = n;
  return true;
}

// Moves waiting tasks whose dependencies ended to `out` (done: to run) or
// ends them (skipped; aborted). False on a broker failure.
bool AmqpBroker::CheckWaiting(const WorkerInfo& w, int max, std::vector<QueuedTask>* out) {
  int64_t now = NowMs();
  bool changed = false;
  for (auto it = waiting_.begin(); it != waiting_.end() && static_cast<int>(out->size()) < max;) {
    Waiting& wt = it->second;
    QueuedTask& t = wt.task;
    std::string skip;
    bool ready = true;
    if (aborted_.count(t.id)) {
      skip = "aborted";
    } else if (wt.next_check_ms > now) {
      ++it;
      continue;
    } else {
      for (const std::string& dep : t.after) {
        std::string st;
        if (!EndOf(dep, &st)) return false;
        if (st.empty()) {
          ready = false;
          break;
        }
        if (st != "done") {
          skip = st == "unknown" ? "after task '" + dep + "', whose end the broker no longer knows"
                                 : "after " + st + " task '" + dep + "'";
          break;
        }
      }
    }
    if (!ready && skip.empty()) {
      wt.next_check_ms = now + kAfterRecheckMs;
      ++it;
      continue;
    }
    QueuedTask done = std::move(t);
    it = waiting_.erase(it);
    changed = true;
    if (skip.empty()) {
      out->push_back(std::move(done));
      continue;
    }
    done.state = skip == "aborted" ? "aborted" : "skipped";
    done.reason = skip == "aborted" ? "aborted by smc abort before it started" : skip;
    done.ended_ms = NowMs();
    Finish(w, done, std::nullopt);
  }
  return !changed || SetPrefetch();
}

bool AmqpBroker::DrainReplies() {
  if (worker_mode_) return true;
  if (!Ensure(*sub_, true)) return false;
  // Waits a little for the first reply (deliveries start after basic.consume).
  for (int64_t wait_us = 200'000;; wait_us = 0) {
    amqp_maybe_release_buffers(sub_->state);
    amqp_envelope_t env;
    timeval tv{0, static_cast<suseconds_t>(wait_us)};
    amqp_rpc_reply_t r = amqp_consume_message(sub_->state, &env, &tv, 0);
    if (!Normal(r)) {
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) return true;
      sub_->Drop();
      return Fail("lost the connection to the broker");
    }
    QueuedTask t;
    std::optional<std::string> result;
    bool applied = false;
    if (ParseReply(Str(env.message.body), &t, &result)) {
      if (!local_.Apply(t, result, &applied)) {
        amqp_destroy_envelope(&env);
        error_ = local_.error();
        return false;  // not acked: delivered again
      }
    }
    amqp_basic_ack(sub_->state, 1, env.delivery_tag, 0);  // stored (or malformed): done with it
    amqp_destroy_envelope(&env);
  }
}

std::optional<QueuedTask> AmqpBroker::Find(const std::string& id) {
  DrainReplies();
  return local_.Find(id);
}

std::optional<std::string> AmqpBroker::Result(const std::string& id) {
  return local_.Result(id);
}

bool AmqpBroker::RequestAbort(const std::string& id, bool* now) {
  *now = false;
  std::optional<QueuedTask> t = Find(id);
  if (!t) {
    error_ = "no task '" + id + "'";
    return false;
  }
  if (IsFinalQueuedState(t->state)) {
    error_ = "task " + id + " (" + t->task + ") already ended: " + t->state;
    return false;
  }
  if (t->state == "queued") {
    // A worker that starts later gets it too: it reads the task's end queue
    // before running a delivered task (see Claim).
    t->state = "aborted";
    t->reason = "aborted by smc abort before it started";
    t->ended_ms = NowMs();
    bool applied = false;
    if (!DeclareEndQueue(id) || !Publish(kEndExchange, id, t->state, id, "", true, true) ||
        !Publish(kAbortExchange, "", id, "", "", false, true))
      return false;
    if (!local_.Apply(*t, std::nullopt, &applied)) {
      error_ = local_.error();
      return false;
    }
    *now = true;
    return true;
  }
  return Publish(kAbortExchange, "", id, "", "", false, true);
}

std::vector<QueueCounts> AmqpBroker::Counts() {
  DrainReplies();
  std::vector<QueueCounts> v = local_.Counts();
  for (QueueCounts& c : v) {
    // The broker's own view of the queue: what waits there from every
    // client, and its consumers (a worker consumes each of its queues once).
    uint32_t messages = 0, consumers = 0;
    bool exists = false;
    if (!Inspect(QueueName(c.queue), &exists, &messages, &consumers)) break;
    if (!exists) continue;
    c.ready = static_cast<int>(messages);
    c.workers = static_cast<int>(consumers);
  }
  return v;
}

bool AmqpBroker::Lookups() {
  if (!Ensure(*pub_, false)) return false;
  if (pub_->lookups_open) return true;
  amqp_channel_open(pub_->state, 2);
  if (!Normal(amqp_get_rpc_reply(pub_->state))) {
    pub_->Drop();
    return Fail("cannot open a channel");
  }
  pub_->lookups_open = true;
  return true;
}

// After a failed call on channel 2: true (with `*missing`) when the broker
// closed the channel because the queue does not exist; the channel is
// reopened by the next Lookups. Otherwise the connection is dropped.
bool AmqpBroker::LookupFailed(const amqp_rpc_reply_t& r, bool* missing) {
  *missing = false;
  if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    int code = static_cast<amqp_channel_close_t*>(r.reply.decoded)->reply_code;
    amqp_channel_close_ok_t ok{};
    amqp_send_method(pub_->state, 2, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    pub_->lookups_open = false;
    if (code == AMQP_NOT_FOUND) {
      *missing = true;
      return true;
    }
  }
  pub_->Drop();
  return false;
}

bool AmqpBroker::Inspect(const std::string& queue, bool* exists, uint32_t* messages, uint32_t* consumers) {
  *exists = false;
  if (!Lookups()) return false;
  amqp_queue_declare_ok_t* ok = amqp_queue_declare(pub_->state, 2, Bytes(queue), 1, 0, 0, 0, amqp_empty_table);
  amqp_rpc_reply_t r = amqp_get_rpc_reply(pub_->state);
  if (!ok || !Normal(r)) {
    bool missing = false;
    return LookupFailed(r, &missing) || Fail("cannot read queue " + queue);
  }
  *exists = true;
  *messages = ok->message_count;
  *consumers = ok->consumer_count;
  return true;
}

bool AmqpBroker::Register(const WorkerInfo& w) {
  worker_ = w;
  worker_mode_ = true;
  return Ensure(*sub_, true);
}

bool AmqpBroker::Unregister(const WorkerInfo&) {
  sub_->Close();  // what it still holds goes back to the queues
  return true;
}

std::vector<QueuedTask> AmqpBroker::Claim(const WorkerInfo& w, const std::vector<std::string>& tasks, int max,
                                          int64_t lease_ms) {
  (void)tasks;  // a worker takes what its queues deliver; one it does not serve fails with the reason
  (void)lease_ms;
  std::vector<QueuedTask> out;
  error_.clear();
  int64_t now = NowMs();
  while (!pending_.empty() && static_cast<int>(out.size()) < max) {
    out.push_back(std::move(pending_.front()));
    pending_.erase(pending_.begin());
  }
  for (auto it = held_.begin(); it != held_.end() && static_cast<int>(out.size()) < max;) {
    if (it->second.not_before_ms > now) {
      ++it;
      continue;
    }
    QueuedTask t = it->second;
    t.state = "running";
    t.attempt += 1;
    t.started_ms = now;
    if (auto h = tags_.find(t.id); h != tags_.end()) h->second.attempt = t.attempt;
    out.push_back(t);
    it = held_.erase(it);
  }
  if (!Ensure(*sub_, true)) return out;
  if (!CheckWaiting(w, max, &out)) return out;
  while (static_cast<int>(out.size()) < max) {
    amqp_maybe_release_buffers(sub_->state);
    amqp_envelope_t env;
    timeval tv{0, 0};
    amqp_rpc_reply_t r = amqp_consume_message(sub_->state, &env, &tv, 0);
    if (!Normal(r)) {
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) break;
      sub_->Drop();
      for (const auto& [id, h] : tags_) lost_ids_.insert(id);
      for (const auto& [id, h] : held_) lost_ids_.insert(id);
      tags_.clear();
      held_.clear();
      Fail("lost the connection to the broker; reconnecting");
      break;
    }
    std::string body = Str(env.message.body);
    if (Str(env.exchange) == kAbortExchange) {
      aborted_.insert(body);
      amqp_destroy_envelope(&env);
      continue;
    }
    QueuedTask t;
    std::vector<std::string> f = SplitEscaped(body);
    bool has_id = env.message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG;
    if ((f.size() != 3 && f.size() != 4) || !has_id) {
      amqp_basic_reject(sub_->state, 1, env.delivery_tag, 0);  // malformed: dropped, never run
      amqp_destroy_envelope(&env);
      continue;
    }
    t.id = Str(env.message.properties.message_id);
    if (f.size() == 4 && !ParseAfter(f[3], &t.after)) {
      amqp_basic_reject(sub_->state, 1, env.delivery_tag, 0);  // malformed: dropped, never run
      amqp_destroy_envelope(&env);
      continue;
    }
    t.task = f[0];
    t.queue = f[1];
    t.args = DecodeArgs(f[2]);
    t.attempt = env.redelivered ? 2 : 1;  // RabbitMQ says only whether it was delivered before
    if (env.redelivered) t.previous_worker = "(a worker that lost it)";
    t.state = "running";
    t.worker = w.id;
    t.started_ms = now;
    tags_[t.id] = Held{env.delivery_tag, t.attempt};
    lost_ids_.erase(t.id);  // delivered again here: the worker replaces its earlier attempt itself
    if (env.message.properties._flags & AMQP_BASIC_REPLY_TO_FLAG)
      reply_to_[t.id] = Str(env.message.properties.reply_to);
    amqp_destroy_envelope(&env);
    std::string end;           // aborted while no worker of this one's lived: its end queue says so
    if (!EndOf(t.id, &end)) {  // given back, to be delivered again
      amqp_basic_reject(sub_->state, 1, tags_[t.id].tag, 1);
      tags_.erase(t.id);
      reply_to_.erase(t.id);
      break;
    }
    if (end == "aborted") aborted_.insert(t.id);
    if (aborted_.count(t.id)) {  // aborted before it was delivered here: ends without running
      t.state = "aborted";
      t.reason = "aborted by smc abort before it started";
      t.ended_ms = NowMs();
      Finish(w, t, std::nullopt);
      continue;
    }
    if (!t.after.empty()) {  // waits here, its delivery held, until the tasks before it end
      std::string id = t.id;
      waiting_[id] = Waiting{std::move(t), 0};
      if (!SetPrefetch()) break;
      if (!CheckWaiting(w, max - static_cast<int>(out.size()), &out)) break;
      continue;
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> AmqpBroker::Renew(const WorkerInfo&, const std::vector<std::string>& ids, int64_t) {
  Ensure(*sub_, true);  // reconnects after a loss seen by another call
  std::vector<std::string> lost;
  for (const std::string& id : ids) {
    if (lost_ids_.count(id) && !tags_.count(id)) lost.push_back(id);
  }
  lost_ids_.clear();
  return lost;
}

bool AmqpBroker::Update(const WorkerInfo&, const QueuedTask& t) {
  auto r = reply_to_.find(t.id);
  auto h = tags_.find(t.id);
  if (r == reply_to_.end() || h == tags_.end() || h->second.attempt != t.attempt) return true;
  QueuedTask p = t;
  p.state = "running";
  Publish("", r->second, ReplyBody("progress", p, ""), t.id, "", false, false);
  return true;  // progress is best effort
}

bool AmqpBroker::Finish(const WorkerInfo&, const QueuedTask& t, const std::optional<std::string>& result) {
  error_.clear();
  auto held = tags_.find(t.id);
  if (held == tags_.end() || held->second.attempt != t.attempt || !sub_->state)
    return false;  // delivered again since: another run ends it
  auto tag = std::make_pair(held->first, held->second.tag);
  auto erase = [&] { tags_.erase(t.id); };
  if (t.state == "queued" && t.not_before_ms > 0) {
    held_[t.id] = t;  // a retry after its backoff, here; the delivery stays unacked
    return true;
  }
  if (t.state == "queued") {  // handed back by a stopping worker
    amqp_basic_reject(sub_->state, 1, tag.second, 1);
    erase();
    reply_to_.erase(t.id);
    return true;
  }
  std::string bytes;
  if (result) {
    bytes = *result;
  } else if (t.state == "done" && !t.result_path.empty()) {
    if (t.result_size > kMaxRemoteResult) {
      QueuedTask failed = t;
      failed.state = "failed";
      failed.reason = "its result is bigger than 64 MiB, the most a broker message carries here";
      return Finish(worker_, failed, std::nullopt);
    }
    std::ifstream in(t.result_path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto r = reply_to_.find(t.id);
  std::string reply = r == reply_to_.end() ? "" : r->second;
  // The end is published (and confirmed) first, to the submitter and then
  // to the end queue of the tasks after it (if any was made: see Submit);
  // then the task is acked.
  if ((!reply.empty() && !Publish("", reply, ReplyBody("end", t, bytes), t.id, "", true, true)) ||
      (IsFinalQueuedState(t.state) && !Publish(kEndExchange, t.id, t.state, t.id, "", true, true))) {
    amqp_basic_reject(sub_->state, 1, tag.second, 1);  // runs again, elsewhere or here
    erase();
    error_.clear();
    return false;
  }
  amqp_basic_ack(sub_->state, 1, tag.second, 0);
  erase();
  reply_to_.erase(t.id);
  return true;
}

std::vector<std::string> AmqpBroker::AbortsRequested(const std::vector<std::string>& running) {
  // Reads what arrived (abort announcements; tasks, kept for the next Claim:
  // prefetch bounds them by the free slots).
  std::vector<QueuedTask> got = Claim(worker_, {}, 1 << 20, 0);
  pending_.insert(pending_.begin(), got.begin(), got.end());
  std::vector<std::string> v;
  for (const std::string& id : running) {
    if (aborted_.count(id)) v.push_back(id);
  }
  return v;
}

}  // namespace smc::rt
