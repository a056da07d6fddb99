// smc abort JOB...: stop jobs, gracefully first, then by force.
#include <signal.h>
#include <unistd.h>

#include <cstring>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/jobs_cli.h"
#include "cli/queue_cli.h"
#include "cli/tasks_cli.h"
#include "dsl/parser.h"
#include "dsl/suggest.h"
#include "runtime/channel.h"

namespace smc {

void SetupAbort(CLI::App& app, AbortOptions& opts) {
  app.add_option("jobs", opts.jobs, "ids or names of the jobs to stop, or JOB/TASK for one task")->required();
  app.add_option("--wait", opts.wait, "how long a graceful stop may take before the job is killed (default 30s)");
  app.add_flag("--force", opts.force, "kill at once, without a graceful stop");
}

std::vector<rt::JobRecord> FindJobs(const std::vector<rt::JobRecord>& jobs, const std::string& key, std::ostream& err) {
  std::vector<rt::JobRecord> found;
  std::vector<std::string> names;
  for (const rt::JobRecord& r : jobs) {
    if (r.id == key || r.name == key) found.push_back(r);
    names.push_back(r.id);
    names.push_back(r.name);
  }
  if (found.empty()) err << "smc: error: no job '" << key << "'" << DidYouMean(key, names) << "\n";
  return found;
}

namespace {

using Clock = std::chrono::steady_clock;

bool WaitGone(const rt::JobRecord& r, Clock::duration limit) {
  auto deadline = Clock::now() + limit;
  while (rt::JobRegistry::Alive(r.pid, r.start_ticks)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

bool ParseWait(const std::string& text, int64_t default_ns, int64_t* wait_ns, std::ostream& err) {
  *wait_ns = default_ns;
  if (text.empty()) return true;
  std::optional<Value> d = ParseLiteral(text);
  if (!d || d->type != ValueType::kDuration || d->num < 0) {
    err << "smc: error: --wait expects a duration such as 10s, got '" << text << "'\n";
    return false;
  }
  *wait_ns = d->num;
  return true;
}

bool OpenJobs(rt::JobRegistry* jobs, std::ostream& err) {
  std::string error;
  if (jobs->Open(&error)) return true;
  err << "smc: error: " << error << "\n";
  return false;
}

int RunAbort(const AbortOptions& opts, std::ostream& out, std::ostream& err) {
  int64_t wait_ns = 0;
  if (!ParseWait(opts.wait, 30'000'000'000, &wait_ns, err)) return kExitUsage;
  rt::JobRegistry jobs;
  if (!OpenJobs(&jobs, err)) return kExitIoErr;
  std::vector<rt::JobRecord> all = jobs.List();
  int status = kExitOk;
  for (const std::string& key : opts.jobs) {
    if (IsQueuedTaskId(key)) {
      if (int s = AbortQueued(key, wait_ns, out, err); s >= 0) {  // a submitted task: cli/submit.cc
        if (s != kExitOk) status = s;
        continue;
      }
    }
    bool tasks = false;  // JOB/TASK, or a task-graph job: cli/ps_tasks.cc
    int s = AbortTasks(key, wait_ns, opts.force, out, err, &tasks);
    if (tasks) {
      if (s != kExitOk) status = s;
      continue;
    }
    std::vector<rt::JobRecord> found = FindJobs(all, key, err);
    if (found.empty()) status = kExitNoJob;
    for (const rt::JobRecord& r : found) {
      auto start = Clock::now();
      bool graceful = false;
      if (!opts.force) {
        if (::kill(r.pid, SIGTERM) != 0) {
          err << "smc: error: cannot stop job " << r.id << " (pid " << r.pid << "): " << std::strerror(errno) << "\n";
          status = kExitSoftware;
          continue;
        }
        graceful = WaitGone(r, std::chrono::nanoseconds(wait_ns));
      }
      if (!graceful) {
        // Its subprocesses die with it (they have PR_SET_PDEATHSIG). Its
        // process group is killed only when the job leads it: a job started
        // from a script shares the script's group, and this command's own.
        if (r.pgid == r.pid && r.pgid != ::getpgrp()) ::kill(-r.pgid, SIGKILL);
        ::kill(r.pid, SIGKILL);
        if (!WaitGone(r, std::chrono::seconds(5))) {
          err << "smc: error: job " << r.id << " (pid " << r.pid << ") would not die\n";
          status = kExitSoftware;
          continue;
        }
        jobs.Remove(r.id);  // it had no chance to remove its record
      }
      double secs = std::chrono::duration<double>(Clock::now() - start).count();
      char line[256];
      std::snprintf(line, sizeof line, "aborted %s (%s): %s in %.2f s\n", r.id.c_str(), r.name.c_str(),
                    graceful ? "drained and stopped" : "killed", secs);
      out << line;
    }
  }
  rt::CleanupStaleChannels();  // a killed job's channels
  return status;
}

}  // namespace smc
