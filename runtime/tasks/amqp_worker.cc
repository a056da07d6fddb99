// The worker side of the RabbitMQ broker (runtime/tasks/amqp_broker.h):
// taking deliveries, holding tasks that wait for others (--after), ends
// published before the ack, aborts.
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
