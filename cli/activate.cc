// smc deactivate JOB... / smc activate JOB...: pause and resume a running
// topology's spouts (Storm's deactivate and activate). The job is sent
// SIGUSR1 or SIGUSR2 (runtime/activation.h) and its record is read until it
// shows the new state.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstring>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/jobs_cli.h"
#include "runtime/job.h"

namespace smc {

void SetupActivate(CLI::App& app, ActivateOptions& opts) {
  app.add_option("jobs", opts.jobs, "ids or names of the running topologies")->required();
  app.add_option("--wait", opts.wait, "how long the job may take to confirm (default 10s)");
}

namespace {

using Clock = std::chrono::steady_clock;

// Reads the job's record until its state is `want`: true, or false when the
// job ended, began stopping, or did not confirm in time (`why` says which).
bool WaitState(rt::JobRegistry& jobs, const rt::JobRecord& r, const std::string& want, int64_t wait_ns,
               std::string* why) {
  auto deadline = Clock::now() + std::chrono::nanoseconds(wait_ns);
  while (true) {
    const rt::JobRecord* now = nullptr;
    std::vector<rt::JobRecord> all = jobs.List();
    for (const rt::JobRecord& x : all) {
      if (x.id == r.id && x.pid == r.pid) now = &x;
    }
    if (!now) {
      *why = "it ended";
      return false;
    }
    if (now->state == want) return true;
    if (now->state == rt::JobStateName(rt::JobState::kStopping)) {
      *why = "it is stopping";
      return false;
    }
    if (Clock::now() >= deadline) {
      *why = "it did not confirm within the wait (state: " + now->state + ")";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

int RunActivate(const ActivateOptions& opts, bool activate, std::ostream& out, std::ostream& err) {
  const char* verb = activate ? "activate" : "deactivate";
  const std::string want = rt::JobStateName(activate ? rt::JobState::kRunning : rt::JobState::kInactive);
  int64_t wait_ns = 0;
  if (!ParseWait(opts.wait, 10'000'000'000, &wait_ns, err)) return kExitUsage;
  rt::JobRegistry jobs;
  if (!OpenJobs(&jobs, err)) return kExitIoErr;
  std::vector<rt::JobRecord> all = jobs.List();
  int status = kExitOk;
  for (const std::string& key : opts.jobs) {
    std::vector<rt::JobRecord> found = FindJobs(all, key, err);
    if (found.empty()) status = kExitNoJob;
    for (const rt::JobRecord& r : found) {
      const std::string who = r.id + " (" + r.name + ")";
      if (r.kind != "topology") {
        err << "smc: error: cannot " << verb << " job " << who << ": it is a task graph; " << verb
            << " applies to topologies\n";
        status = kExitUsage;
        continue;
      }
      if (r.state == rt::JobStateName(rt::JobState::kStopping)) {
        err << "smc: error: cannot " << verb << " job " << who << ": it is stopping\n";
        status = kExitNoJob;
        continue;
      }
      const bool already = r.state == want;
      if (::kill(r.pid, activate ? SIGUSR2 : SIGUSR1) != 0) {
        err << "smc: error: cannot " << verb << " job " << who << " (pid " << r.pid << "): " << std::strerror(errno)
            << "\n";
        status = kExitSoftware;
        continue;
      }
      std::string why;
      if (!WaitState(jobs, r, want, wait_ns, &why)) {
        err << "smc: error: job " << who << " was asked to " << verb << ", but " << why << "\n";
        status = kExitSoftware;
        continue;
      }
      out << (already ? std::string("job ") + who + " was already " + (activate ? "active" : "inactive")
                      : std::string(activate ? "activated " : "deactivated ") + who +
                            (activate ? ": its spouts run again" : ": its spouts are paused"))
          << "\n";
    }
  }
  return status;
}

}  // namespace smc
