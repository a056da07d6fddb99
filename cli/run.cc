// smc run FILE: validate, compile to a plan, and run on all cores.
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/frontend.h"
#include "cli/tasks_cli.h"
#include "dsl/parser.h"
#include "dsl/suggest.h"
#include "runtime/channel.h"
#include "runtime/job.h"
#include "runtime/jobs.h"
#include "runtime/plan.h"
#include "runtime/stop.h"
#include "stdlib/builtins.h"

namespace smc {

void SetupRun(CLI::App& app, RunOptions& opts) {
  app.add_option("file", opts.file, "the .topo file to run ('-' reads it from standard input)")->required();
  app.add_option("-p,--param", opts.params, "override a parameter: NAME=VALUE (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--topology", opts.topology, "the topology to run when the file has several");
  app.add_option("--tasks", opts.tasks, "the tasks block to run (task graphs: see smc-topo(5))");
  app.add_flag("--resume", opts.resume, "resume an unfinished task-graph job: FILE is its id or its .topo file");
  app.add_option("--threads", opts.threads, "worker threads (default: one per core)")->check(CLI::Range(1, 4096));
  app.add_option("--for", opts.run_for, "stop gracefully after this long, such as 10s or 5m");
  app.add_option("--metrics", opts.metrics, "write per-component metrics at exit to FILE ('-': standard error)");
  app.add_option("--metrics-format", opts.metrics_format, "text (the default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--plan", opts.plan_only, "print the execution plan and exit without running");
}

namespace {

// The children of RunEachTopology, for the signal handler.
pid_t g_children[256];
std::atomic<int> g_child_count{0};
bool g_forward_sigint = true;
std::atomic<int> g_signal{0};  // the first signal received, passed on

void ForwardSignal(int sig) {
  int none = 0;
  g_signal.compare_exchange_strong(none, sig);
  if (sig == SIGINT && !g_forward_sigint) return;  // the terminal sent it to them too
  for (int i = 0; i < g_child_count.load(); ++i) ::kill(g_children[i], sig);
}

}  // namespace

// Several topologies: one process each (isolation), joined by their channels.
// Signals are passed on; if one fails, the others are stopped (SIGTERM, so
// they drain); the status is the first failure's, or 0.
int RunEachTopology(const RunOptions& opts, const rt::Plan& plan, std::ostream& err) {
  if (plan.topologies.size() > 256) {
    err << "smc: error: too many topologies in one file (at most 256)\n";
    return kExitUsage;
  }
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  bool tty = ::isatty(0);
  g_forward_sigint = !tty;
  struct sigaction sa {};
  sa.sa_handler = ForwardSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  std::vector<std::string> names;
  for (const rt::PlanTopology& t : plan.topologies) {
    std::vector<std::string> args = {self, "run", opts.file, "--topology", t.name};
    for (const std::string& p : opts.params) args.insert(args.end(), {"-p", p});
    if (opts.threads > 0) args.insert(args.end(), {"--threads", std::to_string(opts.threads)});
    if (!opts.run_for.empty()) args.insert(args.end(), {"--for", opts.run_for});
    if (!opts.metrics.empty()) {
      args.insert(args.end(), {"--metrics", opts.metrics == "-" ? "-" : opts.metrics + "." + t.name});
      args.insert(args.end(), {"--metrics-format", opts.metrics_format});
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Signals wait while we fork: the child must not run our forwarding
    // handler (it would pass the signal on and live on itself).
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      ::sigprocmask(SIG_SETMASK, &old, nullptr);
      // Its own process group, so a terminal's Ctrl-C reaches it once, through
      // us (unless it must read the terminal, which only the foreground group can).
      if (!tty) ::setpgid(0, 0);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    if (pid > 0) {
      g_children[g_child_count.load()] = pid;
      g_child_count.fetch_add(1);
    }
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) {
      err << "smc: error: cannot start topology '" << t.name << "': " << std::strerror(errno) << "\n";
      ForwardSignal(SIGTERM);
      break;
    }
    names.push_back(t.name);
  }
  int status = kExitOk;
  int running = g_child_count.load();
  bool stopped_others = false;
  while (running > 0) {
    int st = 0;
    pid_t pid = ::waitpid(-1, &st, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    --running;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    std::string name;
    for (int i = 0; i < g_child_count.load(); ++i) {
      if (g_children[i] == pid) name = names[i];
    }
    int sig = g_signal.load();
    if (sig != 0 && (code == 128 + sig || (WIFSIGNALED(st) && WTERMSIG(st) == sig))) {
      if (status == kExitOk) status = 128 + sig;  // stopped as asked: not a failure of its own
      continue;
    }
    if (code != 0) {
      err << "smc: topology '" << name << "' "
          << (WIFEXITED(st) ? "exited with status " + std::to_string(code)
                            : "was killed by signal " + std::to_string(WTERMSIG(st)))
          << "\n";
      if (status == kExitOk) status = code;
      if (!stopped_others && running > 0) {
        stopped_others = true;
        err << "smc: stopping the other topologies\n";
        for (int i = 0; i < g_child_count.load(); ++i) ::kill(g_children[i], SIGTERM);
      }
    }
  }
  return status;
}

int RunRun(const RunOptions& opts, std::ostream& out, std::ostream& err) {
  auto overrides = ParseOverrides(opts.params, err);
  if (!overrides) return kExitUsage;
  int64_t run_for_ns = 0;
  if (!opts.run_for.empty()) {
    std::optional<Value> d = ParseLiteral(opts.run_for);
    if (!d || d->type != ValueType::kDuration || d->num <= 0) {
      err << "smc: error: --for expects a duration such as 10s or 5m, got '" << opts.run_for << "'\n";
      return kExitUsage;
    }
    run_for_ns = d->num;
  }
  if (opts.resume) return ResumeTasks(opts, out, err);  // task graphs: cli/run_tasks.cc
  int status = kExitOk;
  Loaded l = LoadValid(opts.file, *overrides, err, &status);
  if (status != kExitOk) return status;
  if (ChoosesTasks(opts, l.graph)) return RunTasks(opts, l, out, err);

  rt::Plan plan = rt::Compile(l.graph);
  if (plan.topologies.empty()) {
    err << "smc: error: '" << opts.file << "' has no topology to run\n";
    return kExitDataErr;
  }
  int topology = 0;
  if (!opts.topology.empty()) {
    std::vector<std::string> names;
    topology = -1;
    for (size_t i = 0; i < plan.topologies.size(); ++i) {
      names.push_back(plan.topologies[i].name);
      if (plan.topologies[i].name == opts.topology) topology = static_cast<int>(i);
    }
    if (topology < 0) {
      err << "smc: error: no topology '" << opts.topology << "' in '" << opts.file << "'"
          << DidYouMean(opts.topology, names) << "\n";
      return kExitUsage;
    }
  } else if (plan.topologies.size() > 1 && !opts.plan_only) {
    if (opts.file == "-") {
      err << "smc: error: a file with several topologies cannot be read from standard input; name the file\n";
      return kExitUsage;
    }
    return RunEachTopology(opts, plan, err);
  }
  if (opts.plan_only) {
    out << plan.Dump();
    return kExitOk;
  }
  const rt::Registry& registry = StandardRegistry();
  std::string missing = rt::MissingImplementation(plan, topology, registry);
  if (!missing.empty()) {
    err << "smc: error: " << missing << " cannot run yet: this version of smc runs only the standard library's "
        << "built-ins\n";
    return kExitDataErr;
  }

  std::ofstream metrics_file;
  if (!opts.metrics.empty() && opts.metrics != "-") {
    metrics_file.open(opts.metrics);
    if (!metrics_file) {
      err << "smc: error: cannot open '" << opts.metrics << "' for writing\n";
      return kExitNoInput;
    }
  }
  rt::CleanupStaleChannels();  // what crashed jobs left behind
  rt::StopSignal::Get().InstallHandlers();
  rt::JobOptions jo;
  jo.threads = opts.threads;
  jo.run_for_ns = run_for_ns;
  jo.live_status = ::isatty(2) && opts.metrics != "-";

  // The job registry, for smc ps and smc abort. Running does not depend on it.
  rt::JobRegistry jobs;
  std::string jobs_error;
  rt::JobRecord record;
  bool registered = jobs.Open(&jobs_error);
  if (registered) {
    record.id = jobs.NewId();
    record.name = plan.topologies[topology].name;
    std::error_code ec;
    record.path = opts.file == "-" ? "-" : std::filesystem::absolute(opts.file, ec).string();
    record.pid = ::getpid();
    record.pgid = ::getpgrp();
    record.start_ticks = rt::JobRegistry::StartTicks(record.pid);
    record.started_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    if (const passwd* pw = ::getpwuid(::getuid())) record.user = pw->pw_name;
    registered = jobs.Write(record);
    double last_seconds = 0;
    uint64_t last_out = 0;
    jo.on_status = [&](const rt::JobMetrics& m, bool stopping) {
      record.tuples_in = record.tuples_out = record.errors = 0;
      for (const rt::ComponentMetrics& c : m.components) {
        if (c.kind == "spout") record.tuples_in += c.emitted;
        if (c.kind == "sink") record.tuples_out += c.executed;
        record.errors += c.errors;
      }
      double dt = m.seconds - last_seconds;
      record.rate = dt > 0 ? (record.tuples_out - last_out) / dt : 0;
      last_seconds = m.seconds;
      last_out = record.tuples_out;
      record.state = stopping ? "stopping" : "running";
      record.metrics = m;
      jobs.Write(record);
    };
  }
  rt::JobResult r = rt::RunTopology(plan, topology, registry, jo, err);
  if (registered) jobs.Remove(record.id);
  if (!opts.metrics.empty()) {
    std::string text = opts.metrics_format == "json" ? rt::MetricsJson(r.metrics) : rt::MetricsText(r.metrics);
    if (opts.metrics == "-") err << text << std::flush;
    else metrics_file << text;
  }
  return r.exit_status;
}

}  // namespace smc
