// The RabbitMQ broker's wire (runtime/tasks/amqp_broker.h), shared by its
// client side (amqp_broker.cc: connections, submitting, replies, end
// queues) and its worker side (amqp_worker.cc): names of queues and
// exchanges, message bodies, and one AMQP connection.
#pragma once

#include <amqp.h>
#include <amqp_framing.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runtime/tasks/amqp_broker.h"

namespace smc::rt::amqp_wire {

inline constexpr const char* kAbortExchange = "smc.abort";
inline constexpr const char* kEndExchange = "smc.ends";           // final states, routed by task id to end queues
inline constexpr int32_t kEndQueueExpiresMs = 7 * 24 * 3600'000;  // an end queue unused this long is deleted
inline constexpr int64_t kAfterRecheckMs = 200;                   // a waiting task's dependencies, read again
inline constexpr int64_t kMaxRemoteResult = 64 << 20;             // a result travels in one message

inline std::string QueueName(const std::string& q) {
  return "smc.q." + q;
}

// Where task `id`'s final state is kept once it ends, for the tasks after it.
inline std::string EndQueueName(const std::string& id) {
  return "smc.end." + id;
}

inline amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

inline std::string Str(amqp_bytes_t b) {
  return b.bytes ? std::string(static_cast<const char*>(b.bytes), b.len) : std::string();
}

inline bool Normal(const amqp_rpc_reply_t& r) {
  return r.reply_type == AMQP_RESPONSE_NORMAL;
}

// A task message: task, queue, arguments, and the ids of the tasks it
// runs after (comma-separated) when there are any.
inline std::string TaskBody(const QueuedTask& t, const std::vector<std::string>& after) {
  if (after.empty()) return JoinEscaped({t.task, t.queue, EncodeArgs(t.args)});
  std::string ids;
  for (const std::string& a : after) ids += (ids.empty() ? "" : ",") + a;
  return JoinEscaped({t.task, t.queue, EncodeArgs(t.args), ids});
}

// The ids of a task message's fourth field; false when one is not an id.
inline bool ParseAfter(const std::string& field, std::vector<std::string>* out) {
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
inline std::string ReplyBody(const char* kind, const QueuedTask& t, const std::string& result) {
  std::string head =
      JoinEscaped({kind, t.id, t.state, std::to_string(t.attempt), std::to_string(t.exit_status),
                   std::to_string(t.signal), t.timed_out ? "1" : "0", t.reason, std::to_string(t.progress), t.message,
                   std::to_string(t.started_ms), std::to_string(t.ended_ms), std::to_string(t.result_size), t.worker});
  return std::to_string(head.size()) + "\n" + head + result;
}

inline bool ParseReply(const std::string& body, QueuedTask* t, std::optional<std::string>* result) {
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

inline std::string ReplyQueueName() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return std::string("smc.reply.") + host + "." + std::to_string(::getuid());
}

}  // namespace smc::rt::amqp_wire

namespace smc::rt {

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

}  // namespace smc::rt
