// smc run FILE: validate, compile to a plan, and run on all cores.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/frontend.h"
#include "cli/tasks_cli.h"
#include "dsl/parser.h"
#include "dsl/suggest.h"
#include "runtime/job.h"
#include "runtime/metrics_server.h"
#include "runtime/plan.h"
#include "runtime/registered.h"
#include "runtime/supervisor.h"
#include "stdlib/builtins.h"

namespace smc {

void SetupRun(CLI::App& app, RunOptions& opts) {
  app.add_option("file", opts.file, "the .topo file to run ('-' reads it from standard input)")->required();
  app.add_option("-p,--param", opts.params, "override a parameter: NAME=VALUE (repeatable)")->allow_extra_args(false);
  app.add_option("--params", opts.params_file,
                 "read parameters from FILE: one NAME=VALUE a line ('#' comments); -p wins over it");
  app.add_option("--topology", opts.topology, "the topology to run when the file has several");
  app.add_option("--tasks", opts.tasks, "the tasks block to run (task graphs: see smc-topo(5))");
  app.add_flag("--resume", opts.resume, "resume an unfinished task-graph job: FILE is its id or its .topo file");
  app.add_option("--threads", opts.threads, "worker threads (default: one per core)")->check(CLI::Range(1, 4096));
  app.add_option("--for", opts.run_for, "stop gracefully after this long, such as 10s or 5m");
  app.add_option("--metrics", opts.metrics, "write per-component metrics at exit to FILE ('-': standard error)");
  app.add_option("--metrics-format", opts.metrics_format, "text (the default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--metrics-every", opts.metrics_every,
                 "also write the metrics while running, as one JSON line every DURATION (such as 10s), to the "
                 "--metrics FILE or standard error");
  app.add_option("--metrics-listen", opts.metrics_listen,
                 "serve the metrics in Prometheus text format at http://HOST:PORT/metrics (HOST: 127.0.0.1 "
                 "unless given; PORT 0: any free port; the address is printed on standard error)");
  app.add_flag("--plan", opts.plan_only, "print the execution plan and exit without running");
}

namespace {

// Shorter periods would cost more than they tell (the registry itself is
// sampled once a second).
constexpr int64_t kMinMetricsEveryNs = 100'000'000;

// The command line of one topology's own process: this binary, run again
// with --topology and the same settings.
std::vector<std::string> ChildArgv(const RunOptions& opts, const std::string& self, const rt::PlanTopology& t) {
  std::vector<std::string> args = {self, "run", opts.file, "--topology", t.name};
  for (const std::string& p : opts.params) args.insert(args.end(), {"-p", p});
  if (opts.threads > 0) args.insert(args.end(), {"--threads", std::to_string(opts.threads)});
  if (!opts.run_for.empty()) args.insert(args.end(), {"--for", opts.run_for});
  if (!opts.metrics.empty()) {
    args.insert(args.end(), {"--metrics", opts.metrics == "-" ? "-" : opts.metrics + "." + t.name});
  }
  if (!opts.metrics_format.empty()) args.insert(args.end(), {"--metrics-format", opts.metrics_format});
  if (!opts.metrics_every.empty()) args.insert(args.end(), {"--metrics-every", opts.metrics_every});
  return args;
}

bool ReadsStandardInput(const rt::PlanTopology& t) {
  for (const rt::PlanComponent& c : t.components) {
    if (c.kind == ComponentKind::kSpout && c.impl == "stdin") return true;
  }
  return false;
}

}  // namespace

int RunRun(const RunOptions& given, std::ostream& out, std::ostream& err) {
  // --params FILE becomes -p texts before the command line's own (which win).
  RunOptions opts = given;
  {
    int status = kExitOk;
    opts.params = WithParamsFile(given.params_file, given.params, err, &status);
    if (status != kExitOk) return status;
    opts.params_file.clear();
  }
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
  int64_t metrics_every_ns = 0;
  if (!opts.metrics_every.empty()) {
    std::optional<Value> d = ParseLiteral(opts.metrics_every);
    if (!d || d->type != ValueType::kDuration || d->num < kMinMetricsEveryNs) {
      err << "smc: error: --metrics-every expects a duration of at least 100ms, such as 10s, got '"
          << opts.metrics_every << "'\n";
      return kExitUsage;
    }
    if (opts.metrics_format == "text") {
      err << "smc: error: --metrics-every writes JSON lines; it cannot be used with --metrics-format text\n";
      return kExitUsage;
    }
    metrics_every_ns = d->num;
    opts.metrics_format = "json";
    if (opts.metrics.empty()) opts.metrics = "-";
  }
  std::string listen_host;
  int listen_port = -1;
  if (!opts.metrics_listen.empty() && !rt::ParseListenAddress(opts.metrics_listen, &listen_host, &listen_port)) {
    err << "smc: error: --metrics-listen expects [HOST:]PORT such as 127.0.0.1:9100 or 0 (any free port), got '"
        << opts.metrics_listen << "'\n";
    return kExitUsage;
  }
  if (opts.resume) return ResumeTasks(opts, out, err);  // task graphs: cli/run_tasks.cc
  int status = kExitOk;
  const rt::Extensions& ext = StandardExtensions();
  Loaded l = LoadValid(opts.file, *overrides, err, &status, &ext);
  if (status != kExitOk) return status;
  if (ChoosesTasks(opts, l.graph)) return RunTasks(opts, l, out, err);

  rt::Plan plan = rt::Compile(l.graph);
  if (plan.topologies.empty()) {
    if (l.graph.task_graphs.empty()) {
      err << "smc: error: '" << opts.file << "' declares no topology and no tasks block: nothing to run\n";
    } else {
      err << "smc: error: '" << opts.file << "' has no topology '" << opts.topology << "', only tasks blocks:";
      for (const GraphTaskGraph& tg : l.graph.task_graphs) err << " " << tg.name;
      err << " (run one with --tasks NAME)\n";
      return kExitUsage;
    }
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
    if (listen_port >= 0) {
      err << "smc: error: --metrics-listen serves one topology, and '" << opts.file << "' has "
          << plan.topologies.size() << "; choose one with --topology\n";
      return kExitUsage;
    }
    if (opts.file == "-") {
      err << "smc: error: a file with several topologies cannot be read from standard input; name the file\n";
      return kExitUsage;
    }
    std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    return ExitStatus(rt::RunEachTopology(
        plan, [&](const rt::PlanTopology& t) { return ChildArgv(opts, self, t); }, err));
  }
  if (opts.plan_only) {
    if (opts.topology.empty()) {
      out << plan.Dump();
    } else {  // the one topology named
      rt::Plan one = plan;
      one.topologies = {plan.topologies[topology]};
      out << one.Dump();
    }
    return kExitOk;
  }
  const rt::Registry& registry = ext.registry;
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
  rt::JobOptions jo;
  jo.threads = opts.threads;
  jo.run_for_ns = run_for_ns;
  jo.interactive = ::isatty(2);
  jo.live_status = jo.interactive && opts.metrics != "-";
  if (jo.live_status && ReadsStandardInput(plan.topologies[topology]) && ::isatty(0)) {
    // The user types the input: a line redrawn every second would write over it.
    jo.live_status = false;
    err << "smc: reading standard input from the terminal; Ctrl-D ends it\n" << std::flush;
  }
  // Periodic JSON lines go where the end-of-run metrics go (a file, or stderr).
  std::ostream& metrics_out = opts.metrics == "-" ? err : static_cast<std::ostream&>(metrics_file);
  if (metrics_every_ns > 0) {
    jo.metrics_every_ns = metrics_every_ns;
    jo.on_metrics = [&metrics_out](const rt::JobMetrics& m) {
      std::string line = rt::MetricsJson(m);
      metrics_out.write(line.data(), static_cast<std::streamsize>(line.size()));
      metrics_out.flush();
    };
  }
  rt::MetricsServer server;
  if (listen_port >= 0) {
    std::string error;
    if (!server.Start(listen_host, listen_port, &error)) {
      err << "smc: error: --metrics-listen: " << error << "\n";
      return kExitNoInput;
    }
    rt::JobMetrics empty;
    empty.topology = plan.topologies[topology].name;
    server.Update(empty);
    const bool v6 = listen_host.find(':') != std::string::npos;
    err << "smc: metrics at http://" << (v6 ? "[" + listen_host + "]" : listen_host) << ":" << server.port()
        << "/metrics\n"
        << std::flush;
    jo.on_status = [&server](const rt::JobMetrics& m, rt::JobState) { server.Update(m); };
  }
  rt::JobResult r = rt::RunRegistered(plan, topology, registry, jo, opts.file, err);
  if (!opts.metrics.empty()) {
    std::string text = opts.metrics_format == "json" ? rt::MetricsJson(r.metrics) : rt::MetricsText(r.metrics);
    if (opts.metrics == "-")
      err << text << std::flush;
    else
      metrics_file << text;
  }
  return ExitStatus(r);
}

}  // namespace smc
