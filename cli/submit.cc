// smc submit TASK [ARG=VALUE]...: queue one run of a task template, and the
// queue parts of `smc result ID`, `smc ps [ID]` and `smc abort ID`.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <poll.h>
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/exit_codes.h"
#include "cli/jobs_cli.h"
#include "cli/queue_cli.h"
#include "dsl/suggest.h"
#include "dsl/template.h"
#include "runtime/jobs.h"
#include "runtime/tasks/amqp_broker.h"
#include "runtime/tasks/queue_store.h"

namespace smc {

void SetupSubmit(CLI::App& app, SubmitOptions& opts) {
  app.add_option("task", opts.task, "the task template (or task) to run");
  app.add_option("args", opts.args, "its arguments, NAME=VALUE");
  app.add_option("--queue,-q", opts.queue, "the queue (default: default)");
  app.add_option("--after", opts.after, "run after this submitted task is done (repeatable)");
  app.add_flag("--wait", opts.wait, "follow its progress, print its result, exit with its exit status");
  app.add_flag("--stdin", opts.from_stdin,
               "submit one task per line of standard input, TASK [ARG=VALUE]... (split at blanks); print their ids");
  app.add_option("--broker", opts.broker, "amqp://USER:PASS@HOST:PORT/VHOST (default: $SMC_BROKER, else embedded)");
}

std::unique_ptr<rt::Broker> OpenBroker(const std::string& url, bool create, std::string* error) {
  std::string u = url;
  if (u.empty()) {
    const char* env = std::getenv("SMC_BROKER");
    if (env) u = env;
  }
  if (u.empty() || u == "embedded") {
    auto b = std::make_unique<rt::EmbeddedBroker>();
    if (!b->Open(create)) {
      *error = b->error();
      return nullptr;
    }
    return b;
  }
  if (u.rfind("amqp://", 0) == 0) {
    auto b = std::make_unique<rt::AmqpBroker>();
    if (!b->Open(u)) {
      *error = b->error();
      return nullptr;
    }
    return b;
  }
  *error = "unknown broker: give amqp://USER:PASS@HOST:PORT/VHOST or 'embedded'";
  return nullptr;
}

int QueuedExitStatus(const rt::QueuedTask& t) {
  if (t.state == "done") return kExitOk;
  if (t.state == "failed" && !t.timed_out) {
    if (t.exit_status > 0) return t.exit_status;
    if (t.signal > 0) return kExitSignalBase + t.signal;
  }
  return kExitSoftware;
}

namespace {

// A worker's templates line back into a template (for checking arguments).
GraphTemplate FromSignature(const std::string& line) {
  GraphTemplate t;
  size_t start = 0;
  bool first = true;
  while (start <= line.size()) {
    size_t tab = line.find('\t', start);
    if (tab == std::string::npos) tab = line.size();
    std::string part = line.substr(start, tab - start);
    if (first) {
      t.name = part;
      first = false;
    } else {
      size_t eq = part.find('=');
      if (eq == std::string::npos)
        t.params.push_back({part, std::nullopt});
      else
        t.params.push_back({part.substr(0, eq), part.substr(eq + 1)});
    }
    start = tab + 1;
  }
  return t;
}

// Blocks SIGUSR1 (a worker's "it ended") and returns a signalfd for it.
int WakeFd() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  return ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

std::string Percent(double p) {
  if (p < 0) return "";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%d%%", static_cast<int>(std::lround(p * 100)));
  return buf;
}

// Waits for `id` to end, printing progress changes to `err`; the final row.
std::optional<rt::QueuedTask> WaitEnd(rt::Broker& broker, const std::string& id, int wake_fd, std::ostream& err) {
  std::string last;
  while (true) {
    std::optional<rt::QueuedTask> t = broker.Find(id);
    if (!t) return std::nullopt;
    if (rt::IsFinalQueuedState(t->state)) return t;
    std::string now = t->state;
    if (t->state == "running") {
      now += " (attempt " + std::to_string(t->attempt) + ")";
      if (t->progress >= 0) now += " " + Percent(t->progress);
      if (!t->message.empty()) now += " " + t->message;
    }
    if (now != last) {
      err << "smc: " << id << " " << now << "\n" << std::flush;
      last = now;
    }
    pollfd p{wake_fd, POLLIN, 0};
    if (::poll(&p, 1, wake_fd >= 0 ? 200 : 20) > 0) {
      signalfd_siginfo si;
      while (::read(wake_fd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      }
    }
  }
}

int PrintResult(rt::Broker& broker, const rt::QueuedTask& t, std::ostream& out, std::ostream& err) {
  if (t.state != "done") {
    err << "smc: error: task " << t.id << " (" << t.task << ") has no result: it is " << t.state
        << (t.reason.empty() ? "" : " (" + t.reason + ")") << "\n";
    return rt::IsFinalQueuedState(t.state) ? QueuedExitStatus(t) : kExitNoJob;
  }
  if (std::optional<std::string> blob = broker.Result(t.id)) {
    out << *blob << std::flush;
    return out ? kExitOk : kExitIoErr;
  }
  std::ifstream in(t.result_path, std::ios::binary);
  if (!in) {
    err << "smc: error: cannot open the result file '" << t.result_path << "'\n";
    return kExitNoInput;
  }
  out << in.rdbuf() << std::flush;
  return out ? kExitOk : kExitIoErr;
}

}  // namespace

namespace {

// What the queue's live workers serve, to check a submission against.
struct Served {
  bool any_worker = false;
  std::vector<GraphTemplate> templates;
  std::vector<std::string> names;
};

Served WhatIsServed(rt::Broker& broker, const std::string& queue) {
  Served s;
  for (const rt::WorkerInfo& w : broker.Workers()) {
    bool on_queue = false;
    for (const std::string& q : w.queues) on_queue |= q == queue;
    if (!on_queue) continue;
    s.any_worker = true;
    for (const std::string& line : w.templates) {
      s.templates.push_back(FromSignature(line));
      s.names.push_back(s.templates.back().name);
    }
  }
  return s;
}

// Fills `t` from TASK and NAME=VALUE words and checks it; false with the
// problems in `*problems` (one a line).
bool Prepare(const std::string& task, const std::vector<std::string>& words, const std::vector<std::string>& after,
             const Served& served, rt::QueuedTask* t, std::string* problems) {
  t->task = task;
  for (const std::string& a : words) {
    size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      *problems = "an argument is NAME=VALUE, got '" + a + "'";
      return false;
    }
    t->args.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  for (const std::string& id : after) {
    if (!IsQueuedTaskId(id)) {
      *problems = "--after expects a submitted task's id (q and ten hex digits), got '" + id + "'";
      return false;
    }
    t->after.push_back(id);
  }
  if (!served.any_worker) return true;
  for (const GraphTemplate& tmpl : served.templates) {
    if (tmpl.name == t->task) return BindTemplateArgs(tmpl, t->args, problems).has_value();
  }
  *problems = "no worker of queue '" + t->queue + "' serves task '" + t->task + "'" + DidYouMean(t->task, served.names);
  return false;
}

void Report(const std::string& prefix, const std::string& problems, std::ostream& err) {
  size_t start = 0;
  while (start < problems.size()) {
    size_t nl = problems.find('\n', start);
    if (nl == std::string::npos) nl = problems.size();
    err << "smc: error: " << prefix << problems.substr(start, nl - start) << "\n";
    start = nl + 1;
  }
}

// `smc submit --stdin`: one task a line, "TASK [ARG=VALUE]..." split at
// blanks, submitted in batches of up to kBatch lines (one transaction each);
// the ids of a batch are printed once it is stored.
int SubmitLines(const SubmitOptions& opts, rt::Broker& broker, const Served& served, std::istream& in,
                std::ostream& out, std::ostream& err) {
  constexpr size_t kBatch = 200;
  std::vector<rt::QueuedTask> batch;
  auto flush = [&]() {
    if (batch.empty()) return true;
    if (!broker.Submit(&batch)) {
      err << "smc: error: " << broker.error() << "\n";
      return false;
    }
    for (const rt::QueuedTask& t : batch) out << t.id << "\n";
    out << std::flush;
    batch.clear();
    return true;
  };
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      size_t start = i;
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      if (i > start) words.push_back(line.substr(start, i - start));
    }
    if (words.empty() || words[0][0] == '#') continue;
    rt::QueuedTask t;
    t.queue = opts.queue;
    std::string problems;
    if (!Prepare(words[0], {words.begin() + 1, words.end()}, opts.after, served, &t, &problems)) {
      if (!flush()) return kExitIoErr;
      Report("line " + std::to_string(number) + ": ", problems, err);
      return kExitUsage;
    }
    batch.push_back(std::move(t));
    pollfd more{0, POLLIN, 0};  // flush when no more input is waiting (a slow producer)
    if (batch.size() >= kBatch || (in.rdbuf()->in_avail() <= 0 && ::poll(&more, 1, 0) <= 0)) {
      if (!flush()) return kExitIoErr;
    }
  }
  if (!flush()) return kExitIoErr;
  return out ? kExitOk : kExitIoErr;
}

}  // namespace

int RunSubmit(const SubmitOptions& opts, std::ostream& out, std::ostream& err) {
  if (opts.from_stdin && (opts.wait || !opts.task.empty())) {
    err << "smc: error: --stdin reads the tasks from standard input: give no TASK and no --wait\n";
    return kExitUsage;
  }
  if (!opts.from_stdin && opts.task.empty()) {
    err << "smc: error: give a TASK to submit (or --stdin)\n";
    return kExitUsage;
  }
  std::string error;
  std::unique_ptr<rt::Broker> broker = OpenBroker(opts.broker, true, &error);
  if (!broker) {
    err << "smc: error: " << error << "\n";
    return kExitIoErr;
  }
  Served served = WhatIsServed(*broker, opts.queue);
  if (!served.any_worker && broker->lists_workers())
    err << "smc: note: no worker serves queue '" << opts.queue << "' now; tasks wait for one\n";
  if (opts.from_stdin) return SubmitLines(opts, *broker, served, std::cin, out, err);
  rt::QueuedTask t;
  t.queue = opts.queue;
  std::string problems;
  if (!Prepare(opts.task, opts.args, opts.after, served, &t, &problems)) {
    Report("", problems, err);
    return kExitUsage;
  }
  int wake_fd = -1;
  if (opts.wait) {
    wake_fd = WakeFd();
    t.waiter = std::to_string(::getpid()) + ":" + std::to_string(rt::JobRegistry::StartTicks(::getpid()));
  }
  if (!broker->Submit(&t)) {
    err << "smc: error: " << broker->error() << "\n";
    return broker->error().rfind("no task", 0) == 0 ? kExitUsage : kExitIoErr;
  }
  if (!opts.wait) {
    out << t.id << "\n" << std::flush;
    return out ? kExitOk : kExitIoErr;
  }
  err << "smc: submitted " << t.id << " (" << t.task << ", queue " << t.queue << ")\n";
  std::optional<rt::QueuedTask> end = WaitEnd(*broker, t.id, wake_fd, err);
  if (!end) {
    err << "smc: error: task " << t.id << " is gone from the queue\n";
    return kExitSoftware;
  }
  if (end->state != "done") {
    err << "smc: task " << end->id << " (" << end->task << ") " << end->state << ": " << end->reason << "\n";
    return QueuedExitStatus(*end);
  }
  return PrintResult(*broker, *end, out, err);
}

int QueuedResult(const std::string& id, bool wait, const std::string& broker_url, std::ostream& out,
                 std::ostream& err) {
  std::string error;
  int wake_fd = -1;
  std::unique_ptr<rt::Broker> broker = OpenBroker(broker_url, false, &error);
  if (!broker) {
    err << "smc: error: " << (error.empty() ? "no task '" + id + "'" : error) << "\n";
    return error.empty() ? kExitNoJob : kExitIoErr;
  }
  std::optional<rt::QueuedTask> t = broker->Find(id);
  if (!t) {
    err << "smc: error: no task '" << id << "'\n";
    return kExitNoJob;
  }
  if (wait && !rt::IsFinalQueuedState(t->state)) {
    // Polls (the worker wakes only the submitter that waits).
    t = WaitEnd(*broker, id, wake_fd, err);
    if (!t) {
      err << "smc: error: task " << id << " is gone from the queue\n";
      return kExitSoftware;
    }
  }
  return PrintResult(*broker, *t, out, err);
}

int PsQueuedTask(const std::string& id, std::ostream& out, std::ostream& err) {
  (void)err;
  std::string error;
  std::unique_ptr<rt::Broker> broker = OpenBroker("", false, &error);
  if (!broker) return -1;
  std::optional<rt::QueuedTask> t = broker->Find(id);
  if (!t) return -1;
  out << "task " << t->id << " (" << t->task << "), queue " << t->queue << ": " << t->state << "\n";
  if (!t->args.empty()) {
    out << "  arguments:";
    for (const auto& [k, v] : t->args) out << " " << k << "=" << v;
    out << "\n";
  }
  if (!t->after.empty()) {
    out << "  after:";
    for (const std::string& a : t->after) out << " " << a;
    out << "\n";
  }
  out << "  attempt " << t->attempt;
  if (t->state == "running") {
    size_t colon = t->worker.find(':');
    out << ", worker pid " << t->worker.substr(0, colon);
    if (t->pgid) out << ", process group " << t->pgid;
  }
  out << "\n";
  if (t->progress >= 0 || !t->message.empty())
    out << "  progress " << Percent(t->progress) << " " << t->message << "\n";
  if (t->started_ms) {
    int64_t end = t->ended_ms ? t->ended_ms : rt::NowMs();
    char buf[64];
    std::snprintf(buf, sizeof buf, "  elapsed %.2f s\n", std::max<int64_t>(0, end - t->started_ms) / 1e3);
    out << buf;
  }
  if (rt::IsFinalQueuedState(t->state)) {
    if (t->exit_status >= 0) out << "  exit status " << t->exit_status << "\n";
    if (t->signal) out << "  killed by signal " << t->signal << "\n";
    if (!t->reason.empty()) out << "  " << t->reason << "\n";
    if (t->state == "done") out << "  result: " << t->result_size << " bytes\n";
  }
  return kExitOk;
}

void PsQueues(std::ostream& out) {
  std::string error;
  std::unique_ptr<rt::Broker> broker = OpenBroker("", false, &error);
  if (!broker) return;
  std::vector<rt::QueueCounts> counts = broker->Counts();
  if (counts.empty()) return;
  // Over RabbitMQ the counts are this client's tasks, and READY what waits
  // in the broker's queue from every client.
  bool remote = false;
  for (const rt::QueueCounts& c : counts) remote |= c.ready >= 0;
  char line[256];
  std::snprintf(line, sizeof line, "\n%-16s %8s %8s %8s %8s %8s %8s %8s%s\n", "QUEUE", "QUEUED", "RUNNING", "DONE",
                "FAILED", "SKIPPED", "ABORTED", "WORKERS", remote ? "    READY" : "");
  out << line;
  for (const rt::QueueCounts& c : counts) {
    std::snprintf(line, sizeof line, "%-16s %8d %8d %8d %8d %8d %8d %8d", c.queue.c_str(), c.queued, c.running, c.done,
                  c.failed, c.skipped, c.aborted, c.workers);
    out << line;
    if (remote) {
      std::snprintf(line, sizeof line, " %8s", c.ready >= 0 ? std::to_string(c.ready).c_str() : "-");
      out << line;
    }
    out << "\n";
  }
}

int AbortQueued(const std::string& id, int64_t wait_ns, std::ostream& out, std::ostream& err) {
  std::string error;
  std::unique_ptr<rt::Broker> broker = OpenBroker("", false, &error);
  if (!broker) return -1;
  std::optional<rt::QueuedTask> t = broker->Find(id);
  if (!t) return -1;
  auto start = std::chrono::steady_clock::now();
  bool now = false;
  if (!broker->RequestAbort(id, &now)) {
    err << "smc: error: " << broker->error() << "\n";
    return kExitNoJob;
  }
  if (now) {
    out << "aborted " << id << " (" << t->task << "): removed from queue " << t->queue << "\n";
    return kExitOk;
  }
  // Running: its worker stops it (TERM, then KILL after the task's kill.grace).
  auto deadline = start + std::chrono::nanoseconds(wait_ns) + std::chrono::seconds(10);
  while (true) {
    t = broker->Find(id);
    if (!t || rt::IsFinalQueuedState(t->state) || t->state == "queued") break;
    if (std::chrono::steady_clock::now() >= deadline) {
      err << "smc: error: task " << id << " is still running: its worker did not stop it in time\n";
      return kExitSoftware;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char line[256];
  std::snprintf(line, sizeof line, "aborted %s (%s): %s in %.2f s\n", id.c_str(), t ? t->task.c_str() : "?",
                t && t->state == "aborted" ? "stopped"
                : t                        ? t->state.c_str()
                                           : "gone",
                secs);
  out << line;
  return t && t->state == "aborted" ? kExitOk : kExitSoftware;
}

}  // namespace smc
