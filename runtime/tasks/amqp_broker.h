// The RabbitMQ broker of task queues (runtime/tasks/broker.h), over
// rabbitmq-c (Debian's librabbitmq).
//
// Queue Q is the durable queue "smc.q.Q"; a task is a persistent message
// (message_id = its id, reply_to = the submitter's durable reply queue
// "smc.reply.HOST.UID"), published with publisher confirms. A worker
// consumes with prefetch = its parallelism and manual acks, and acks a
// task only after its end (with the result) is published to the reply
// queue and confirmed: a worker that dies, or loses its connection, leaves
// its unacked tasks to be delivered again (at-least-once). Progress goes to
// the reply queue too (transient). Aborts go to the fanout exchange
// "smc.abort", which every worker binds with a private queue; the worker
// holding the id stops it (and remembers aborted ids, so that a task
// delivered later is not run); an abort of a task still queued also writes
// "aborted" to its end queue (below), which a worker reads before running
// any task delivered to it, so workers that start later see it too. Dependencies (--after): a submitter may name
// tasks it submitted; it makes each one's end queue "smc.end.ID" (durable,
// bound to the direct exchange "smc.ends" by the id, deleted after 7 days
// unused) before reading its state, and a task whose dependencies have not
// ended carries their ids. The worker that delivers it holds it (the
// prefetch grows by what it holds) and reads their end queues every 200 ms;
// a worker publishes every task's final state to "smc.ends" after its
// reply, before the ack. All done: it runs; one failed, skipped or aborted:
// it ends skipped. The submitter's side keeps a local record
// of what it submitted in the job store (EmbeddedBroker::Record) and
// applies what arrives on its reply queue there, each end once, so `smc
// result ID` and `smc ps ID` read it. Connection loss: every call
// reconnects (with a bounded wait); a worker then reports its running
// tasks as lost (Renew), since the broker delivers them again.
// Credentials are never written into error() or logs (only host:port/vhost).
//
// Not thread-safe: one AmqpBroker per thread.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include <amqp.h>

#include "runtime/tasks/broker.h"
#include "runtime/tasks/queue_store.h"

namespace smc::rt {

class AmqpBroker : public Broker {
 public:
  AmqpBroker();
  ~AmqpBroker() override;

  /// Parses `url` (amqp://USER:PASS@HOST:PORT/VHOST), opens the local
  /// record (the job store) and connects. False with error().
  bool Open(const std::string& url);
  /// "host:port/vhost": the broker, without credentials.
  const std::string& where() const { return where_; }
  /// The socket the worker's deliveries arrive on (-1: not connected).
  int wake_fd() const override;

  const std::string& error() const override { return error_; }
  bool Submit(std::vector<QueuedTask>* batch) override;
  using Broker::Submit;
  std::optional<QueuedTask> Find(const std::string& id) override;
  std::optional<std::string> Result(const std::string& id) override;
  bool RequestAbort(const std::string& id, bool* now) override;
  std::vector<QueueCounts> Counts() override;
  std::vector<WorkerInfo> Workers() override { return {}; }
  bool lists_workers() const override { return false; }
  bool Register(const WorkerInfo& w) override;
  bool Unregister(const WorkerInfo& w) override;
  std::vector<QueuedTask> Claim(const WorkerInfo& w, const std::vector<std::string>& tasks, int max,
                                int64_t lease_ms) override;
  std::vector<std::string> Renew(const WorkerInfo& w, const std::vector<std::string>& ids, int64_t lease_ms) override;
  bool Update(const WorkerInfo& w, const QueuedTask& t) override;
  bool Finish(const WorkerInfo& w, const QueuedTask& t, const std::optional<std::string>& result) override;
  std::vector<std::string> AbortsRequested(const std::vector<std::string>& running) override;

  /// Applies every message waiting on this client's reply queue to the
  /// local record (and acks it). False with error() on a broker failure.
  bool DrainReplies();

  struct Conn;  // one AMQP connection (rabbitmq-c state)

 private:
  bool Connect(Conn& c, bool consume_tasks);
  bool Ensure(Conn& c, bool consume_tasks);
  bool Publish(const std::string& exchange, const std::string& key, const std::string& body,
               const std::string& message_id, const std::string& reply_to, bool persistent, bool confirm);
  bool Fail(const std::string& what);
  bool DeclareEndQueue(const std::string& id);
  /// The final state of task `id` from its end queue: "" while it has not
  /// ended, "unknown" when the queue is gone. False on a broker failure.
  bool EndOf(const std::string& id, std::string* state);
  /// Channel 2 of pub_, for lookups of queues that may not exist.
  bool Lookups();
  bool LookupFailed(const amqp_rpc_reply_t& r, bool* missing);
  /// A passive declare of `queue`: whether it exists, its ready messages and consumers.
  bool Inspect(const std::string& queue, bool* exists, uint32_t* messages, uint32_t* consumers);
  bool SetPrefetch();
  bool CheckWaiting(const WorkerInfo& w, int max, std::vector<QueuedTask>* out);

  std::string host_, user_, password_, vhost_, where_;
  int port_ = 5672;
  std::string reply_queue_;
  EmbeddedBroker local_;
  std::unique_ptr<Conn> pub_;  // publishing, with confirms
  std::unique_ptr<Conn> sub_;  // consuming (a worker's tasks and aborts; a client's replies)
  WorkerInfo worker_;
  bool worker_mode_ = false;
  int generation_ = 0;  // reconnections of sub_
  struct Held {
    uint64_t tag = 0;  // its delivery tag on this connection
    int attempt = 0;   // the attempt it was handed out as
  };
  std::map<std::string, Held> tags_;  // each task held (on this connection)
  std::set<std::string> lost_ids_;    // held on a connection that was lost
  std::map<std::string, std::string> reply_to_;
  std::map<std::string, QueuedTask> held_;  // retries waiting for their time (delivery kept)
  std::set<std::string> aborted_;           // ids whose abort was announced
  std::vector<QueuedTask> pending_;         // delivered, not yet claimed
  struct Waiting {
    QueuedTask task;
    int64_t next_check_ms = 0;
  };
  std::map<std::string, Waiting> waiting_;  // delivered, held until the tasks before them end
  int prefetch_ = 0;                        // as last set on sub_
  std::string error_;
};

}  // namespace smc::rt
