// smc gc [--older-than AGE]: prune finished task-graph jobs from the job
// store, with their result and log files.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/tasks_cli.h"
#include "runtime/jobs.h"
#include "runtime/tasks/store.h"

namespace smc {

void SetupGc(CLI::App& app, GcOptions& opts) {
  app.add_option("--older-than", opts.older_than,
                 "prune jobs that finished longer ago than this: such as 30m, 12h, 7d or 2w (default 7d)");
  app.add_flag("--dry-run", opts.dry_run, "list what would be pruned, prune nothing");
}

namespace {

// "7d" -> milliseconds; -1 when malformed.
int64_t ParseAge(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0 || i > 9) return -1;
  int64_t n = std::atoll(s.substr(0, i).c_str());
  std::string unit = s.substr(i);
  int64_t scale = unit == "s"   ? 1000
                  : unit == "m" ? 60'000
                  : unit == "h" ? 3'600'000
                  : unit == "d" ? 86'400'000
                  : unit == "w" ? 604'800'000
                                : -1;
  return scale < 0 ? -1 : n * scale;
}

}  // namespace

int RunGc(const GcOptions& opts, std::ostream& out, std::ostream& err) {
  int64_t age = ParseAge(opts.older_than);
  if (age < 0) {
    err << "smc: error: --older-than expects an age such as 30m, 12h, 7d or 2w, got '" << opts.older_than << "'\n";
    return kExitUsage;
  }
  rt::JobStore store;
  if (!store.Open(false)) {
    if (!store.error().empty()) {
      err << "smc: error: " << store.error() << "\n";
      return kExitIoErr;
    }
    out << "pruned 0 jobs\n";
    return kExitOk;
  }
  int64_t before = rt::NowMs() - age;
  for (rt::JobRow j : store.Jobs()) {  // a crashed job never finished: it ends when it was last seen
    if (j.state == "running" && j.started_ms < before && !rt::JobRegistry::Alive(j.pid, j.start_ticks)) {
      j.state = "crashed";
      j.ended_ms = j.started_ms;
      if (!opts.dry_run) store.UpdateJob(j);
    }
  }
  if (opts.dry_run) {
    int n = 0;
    for (const rt::JobRow& j : store.Jobs()) {
      bool crashed = j.state == "running" && j.started_ms < before && !rt::JobRegistry::Alive(j.pid, j.start_ticks);
      if (crashed || (j.state != "running" && j.ended_ms > 0 && j.ended_ms < before)) {
        out << "would prune " << j.id << " (tasks " << j.block << ", " << j.state << ")\n";
        ++n;
      }
    }
    out << "would prune " << n << " jobs\n";
    return kExitOk;
  }
  std::vector<std::string> ids = store.Prune(before);
  if (!store.error().empty()) {
    err << "smc: error: " << store.error() << "\n";
    return kExitIoErr;
  }
  for (const std::string& id : ids) out << "pruned " << id << "\n";
  out << "pruned " << ids.size() << " jobs\n";
  return kExitOk;
}

}  // namespace smc
