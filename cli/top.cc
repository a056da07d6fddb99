// smc top JOB: a live per-component view of one running job, redrawn in
// place about once a second (like `watch`); one plain snapshot when standard
// output is not a terminal.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/jobs_cli.h"
#include "runtime/jobs.h"
#include "runtime/status.h"

namespace smc {

void SetupTop(CLI::App& app, TopOptions& opts) {
  app.add_option("job", opts.job, "the job's id or name")->required();
  app.add_option("-n,--iterations", opts.iterations, "stop after this many screens (default: until the job ends)")
      ->check(CLI::Range(1, 1'000'000));
}

namespace {

// One screen: the job, then a row per component with its rates since the
// last screen (`last`; the run's average on the first), totals and queues.
std::string Screen(const rt::JobRecord& r, const rt::JobMetrics* last, size_t columns) {
  const rt::JobMetrics& m = r.metrics;
  std::string out;
  auto add = [&](const std::string& line) { out += rt::FitToWidth(line, columns) + "\n"; };
  add("job " + r.id + " (" + r.name + "), " + r.state + ", up " + Uptime(r.started_ms) + ", " +
      rt::ShortCount(r.tuples_in) + " in, " + rt::ShortCount(r.tuples_out) + " out, " + std::to_string(r.errors) +
      " errors");
  char line[512];
  std::snprintf(line, sizeof line, "%-16s %-5s %4s %9s %9s %10s %10s %7s %8s %7s", "COMPONENT", "KIND", "X", "IN/S",
                "OUT/S", "EXECUTED", "EMITTED", "ERRORS", "CAPACITY", "QUEUED");
  add(line);
  std::map<std::string, uint64_t> queued;  // by consumer
  for (const rt::EdgeMetrics& e : m.edges) queued[e.to] += e.queued;
  const double since = last ? m.seconds - last->seconds : m.seconds;
  for (size_t i = 0; i < m.components.size(); ++i) {
    const rt::ComponentMetrics& c = m.components[i];
    uint64_t in0 = 0, out0 = 0;
    if (last && i < last->components.size() && last->components[i].name == c.name) {
      in0 = last->components[i].executed;
      out0 = last->components[i].emitted;
    }
    auto rate = [&](uint64_t now, uint64_t before) {
      return since > 0 && now >= before ? rt::ShortCount((now - before) / since) : std::string("0");
    };
    std::snprintf(line, sizeof line, "%-16s %-5s %4d %9s %9s %10llu %10llu %7llu %8.3f %7llu", c.name.c_str(),
                  c.kind.c_str(), c.parallelism, rate(c.executed, in0).c_str(), rate(c.emitted, out0).c_str(),
                  static_cast<unsigned long long>(c.executed), static_cast<unsigned long long>(c.emitted),
                  static_cast<unsigned long long>(c.errors), c.capacity,
                  static_cast<unsigned long long>(queued[c.name]));
    add(line);
  }
  return out;
}

// The job's current record, by id; false once it has ended.
bool Current(rt::JobRegistry& jobs, const std::string& id, rt::JobRecord* r) {
  for (rt::JobRecord& j : jobs.List()) {
    if (j.id == id) {
      *r = std::move(j);
      return true;
    }
  }
  return false;
}

}  // namespace

int RunTop(const TopOptions& opts, std::ostream& out, std::ostream& err) {
  rt::JobRegistry jobs;
  if (!OpenJobs(&jobs, err)) return kExitIoErr;
  std::vector<rt::JobRecord> found = FindJobs(jobs.List(), opts.job, err);
  if (found.empty()) return kExitNoJob;
  if (found.size() > 1) {
    err << "smc: error: " << found.size() << " jobs are named '" << opts.job << "'; give one's id:";
    for (const rt::JobRecord& r : found) err << " " << r.id;
    err << "\n";
    return kExitUsage;
  }
  rt::JobRecord r = found[0];
  const bool terminal = ::isatty(1);
  if (!terminal) {  // a pipe or a file: one snapshot, no escapes
    out << Screen(r, nullptr, 0) << std::flush;
    return kExitOk;
  }
  rt::JobMetrics last;
  bool have_last = false;
  for (int shown = 0; opts.iterations == 0 || shown < opts.iterations; ++shown) {
    if (shown > 0) {
      std::this_thread::sleep_for(std::chrono::seconds(1));  // the registry is rewritten about once a second
      if (!Current(jobs, r.id, &r)) {
        out << "job " << r.id << " (" << r.name << ") has ended\n" << std::flush;
        return kExitOk;
      }
    }
    // Home and clear, then the screen: redrawn in place, like watch(1).
    out << "\033[H\033[2J" << Screen(r, have_last ? &last : nullptr, rt::TerminalColumns(1)) << std::flush;
    if (!out) return kExitIoErr;
    if (r.metrics.seconds > last.seconds || !have_last) {
      last = r.metrics;
      have_last = true;
    }
  }
  return kExitOk;
}

}  // namespace smc
