// smc worker FILE: serve the task templates (and tasks) of a tasks block to
// `smc submit`, from one or more queues (runtime/tasks/worker.h).
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/exit_codes.h"
#include "cli/frontend.h"
#include "cli/queue_cli.h"
#include "dsl/parser.h"
#include "dsl/suggest.h"
#include "dsl/template.h"
#include "runtime/tasks/queue_store.h"
#include "runtime/tasks/worker.h"

namespace smc {

namespace fs = std::filesystem;

void SetupWorker(CLI::App& app, WorkerCmdOptions& opts) {
  app.add_option("file", opts.file, "the .topo file whose task templates to serve")->required();
  app.add_option("--tasks", opts.tasks, "the tasks block to serve (needed when the file has several)");
  app.add_option("--parallelism,-j", opts.parallelism,
                 "tasks run at once (default: the block's parallelism, else cores)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--queue,-q", opts.queues, "a queue to take tasks from (repeatable; default: default)");
  app.add_option("--lease", opts.lease,
                 "how long a claimed task stays this worker's without a renewal (default $SMC_QUEUE_LEASE, else 30s)");
  app.add_option("--broker", opts.broker, "amqp://USER:PASS@HOST:PORT/VHOST (default: $SMC_BROKER, else embedded)");
  app.add_flag("--quiet", opts.quiet, "no line per task started and ended");
}

namespace {

// A value inside single quotes for /bin/sh: a submitted argument is data, never code.
std::string ShellQuote(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'')
      o += "'\\''";
    else
      o += c;
  }
  return o + "'";
}

int64_t Setting(const Settings& s, const char* key, int64_t fallback) {
  auto it = s.find(key);
  return it == s.end() ? fallback : it->second.num;
}

std::string Arg(const GraphTask& t, const char* name) {
  auto it = t.args.find(name);
  return it == t.args.end() ? "" : it->second.ToText();
}

// One WorkerInfo::templates line: NAME, then each parameter as P or P=DEFAULT.
std::string Signature(const GraphTemplate& t) {
  std::string s = t.name;
  for (const GraphTemplateParam& p : t.params) s += "\t" + p.name + (p.default_value ? "=" + *p.default_value : "");
  return s;
}

}  // namespace

int RunWorkerCmd(const WorkerCmdOptions& opts, std::ostream& out, std::ostream& err) {
  (void)out;
  int status = kExitOk;
  Loaded l = LoadValid(opts.file, {}, err, &status);
  if (status != kExitOk) return status;
  const Graph& g = l.graph;
  if (g.task_graphs.empty()) {
    err << "smc: error: '" << opts.file << "' has no tasks block to serve\n";
    return kExitUsage;
  }
  const GraphTaskGraph* tg = nullptr;
  std::vector<std::string> blocks;
  for (const GraphTaskGraph& t : g.task_graphs) {
    blocks.push_back(t.name);
    if (t.name == opts.tasks) tg = &t;
  }
  if (opts.tasks.empty() && g.task_graphs.size() == 1) tg = &g.task_graphs.front();
  if (!tg) {
    if (opts.tasks.empty()) {
      err << "smc: error: '" << opts.file << "' has several tasks blocks; choose one with --tasks:";
      for (const std::string& b : blocks) err << " " << b;
      err << "\n";
    } else {
      err << "smc: error: no tasks block '" << opts.tasks << "' in '" << opts.file << "'"
          << DidYouMean(opts.tasks, blocks) << "\n";
    }
    return kExitUsage;
  }
  int64_t lease_ns = 30'000'000'000;
  std::string lease_text = opts.lease;
  if (lease_text.empty()) {
    const char* env = std::getenv("SMC_QUEUE_LEASE");
    if (env && *env) lease_text = env;
  }
  if (!lease_text.empty()) {
    std::optional<Value> d = ParseLiteral(lease_text);
    if (!d || d->type != ValueType::kDuration || d->num < 100'000'000) {
      err << "smc: error: the lease must be a duration of at least 100ms, such as 30s, got '" << lease_text << "'\n";
      return kExitUsage;
    }
    lease_ns = d->num;
  }

  std::string error;
  std::unique_ptr<rt::Broker> broker = OpenBroker(opts.broker, true, &error);
  if (!broker) {
    err << "smc: error: " << error << "\n";
    return kExitIoErr;
  }
  rt::WorkerOptions wo;
  if (!opts.queues.empty()) wo.queues = opts.queues;
  for (const std::string& name : ServableNames(*tg)) {
    wo.tasks.push_back(name);
    wo.templates.push_back(Signature(*FindServable(*tg, name)));
  }
  auto par = tg->settings.find("parallelism");
  wo.parallelism = opts.parallelism > 0        ? opts.parallelism
                   : par != tg->settings.end() ? static_cast<int>(par->second.num)
                                               : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  wo.lease_ms = lease_ns / 1'000'000;
  std::error_code ec;
  fs::path abs = fs::absolute(opts.file, ec);
  wo.dir = abs.parent_path().string();
  wo.verbose = !opts.quiet;
  if (auto* embedded = dynamic_cast<rt::EmbeddedBroker*>(broker.get())) {
    wo.task_dir = embedded->TaskDir(true);
  } else {
    wo.task_dir = rt::JobStore::DefaultDir() + "/queue";
    fs::create_directories(wo.task_dir, ec);
    ::chmod(wo.task_dir.c_str(), 0700);
  }
  std::string self = fs::read_symlink("/proc/self/exe", ec).string();

  rt::TaskResolver resolve = [&](const rt::QueuedTask& q, rt::TaskSpec* spec, std::string* why) {
    std::optional<GraphTemplate> t = FindServable(*tg, q.task);
    if (!t) {
      *why = "this worker does not serve task '" + q.task + "'";
      return false;
    }
    std::optional<std::map<std::string, std::string>> values = BindTemplateArgs(*t, q.args, why);
    if (!values) return false;
    bool exec = t->body.impl == "exec";
    if (exec) {
      for (auto& [k, v] : *values) v = ShellQuote(v);
    }
    GraphTask task = InstantiateTemplate(*t, *values, q.task);
    spec->name = q.task;
    spec->retries = static_cast<int>(Setting(task.settings, "retries", 0));
    spec->backoff_ns = Setting(task.settings, "backoff", spec->backoff_ns);
    spec->backoff_max_ns = Setting(task.settings, "backoff.max", spec->backoff_max_ns);
    spec->timeout_ns = Setting(task.settings, "timeout", 0);
    spec->kill_grace_ns = Setting(task.settings, "kill.grace", spec->kill_grace_ns);
    if (exec) {
      spec->argv = {"/bin/sh", "-c", Arg(task, "command")};
      return true;
    }
    std::string path = Arg(task, "path");
    fs::path p = path.empty() || path[0] == '/' ? fs::path(path) : fs::path(wo.dir) / path;
    bool own_topology = false;
    for (const GraphTopology& topo : g.topologies) own_topology |= topo.name == path;
    std::error_code fec;
    if (fs::is_regular_file(p, fec)) {
      spec->argv = {self, "run", p.string()};
    } else if (own_topology) {
      spec->argv = {self, "run", abs.string(), "--topology", path};
    } else {
      *why = "no file or topology '" + path + "'";
      return false;
    }
    auto params = task.args.find("params");
    if (params != task.args.end()) {
      for (const Value& v : params->second.list) spec->argv.insert(spec->argv.end(), {"-p", v.ToText()});
    }
    spec->stdin_path = Arg(task, "stdin");
    return true;
  };
  if (wo.verbose) {
    err << "smc: worker " << ::getpid() << " serving";
    for (const std::string& t : wo.tasks) err << " " << t;
    err << " from queue";
    for (const std::string& q : wo.queues) err << " " << q;
    err << ", parallelism " << wo.parallelism << "\n";
  }
  int s = rt::RunWorker(*broker, wo, resolve, err);
  return s == 0 ? kExitOk : kExitSoftware;
}

}  // namespace smc
