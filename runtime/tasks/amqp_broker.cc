// The RabbitMQ broker (runtime/tasks/amqp_broker.h): its connections, the
// submitter's side (tasks sent, replies applied to the local record, aborts,
// counts) and the end queues of tasks that others run after. The worker's
// side is amqp_worker.cc; what both speak, amqp_wire.h.
#include "runtime/tasks/amqp_broker.h"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

#include "runtime/tasks/amqp_wire.h"

namespace smc::rt {

using namespace amqp_wire;

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

}  // namespace smc::rt
