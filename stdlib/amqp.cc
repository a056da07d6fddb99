// amqp(queue: ...) spout and amqp(exchange: ..., routing_key: ...) sink:
// topologies reading from and writing to RabbitMQ (rabbitmq-c).
//
// The spout consumes a durable queue with manual acks and emits each
// message's body as one tuple (message). Without acking it acks a message
// once its tuple has left the spout (Emit returned). With acking on it is a
// reliable spout whose message ids are the delivery tags: it acks a message
// to the broker when the message's tuple tree is complete, emits it again
// (from its own copy) when the tree fails or times out, and leaves a message
// given up after max.replays unacked, so the broker keeps it (it goes back
// to the queue when the connection closes). The prefetch bounds what is
// unacked, so the copies are bounded too.
// The sink publishes every tuple (as a record in `format`, without its
// newline) as a persistent message with publisher confirms, and waits for
// the broker's confirms at the end of each batch: a message the broker
// refuses, or a lost connection, fails the run (nothing is dropped
// silently). Credentials never appear in messages.
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <poll.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "stdlib/builtins.h"
#include "stdlib/formats.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec AmqpSpoutSpec() {
  ComponentSpec s;
  s.name = "amqp";
  s.kind = ComponentKind::kSpout;
  s.summary =
      "emits the body of every message of a RabbitMQ queue (durable), acking it once emitted (with acking: once its "
      "tree is done)";
  s.params = {
      Required("queue", ParamType::kString, "the queue to consume"),
      Optional("url", ParamType::kString, Value::String(""), "amqp://USER:PASS@HOST:PORT/VHOST; default $SMC_BROKER"),
      Optional("count", ParamType::kInt, Value::Int(0), "stop after this many messages in all; 0: never"),
      Optional("prefetch", ParamType::kInt, Value::Int(256), "messages in flight per instance")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out, std::string* error,
                 std::string* error_arg) {
    if (!AtLeast(args, "count", 0, error, error_arg) || !AtLeast(args, "prefetch", 1, error, error_arg)) return false;
    *out = {{"default", {"message"}}};
    return true;
  };
  s.outputs_doc = "(message)";
  s.max_parallelism = 1;  // count is per instance; one consumer keeps it exact
  return s;
}

ComponentSpec AmqpSinkSpec() {
  ComponentSpec s;
  s.name = "amqp";
  s.kind = ComponentKind::kSink;
  s.summary = "publishes every tuple to a RabbitMQ exchange as a persistent message, with publisher confirms";
  s.params = {
      Optional("exchange", ParamType::kString, Value::String(""), "the exchange; \"\": the default one"),
      Required("routing_key", ParamType::kString, "the routing key (the queue, with the default exchange)"),
      Optional("url", ParamType::kString, Value::String(""), "amqp://USER:PASS@HOST:PORT/VHOST; default $SMC_BROKER"),
      FormatParam("tsv")};
  return s;
}

namespace {

amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

// One connection and channel 1; throws (without credentials) on failure.
class Connection {
 public:
  Connection(const rt::Context& ctx, bool confirm) {
    std::string url = ctx.StringArg("url");
    if (url.empty()) {
      const char* env = std::getenv("SMC_BROKER");
      url = env ? env : "";
    }
    std::vector<char> buf(url.begin(), url.end());
    buf.push_back('\0');
    amqp_connection_info ci;
    amqp_default_connection_info(&ci);
    if (url.empty() || amqp_parse_url(buf.data(), &ci) != AMQP_STATUS_OK || ci.ssl)
      throw std::runtime_error("give url: \"amqp://USER:PASS@HOST:PORT/VHOST\" (or $SMC_BROKER)");
    where_ = std::string(ci.host) + ":" + std::to_string(ci.port);
    state_ = amqp_new_connection();
    amqp_socket_t* sock = amqp_tcp_socket_new(state_);
    timeval tv{10, 0};
    if (!sock || amqp_socket_open_noblock(sock, ci.host, ci.port, &tv) != AMQP_STATUS_OK)
      throw rt::IoError("cannot connect to RabbitMQ at " + where_);
    const char* vhost = ci.vhost && *ci.vhost ? ci.vhost : "/";
    if (amqp_login(state_, vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, ci.user, ci.password).reply_type !=
        AMQP_RESPONSE_NORMAL)
      throw rt::IoError("RabbitMQ at " + where_ + " refused the login");
    amqp_channel_open(state_, 1);
    Check("cannot open a channel");
    if (confirm) {
      amqp_confirm_select(state_, 1);
      Check("cannot turn on publisher confirms");
    }
  }
  ~Connection() {
    amqp_channel_close(state_, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Check(const std::string& what) {
    if (amqp_get_rpc_reply(state_).reply_type != AMQP_RESPONSE_NORMAL)
      throw rt::IoError(what + " (RabbitMQ at " + where_ + ")");
  }
  void DeclareQueue(const std::string& q) {
    amqp_queue_declare(state_, 1, Bytes(q), 0, 1, 0, 0, amqp_empty_table);
    Check("cannot declare queue '" + q + "'");
  }
  amqp_connection_state_t state() const { return state_; }
  const std::string& where() const { return where_; }

 private:
  amqp_connection_state_t state_ = nullptr;
  std::string where_;
};

class AmqpSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    conn_ = std::make_unique<Connection>(ctx, false);
    queue_ = ctx.StringArg("queue");
    count_ = ctx.IntArg("count");
    conn_->DeclareQueue(queue_);
    amqp_basic_qos(conn_->state(), 1, 0, static_cast<uint16_t>(std::clamp<int64_t>(ctx.IntArg("prefetch"), 1, 65535)),
                   0);
    conn_->Check("cannot set the prefetch");
    amqp_basic_consume(conn_->state(), 1, Bytes(queue_), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    conn_->Check("cannot consume queue '" + queue_ + "'");
  }

  bool Next(rt::Emitter& out, const rt::SpoutControl& ctl) override {
    if (ctl.Stopping()) return false;  // what is not acked goes back to the queue
    while (!replays_.empty()) {        // failed trees, emitted again from the copy
      auto it = unacked_.find(replays_.front());
      replays_.pop_front();
      if (it != unacked_.end()) EmitTracked(it->first, it->second);
    }
    for (int i = 0; i < 256; ++i) {
      if (Enough()) break;
      amqp_maybe_release_buffers(conn_->state());
      amqp_envelope_t env;
      timeval tv{0, i == 0 ? 20'000 : 0};
      amqp_rpc_reply_t r = amqp_consume_message(conn_->state(), &env, &tv, 0);
      if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) break;
        throw rt::IoError("lost the connection to RabbitMQ at " + conn_->where() + " (unacked messages go back to '" +
                          queue_ + "')");
      }
      std::string_view body(static_cast<const char*>(env.message.body.bytes), env.message.body.len);
      if (Reliable()) {
        auto [it, inserted] = unacked_.try_emplace(env.delivery_tag, body);
        EmitTracked(it->first, it->second);
      } else {
        rt::Datum d = rt::Datum::Str(body);
        out.Emit(0, &d);
        Delivered(env.delivery_tag);
      }
      amqp_destroy_envelope(&env);
      ++read_;
    }
    if (pending_ack_) {
      // One ack for everything emitted so far (multiple = true).
      if (amqp_basic_ack(conn_->state(), 1, last_tag_, 1) != AMQP_STATUS_OK)
        throw rt::IoError("cannot ack messages on RabbitMQ at " + conn_->where());
      pending_ack_ = false;
    }
    if (Enough()) return false;  // with acking, asked again after a Fail
    pollfd wake = {ctl.WakeFd(), POLLIN, 0};
    ::poll(&wake, 1, 0);
    return true;
  }

  bool Reliable() const override { return ctx_->acking; }
  // The tree of delivery `tag` is complete: the broker may forget it.
  void Ack(uint64_t tag) override {
    if (unacked_.erase(tag) == 0) return;
    if (amqp_basic_ack(conn_->state(), 1, tag, 0) != AMQP_STATUS_OK)
      throw rt::IoError("cannot ack a message on RabbitMQ at " + conn_->where());
  }
  bool Fail(uint64_t tag) override {
    if (!unacked_.count(tag)) return false;
    replays_.push_back(tag);
    return true;
  }
  std::string MessageText(uint64_t tag) const override {
    auto it = unacked_.find(tag);
    if (it == unacked_.end()) return std::to_string(tag);
    constexpr size_t kShown = 200;
    return "\"" + (it->second.size() > kShown ? it->second.substr(0, kShown) + "..." : it->second) + "\" (delivery " +
           std::to_string(tag) + " of '" + queue_ + "', left in the queue)";
  }

 private:
  bool Enough() const { return count_ > 0 && read_ >= count_; }
  // The tuple of delivery `tag` has left the spout: it is acked (in a batch).
  void Delivered(uint64_t tag) {
    last_tag_ = tag;
    pending_ack_ = true;
  }
  void EmitTracked(uint64_t tag, const std::string& body) {
    rt::Datum d = rt::Datum::Str(body);
    ctx_->shared->EmitWithId(0, &d, nullptr, -1, tag);
  }

  const rt::Context* ctx_ = nullptr;
  std::unique_ptr<Connection> conn_;
  std::string queue_;
  int64_t count_ = 0;  // 0: no bound
  int64_t read_ = 0;
  uint64_t last_tag_ = 0;
  bool pending_ack_ = false;
  std::unordered_map<uint64_t, std::string> unacked_;  // with acking: bodies by delivery tag, until acked
  std::deque<uint64_t> replays_;                       // failed: emitted again by the next Next
};

class AmqpSink : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    conn_ = std::make_unique<Connection>(ctx, true);
    exchange_ = ctx.StringArg("exchange");
    key_ = ctx.StringArg("routing_key");
    if (exchange_.empty()) conn_->DeclareQueue(key_);  // the default exchange routes to the queue of that name
    formatter_ = std::make_unique<RecordFormatter>(ctx.StringArg("format"), ctx);
  }

  void Execute(const rt::Batch& b, int input, rt::Emitter&) override {
    amqp_basic_properties_t props;
    std::memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = 2;  // persistent
    for (size_t t = 0; t < b.size(); ++t) {
      record_.clear();
      formatter_->Append(b, t, input, &record_);
      if (!record_.empty() && record_.back() == '\n') record_.pop_back();
      if (amqp_basic_publish(conn_->state(), 1, Bytes(exchange_), Bytes(key_), 0, 0, &props, Bytes(record_)) !=
          AMQP_STATUS_OK)
        throw rt::IoError("cannot publish to RabbitMQ at " + conn_->where());
      ++published_;
    }
    WaitConfirms();
  }

  void Finish(rt::Emitter&) override { WaitConfirms(); }

 private:
  // Waits until the broker confirmed every message published so far.
  void WaitConfirms() {
    while (confirmed_ < published_) {
      amqp_frame_t frame;
      timeval tv{30, 0};
      if (amqp_simple_wait_frame_noblock(conn_->state(), &frame, &tv) != AMQP_STATUS_OK)
        throw rt::IoError("RabbitMQ at " + conn_->where() + " did not confirm " +
                          std::to_string(published_ - confirmed_) + " message(s)");
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
        auto* a = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
        confirmed_ = std::max<uint64_t>(confirmed_, a->delivery_tag);  // acks come in order on one channel
      } else if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
        throw rt::IoError("RabbitMQ at " + conn_->where() + " refused a message");
      } else if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                 frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
        throw rt::IoError("RabbitMQ at " + conn_->where() + " closed the channel (no such exchange?)");
      }
    }
  }

  std::unique_ptr<Connection> conn_;
  std::string exchange_, key_, record_;
  std::unique_ptr<RecordFormatter> formatter_;
  uint64_t published_ = 0, confirmed_ = 0;
};

}  // namespace

std::unique_ptr<rt::Spout> MakeAmqpSpout() {
  return std::make_unique<AmqpSpout>();
}
std::unique_ptr<rt::Component> MakeAmqpSink() {
  return std::make_unique<AmqpSink>();
}

}  // namespace smc::stdlib
