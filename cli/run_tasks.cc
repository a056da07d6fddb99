// smc run on a tasks block: build the job from the validated graph, store it,
// register it, and hand it to the scheduler (runtime/tasks/scheduler.h).
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "cli/exit_codes.h"
#include "cli/tasks_cli.h"
#include "dsl/suggest.h"
#include "runtime/tasks/launch.h"
#include "runtime/tasks/scheduler.h"
#include "runtime/tasks/store.h"

namespace smc {

namespace {

namespace fs = std::filesystem;

const GraphTaskGraph* FindBlock(const std::string& name, const Graph& g) {
  for (const GraphTaskGraph& tg : g.task_graphs) {
    if (tg.name == name) return &tg;
  }
  return nullptr;
}

std::string BlockName(const RunOptions& opts, const Graph& g) {
  if (!opts.tasks.empty()) return opts.tasks;
  if (!opts.topology.empty()) return opts.topology;  // --topology naming a tasks block
  return g.task_graphs.empty() ? "" : g.task_graphs.front().name;
}

int64_t Duration(const Settings& s, const char* key, int64_t fallback) {
  auto it = s.find(key);
  return it == s.end() ? fallback : it->second.num;
}

std::string Arg(const GraphTask& t, const char* name) {
  auto it = t.args.find(name);
  return it == t.args.end() ? "" : it->second.ToText();
}

bool ShellName(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// "FILE:LINE:COL" of a task's declaration.
std::string Where(const Graph& g, const GraphTask& t) {
  if (!g.source) return t.name;
  LineColumn lc = g.source->Locate(t.range.begin);
  return g.source->path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

// Every task `t` runs after, directly or not, in declaration order (no recursion).
std::vector<int> Ancestors(const GraphTaskGraph& tg, int t) {
  std::vector<bool> seen(tg.tasks.size());
  std::vector<int> stack(tg.tasks[t].after.begin(), tg.tasks[t].after.end());
  while (!stack.empty()) {
    int d = stack.back();
    stack.pop_back();
    if (seen[d]) continue;
    seen[d] = true;
    stack.insert(stack.end(), tg.tasks[d].after.begin(), tg.tasks[d].after.end());
  }
  std::vector<int> out;
  for (size_t i = 0; i < seen.size(); ++i) {
    if (seen[i]) out.push_back(static_cast<int>(i));
  }
  return out;
}

// Replaces ${X.result} by the result path of X, which `t` must run after (directly or not).
bool InterpolateResults(const Graph& g, const GraphTaskGraph& tg, const GraphTask& t,
                        const std::vector<std::string>& paths, std::string* text, std::ostream& err) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t at = text->find("${", pos);
    if (at == std::string::npos) break;
    size_t close = text->find('}', at);
    std::string inner = close == std::string::npos ? "" : text->substr(at + 2, close - at - 2);
    if (inner.size() <= 7 || inner.compare(inner.size() - 7, 7, ".result") != 0) {
      out += text->substr(pos, at + 2 - pos);
      pos = at + 2;
      continue;
    }
    std::string dep = inner.substr(0, inner.size() - 7);
    int found = -1;
    int self = static_cast<int>(&t - tg.tasks.data());
    for (int d : Ancestors(tg, self)) {
      if (tg.tasks[d].name == dep) found = d;
    }
    if (found < 0) {
      err << Where(g, t) << ": error: task '" << t.name << "' uses ${" << inner << "} but does not run after '" << dep
          << "'; add 'after " << dep << "'\n";
      return false;
    }
    out += text->substr(pos, at - pos) + paths[found];
    pos = close + 1;
  }
  *text = out + text->substr(pos);
  return true;
}

std::string NewJobId(rt::JobRegistry& jobs, bool registry_open) {
  if (registry_open) return jobs.NewId();
  std::mt19937 rng(std::random_device{}());
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06x", static_cast<unsigned>(rng() & 0xffffff));
  return buf;
}

// Builds the scheduler's view of the block. False (reported) on an error.
bool BuildSpec(const std::string& file, const Graph& g, const GraphTaskGraph& tg, const std::string& job_dir,
               rt::GraphSpec* spec, std::ostream& err) {
  std::error_code ec;
  fs::path abs = file == "-" ? fs::current_path(ec) / "-" : fs::absolute(file, ec);
  spec->dir = abs.parent_path().string();
  spec->block = tg.name;
  auto par = tg.settings.find("parallelism");
  spec->parallelism =
      par != tg.settings.end() ? static_cast<int>(par->second.num) : std::max(1u, std::thread::hardware_concurrency());
  for (const auto& [name, value] : g.params) {
    if (ShellName(name)) spec->env.push_back(name + "=" + value.ToText());
  }
  std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  std::vector<std::string> paths;
  for (const GraphTask& t : tg.tasks) {
    std::string out = t.impl == "run" ? Arg(t, "stdout") : "";
    if (out.empty())
      paths.push_back(rt::DefaultResultPath(job_dir, t.name));
    else
      paths.push_back(out[0] == '/' ? out : spec->dir + "/" + out);
  }
  for (size_t i = 0; i < tg.tasks.size(); ++i) {
    const GraphTask& t = tg.tasks[i];
    rt::TaskSpec ts;
    ts.name = t.name;
    ts.after = t.after;
    ts.ancestors = Ancestors(tg, static_cast<int>(i));
    ts.result_path = paths[i];
    ts.retries = static_cast<int>(Duration(t.settings, "retries", 0));
    ts.backoff_ns = Duration(t.settings, "backoff", ts.backoff_ns);
    ts.backoff_max_ns = Duration(t.settings, "backoff.max", ts.backoff_max_ns);
    ts.timeout_ns = Duration(t.settings, "timeout", 0);
    ts.kill_grace_ns = Duration(t.settings, "kill.grace", ts.kill_grace_ns);
    if (t.impl == "exec") {
      std::string cmd = Arg(t, "command");
      if (!InterpolateResults(g, tg, t, paths, &cmd, err)) return false;
      ts.argv = {"/bin/sh", "-c", cmd};
    } else {
      std::string path = Arg(t, "path");
      if (!InterpolateResults(g, tg, t, paths, &path, err)) return false;
      fs::path p = path.empty() || path[0] == '/' ? fs::path(path) : fs::path(spec->dir) / path;
      bool own_topology = false;
      for (const GraphTopology& topo : g.topologies) own_topology |= topo.name == path;
      if (fs::is_regular_file(p, ec)) {
        ts.argv = {self, "run", p.string()};
      } else if (own_topology && file != "-") {
        ts.argv = {self, "run", abs.string(), "--topology", path};
      } else {
        err << Where(g, t) << ": error: task '" << t.name << "': no file or topology '" << path << "'\n";
        return false;
      }
      auto params = t.args.find("params");
      if (params != t.args.end()) {
        for (const Value& v : params->second.list) {
          std::string text = v.ToText();
          if (!InterpolateResults(g, tg, t, paths, &text, err)) return false;
          ts.argv.insert(ts.argv.end(), {"-p", text});
        }
      }
      ts.stdin_path = Arg(t, "stdin");
      if (!InterpolateResults(g, tg, t, paths, &ts.stdin_path, err)) return false;
    }
    spec->tasks.push_back(std::move(ts));
  }
  return true;
}

// Runs (or resumes) job `job` of block `tg`.
int RunJob(const RunOptions& opts, const Loaded& l, const GraphTaskGraph& tg, rt::JobStore& store,
           std::optional<rt::JobRow> resumed, std::ostream& err) {
  rt::JobRegistry jobs;
  std::string jobs_error;
  bool registry_open = jobs.Open(&jobs_error);
  rt::JobRow job;
  if (resumed) {
    job = *resumed;
  } else {
    job.id = NewJobId(jobs, registry_open);
    std::error_code ec;
    job.path = opts.file == "-" ? "-" : fs::absolute(opts.file, ec).string();
    job.block = tg.name;
    job.params = opts.params;
  }
  std::string job_dir = store.JobDir(job.id, true);
  rt::GraphSpec spec;
  spec.job = job.id;
  if (!BuildSpec(opts.file, l.graph, tg, job_dir, &spec, err)) return kExitDataErr;
  job.state = "running";
  job.pid = ::getpid();
  job.start_ticks = rt::JobRegistry::StartTicks(job.pid);
  job.started_ms = rt::NowMs();
  job.ended_ms = 0;
  job.exit_status = -1;

  std::vector<rt::TaskRow> rows;
  std::map<std::string, rt::TaskRow> stored;
  if (resumed) {
    std::vector<rt::TaskRow> old = store.Tasks(job.id);
    rt::KillLeftovers(old);  // what a crashed run left running
    for (rt::TaskRow& r : old) stored[r.name] = r;
  }
  int reused = 0;
  for (size_t i = 0; i < spec.tasks.size(); ++i) {
    rt::TaskRow r;
    auto it = stored.find(spec.tasks[i].name);
    if (it != stored.end()) r = it->second;
    r.job = job.id;
    r.name = spec.tasks[i].name;
    r.index = static_cast<int>(i);
    r.max_attempts = spec.tasks[i].retries + 1;
    if (r.state == "done") {
      // Reuse the stored result; rewrite the file from the store when it is
      // gone or not as stored (small results are not synced to their files).
      std::error_code ec;
      auto size = fs::file_size(r.result_path, ec);
      if (ec || static_cast<int64_t>(size) != r.result_size) {
        std::optional<std::string> blob = store.ReadResultBlob(job.id, r.name);
        std::ofstream f(r.result_path, std::ios::binary);
        if (blob && f) f << *blob;
        if (!blob || !f) r.state = "queued";
      }
    }
    if (r.state == "done") {
      ++reused;
    } else {
      r.state = "queued";
      r.attempt = 0;
      r.reason.clear();
      r.pgid = 0;
    }
    rows.push_back(r);
  }
  if (resumed) {
    if (!store.Begin() || !store.UpdateJob(job)) {
      err << "smc: error: " << store.error() << "\n";
      return kExitIoErr;
    }
    for (const rt::TaskRow& r : rows) {
      if (!(stored.count(r.name) ? store.UpdateTask(r) : store.InsertTask(r))) {
        err << "smc: error: " << store.error() << "\n";
        return kExitIoErr;
      }
    }
    if (!store.Commit()) {
      err << "smc: error: " << store.error() << "\n";
      return kExitIoErr;
    }
    err << "smc: resuming job " << job.id << " (tasks " << tg.name << "): " << reused << " of " << rows.size()
        << " tasks already done\n";
  } else if (!store.CreateJob(job, rows)) {
    err << "smc: error: " << store.error() << "\n";
    return kExitIoErr;
  }

  rt::JobRecord record;
  if (registry_open) {
    record.id = job.id;
    record.name = tg.name;
    record.path = job.path;
    record.pid = job.pid;
    record.pgid = ::getpgrp();
    record.start_ticks = job.start_ticks;
    record.started_ms = job.started_ms;
    record.kind = "tasks";
    record.state = "running";
    if (const passwd* pw = ::getpwuid(::getuid())) record.user = pw->pw_name;
    registry_open = jobs.Write(record);
  }
  rt::SchedulerOptions so;
  so.status_line = ::isatty(2);
  int status = rt::RunTaskGraph(store, spec, rows, so, err);
  job.ended_ms = rt::NowMs();
  job.exit_status = status;
  job.state = status == 0 ? "done" : status > 128 ? "aborted" : "failed";
  if (!store.UpdateJob(job)) err << "smc: error: " << store.error() << "\n";
  if (registry_open) jobs.Remove(record.id);
  return status;
}

}  // namespace

bool ChoosesTasks(const RunOptions& opts, const Graph& g) {
  if (!opts.tasks.empty()) return true;
  if (!opts.topology.empty()) {
    for (const GraphTopology& t : g.topologies) {
      if (t.name == opts.topology) return false;
    }
    return FindBlock(opts.topology, g) != nullptr;
  }
  return !g.task_graphs.empty();  // a file with a tasks block runs it; its topologies are its tasks'
}

int RunTasks(const RunOptions& opts, const Loaded& l, std::ostream& out, std::ostream& err) {
  if (opts.tasks.empty() && opts.topology.empty() && l.graph.task_graphs.size() > 1) {
    err << "smc: error: '" << opts.file << "' has several tasks blocks; choose one with --tasks:";
    for (const GraphTaskGraph& t : l.graph.task_graphs) err << " " << t.name;
    err << "\n";
    return kExitUsage;
  }
  std::string name = BlockName(opts, l.graph);
  const GraphTaskGraph* tg = FindBlock(name, l.graph);
  if (!tg) {
    std::vector<std::string> names;
    for (const GraphTaskGraph& t : l.graph.task_graphs) names.push_back(t.name);
    err << "smc: error: no tasks block '" << name << "' in '" << opts.file << "'" << DidYouMean(name, names) << "\n";
    return kExitUsage;
  }
  if (opts.plan_only) {
    out << "tasks " << tg->name << "\n";
    for (const GraphTask& t : tg->tasks) {
      out << "  " << t.name << " (" << t.impl << ")";
      for (size_t i = 0; i < t.after.size(); ++i) out << (i ? ", " : " after ") << tg->tasks[t.after[i]].name;
      out << "\n";
    }
    return kExitOk;
  }
  rt::JobStore store;
  if (!store.Open(true)) {
    err << "smc: error: " << store.error() << "\n";
    return kExitIoErr;
  }
  std::optional<rt::JobRow> resumed;
  if (opts.resume) {
    std::error_code ec;
    std::string path = fs::absolute(opts.file, ec).string();
    resumed = store.LastUnfinished(path, tg->name);
    if (!resumed) {
      err << "smc: error: no unfinished job of tasks '" << tg->name << "' in '" << opts.file << "' to resume\n";
      return kExitUsage;
    }
    if (rt::JobRegistry::Alive(resumed->pid, resumed->start_ticks)) {
      err << "smc: error: job " << resumed->id << " is still running (pid " << resumed->pid << ")\n";
      return kExitUsage;
    }
  }
  return RunJob(opts, l, *tg, store, resumed, err);
}

int ResumeTasks(const RunOptions& opts, std::ostream& out, std::ostream& err) {
  std::error_code ec;
  if (fs::is_regular_file(opts.file, ec) || opts.file == "-") {
    if (opts.file == "-") {
      err << "smc: error: --resume needs a job id or a file, not standard input\n";
      return kExitUsage;
    }
    auto overrides = ParseOverrides(opts.params, err);
    if (!overrides) return kExitUsage;
    int status = kExitOk;
    Loaded l = LoadValid(opts.file, *overrides, err, &status);
    if (status != kExitOk) return status;
    return RunTasks(opts, l, out, err);
  }
  rt::JobStore store;
  if (!store.Open(false)) {
    err << "smc: error: " << (store.error().empty() ? "no job '" + opts.file + "' to resume" : store.error()) << "\n";
    return store.error().empty() ? kExitUsage : kExitIoErr;
  }
  std::optional<rt::JobRow> job = store.FindJob(opts.file);
  if (!job) {
    err << "smc: error: no file or job '" << opts.file << "' to resume\n";
    return kExitUsage;
  }
  if (job->state == "done") {
    err << "smc: job " << job->id << " finished with every task done: nothing to resume\n";
    return kExitOk;
  }
  if (rt::JobRegistry::Alive(job->pid, job->start_ticks)) {
    err << "smc: error: job " << job->id << " is still running (pid " << job->pid << ")\n";
    return kExitUsage;
  }
  RunOptions o = opts;
  o.file = job->path;
  o.params = job->params;
  o.tasks = job->block;
  o.topology.clear();
  auto overrides = ParseOverrides(o.params, err);
  if (!overrides) return kExitUsage;
  int status = kExitOk;
  Loaded l = LoadValid(o.file, *overrides, err, &status);
  if (status != kExitOk) return status;
  const GraphTaskGraph* tg = FindBlock(o.tasks, l.graph);
  if (!tg) {
    err << "smc: error: '" << o.file << "' has no tasks block '" << o.tasks << "' any more\n";
    return kExitDataErr;
  }
  return RunJob(o, l, *tg, store, job, err);
}

}  // namespace smc
