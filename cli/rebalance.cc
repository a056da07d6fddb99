// smc rebalance JOB -e COMP=N...: changes the number of instances of a
// running topology's bolts (Storm's rebalance -e, with keyed state kept).
// The request goes to the job as a file in the registry folder and a SIGURG
// (runtime/rebalance.h); the job's reply file says what it did.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstring>
#include <iostream>
#include <random>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/jobs_cli.h"
#include "dsl/settings.h"
#include "runtime/job.h"
#include "runtime/rebalance.h"

namespace smc {

void SetupRebalance(CLI::App& app, RebalanceOptions& opts) {
  app.add_option("job", opts.job, "id or name of the running topology")->required();
  app.add_option("-e,--executors", opts.changes, "COMPONENT=N: the component's new number of instances")
      ->required()
      ->take_all();
  app.add_option("--wait", opts.wait, "how long the job may take to drain and confirm (default 30s)");
}

namespace {

using Clock = std::chrono::steady_clock;

bool ParseChange(const std::string& text, std::pair<std::string, int>* out, std::ostream& err) {
  size_t eq = text.rfind('=');
  std::string name = eq == std::string::npos ? "" : text.substr(0, eq);
  std::string n = eq == std::string::npos ? "" : text.substr(eq + 1);
  bool digits = !n.empty() && n.size() <= 7 && n.find_first_not_of("0123456789") == std::string::npos;
  if (name.empty() || !digits) {
    err << "smc: error: -e takes COMPONENT=N, got '" << text << "'\n";
    return false;
  }
  int v = std::stoi(n);
  if (v < 1 || v > kMaxParallelism) {
    err << "smc: error: the parallelism of '" << name << "' must be between 1 and " << kMaxParallelism << ", got " << v
        << "\n";
    return false;
  }
  *out = {name, v};
  return true;
}

std::string Nonce() {
  std::random_device rd;
  std::mt19937_64 g((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(::getpid()));
  static const char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string s;
  for (int i = 0; i < 16; ++i) s += kDigits[g() % 36];
  return s;
}

}  // namespace

int RunRebalance(const RebalanceOptions& opts, std::ostream& out, std::ostream& err) {
  rt::RebalanceRequest request;
  for (const std::string& text : opts.changes) {
    std::pair<std::string, int> change;
    if (!ParseChange(text, &change, err)) return kExitUsage;
    request.changes.push_back(change);
  }
  if (!ParseWait(opts.wait, 30'000'000'000, &request.wait_ns, err)) return kExitUsage;
  rt::JobRegistry jobs;
  if (!OpenJobs(&jobs, err)) return kExitIoErr;
  std::vector<rt::JobRecord> found = FindJobs(jobs.List(), opts.job, err);
  if (found.empty()) return kExitNoJob;
  if (found.size() > 1) {
    err << "smc: error: " << found.size() << " jobs are named '" << opts.job << "'; name one by its id:";
    for (const rt::JobRecord& r : found) err << " " << r.id;
    err << "\n";
    return kExitUsage;
  }
  const rt::JobRecord& r = found.front();
  const std::string who = r.id + " (" + r.name + ")";
  if (r.kind != "topology") {
    err << "smc: error: cannot rebalance job " << who << ": it is a task graph; rebalance applies to topologies\n";
    return kExitUsage;
  }
  if (r.state == rt::JobStateName(rt::JobState::kStopping)) {
    err << "smc: error: cannot rebalance job " << who << ": it is stopping\n";
    return kExitNoJob;
  }
  request.nonce = Nonce();
  const std::string request_path = rt::RebalanceRequestPath(jobs.dir(), r.id);
  const std::string reply_path = rt::RebalanceReplyPath(jobs.dir(), r.id, request.nonce);
  if (!rt::WritePrivateFile(request_path, request.ToText())) {
    err << "smc: error: cannot write " << request_path << ": " << std::strerror(errno) << "\n";
    return kExitIoErr;
  }
  if (::kill(r.pid, SIGURG) != 0) {
    err << "smc: error: cannot rebalance job " << who << " (pid " << r.pid << "): " << std::strerror(errno) << "\n";
    ::unlink(request_path.c_str());
    return kExitSoftware;
  }
  // The job drains for up to the wait; its answer may take a little longer.
  const auto deadline = Clock::now() + std::chrono::nanoseconds(request.wait_ns) + std::chrono::seconds(5);
  std::optional<std::string> reply;
  while (!(reply = rt::ReadPrivateFile(reply_path, 64 << 10))) {
    bool alive = rt::JobRegistry::Alive(r.pid, r.start_ticks);
    if (!alive || Clock::now() >= deadline) {
      ::unlink(request_path.c_str());
      err << "smc: error: job " << who << " was asked to rebalance, but "
          << (alive ? "it did not answer within the wait" : "it ended") << "\n";
      return kExitSoftware;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::unlink(reply_path.c_str());
  std::string text = *reply;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.rfind("ok", 0) == 0) {
    out << "rebalanced " << who << ": " << (text.size() > 3 ? text.substr(3) : "no change") << "\n";
    return kExitOk;
  }
  const bool refused = text.rfind("refused: ", 0) == 0;
  size_t colon = text.find(": ");
  err << "smc: error: cannot rebalance job " << who << ": "
      << (colon == std::string::npos ? text : text.substr(colon + 2)) << "\n";
  return refused ? kExitUsage : kExitSoftware;
}

}  // namespace smc
