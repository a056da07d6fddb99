// The task-graph parts of `smc ps` and `smc abort`: rows per task from the
// job store, and stopping one task (JOB/TASK) or a whole task-graph job.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <thread>

#include "cli/exit_codes.h"
#include "cli/jobs_cli.h"
#include "cli/tasks_cli.h"
#include "dsl/suggest.h"
#include "runtime/json_text.h"
#include "runtime/tasks/store.h"

namespace smc {

namespace {

std::string Elapsed(const rt::TaskRow& t) {
  if (t.started_ms == 0) return "-";
  int64_t end = t.ended_ms > 0 ? t.ended_ms : rt::NowMs();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", std::max<int64_t>(0, end - t.started_ms) / 1e3);
  return buf;
}

std::string Counts(const std::vector<rt::TaskRow>& tasks) {
  std::map<std::string, int> n;
  for (const rt::TaskRow& t : tasks) n[t.state]++;
  std::string s = std::to_string(n["done"]) + " done, " + std::to_string(n["running"]) + " running, " +
                  std::to_string(n["queued"]) + " queued";
  for (const char* k : {"failed", "skipped", "aborted"}) {
    if (n[k]) s += ", " + std::to_string(n[k]) + " " + k;
  }
  return s;
}

std::string Exit(const rt::TaskRow& t) {
  if (t.timed_out) return "timeout";
  if (t.signal) return "signal " + std::to_string(t.signal);
  return t.exit_status >= 0 ? std::to_string(t.exit_status) : "-";
}

// The stored job named by `key` (an id, or the block name of the newest).
std::optional<rt::JobRow> FindStored(rt::JobStore& store, const std::string& key) {
  if (auto j = store.FindJob(key)) return j;
  for (const rt::JobRow& j : store.Jobs()) {
    if (j.block == key && rt::JobRegistry::Alive(j.pid, j.start_ticks)) return j;
  }
  return std::nullopt;
}

bool Live(const rt::JobRow& j) {
  return j.state == "running" && rt::JobRegistry::Alive(j.pid, j.start_ticks);
}

std::string JobState(const rt::JobRow& j) {
  if (j.state == "running" && !Live(j)) return "crashed";
  return j.state;
}

using Clock = std::chrono::steady_clock;

}  // namespace

int PsTaskJob(const std::string& key, bool json, std::ostream& out, std::ostream& err) {
  rt::JobStore store;
  if (!store.Open(false)) return -1;
  std::optional<rt::JobRow> job = FindStored(store, key);
  if (!job) return -1;
  std::vector<rt::TaskRow> tasks = store.Tasks(job->id);
  if (json) {
    out << "{\"id\": " << rt::JsonQuote(job->id) << ", \"name\": " << rt::JsonQuote(job->block)
        << ", \"state\": " << rt::JsonQuote(JobState(*job)) << ", \"tasks\": [";
    for (size_t i = 0; i < tasks.size(); ++i) {
      const rt::TaskRow& t = tasks[i];
      char prog[32];
      std::snprintf(prog, sizeof prog, "%.4f", t.progress);
      out << (i ? ",\n  " : "") << "{\"name\": " << rt::JsonQuote(t.name) << ", \"state\": " << rt::JsonQuote(t.state)
          << ", \"attempt\": " << t.attempt << ", \"progress\": " << (t.progress < 0 ? "null" : prog)
          << ", \"message\": " << rt::JsonQuote(t.message) << ", \"exit_status\": " << t.exit_status
          << ", \"signal\": " << t.signal << ", \"reason\": " << rt::JsonQuote(t.reason) << "}";
    }
    out << "]}\n";
    return kExitOk;
  }
  out << "job " << job->id << " (tasks " << job->block << "), " << JobState(*job) << ", pid " << job->pid << ", "
      << Counts(tasks) << ", " << job->path << "\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-16s %-8s %7s %8s %8s %7s  %s\n", "TASK", "STATE", "ATTEMPT", "PROGRESS",
                "ELAPSED", "EXIT", "MESSAGE");
  out << line;
  for (const rt::TaskRow& t : tasks) {
    std::string prog = t.progress < 0 ? "-" : std::to_string(static_cast<int>(t.progress * 100 + 0.5)) + "%";
    std::string attempt = std::to_string(t.attempt) + "/" + std::to_string(t.max_attempts);
    std::string msg = t.state == "skipped" || t.state == "failed" || t.state == "aborted" ? t.reason : t.message;
    std::snprintf(line, sizeof line, "%-16s %-8s %7s %8s %8s %7s  %s\n", t.name.c_str(), t.state.c_str(),
                  attempt.c_str(), prog.c_str(), Elapsed(t).c_str(), Exit(t).c_str(), msg.substr(0, 200).c_str());
    out << line;
  }
  return kExitOk;
}

std::string PsTaskRow(const rt::JobRecord& r) {
  static rt::JobStore store;
  static const bool open = store.Open(false);
  if (!open) return "";
  std::optional<rt::JobRow> job = store.FindJob(r.id);
  if (!job || job->pid != r.pid) return "";
  char line[512];
  std::snprintf(line, sizeof line, "%-8s %-16s %-9s %8s  tasks: %s\n", r.id.c_str(), r.name.c_str(), r.state.c_str(),
                "", Counts(store.Tasks(r.id)).c_str());
  return line;
}

void PsFinishedJobs(std::ostream& out) {
  rt::JobStore store;
  if (!store.Open(false)) return;
  std::vector<rt::JobRow> jobs = store.Jobs();
  bool header = false;
  for (const rt::JobRow& j : jobs) {
    if (Live(j)) continue;
    if (!header) {
      out << "\nfinished task-graph jobs:\n";
      char line[256];
      std::snprintf(line, sizeof line, "%-8s %-16s %-9s %19s %9s  %s\n", "ID", "NAME", "STATE", "ENDED", "DURATION",
                    "TASKS");
      out << line;
      header = true;
    }
    time_t t = static_cast<time_t>((j.ended_ms ? j.ended_ms : j.started_ms) / 1000);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
    char dur[32] = "-";
    if (j.ended_ms > j.started_ms) std::snprintf(dur, sizeof dur, "%.1fs", (j.ended_ms - j.started_ms) / 1e3);
    char line[512];
    std::snprintf(line, sizeof line, "%-8s %-16s %-9s %19s %9s  %s\n", j.id.c_str(), j.block.c_str(),
                  JobState(j).c_str(), when, dur, Counts(store.Tasks(j.id)).c_str());
    out << line;
  }
}

int AbortTasks(const std::string& key, int64_t wait_ns, bool force, std::ostream& out, std::ostream& err,
               bool* handled) {
  *handled = false;
  size_t slash = key.find('/');
  std::string job_key = key.substr(0, slash);
  std::string task = slash == std::string::npos ? "" : key.substr(slash + 1);
  rt::JobStore store;
  if (!store.Open(false)) {
    if (slash == std::string::npos) return kExitOk;
    *handled = true;
    err << "smc: error: no job '" << job_key << "'\n";
    return kExitNoJob;
  }
  std::optional<rt::JobRow> job = FindStored(store, job_key);
  if (!job) {
    if (slash == std::string::npos) return kExitOk;  // not a task-graph job: the caller's
    *handled = true;
    err << "smc: error: no task-graph job '" << job_key << "'\n";
    return kExitNoJob;
  }
  *handled = true;
  if (!Live(*job)) {
    err << "smc: error: job " << job->id << " is not running (" << JobState(*job) << ")\n";
    return kExitNoJob;
  }
  std::vector<rt::TaskRow> tasks = store.Tasks(job->id);
  if (!task.empty()) {
    std::vector<std::string> names;
    const rt::TaskRow* found = nullptr;
    for (const rt::TaskRow& t : tasks) {
      names.push_back(t.name);
      if (t.name == task) found = &t;
    }
    if (!found) {
      err << "smc: error: no task '" << task << "' in job " << job->id << DidYouMean(task, names) << "\n";
      return kExitNoJob;
    }
    if (rt::IsFinalTaskState(found->state)) {
      err << "smc: error: task " << job->id << "/" << task << " is not running (" << found->state << ")\n";
      return kExitNoJob;
    }
  }
  auto start = Clock::now();
  int64_t grace = force ? 0 : wait_ns;
  if (!store.RequestAbort(job->id, task, grace) || ::kill(job->pid, SIGUSR1) != 0) {
    err << "smc: error: cannot stop " << key << ": " << (store.error().empty() ? std::strerror(errno) : store.error())
        << "\n";
    return kExitSoftware;
  }
  // Wait until the scheduler has stopped it (TERM, KILL after the grace).
  auto deadline = start + std::chrono::nanoseconds(grace) + std::chrono::seconds(10);
  auto stopped = [&] {
    if (!rt::JobRegistry::Alive(job->pid, job->start_ticks)) return true;
    if (task.empty()) return false;
    for (const rt::TaskRow& t : store.Tasks(job->id)) {
      if (t.name == task) return rt::IsFinalTaskState(t.state);
    }
    return true;
  };
  while (!stopped()) {
    if (Clock::now() >= deadline) {
      err << "smc: error: " << key << " did not stop in time\n";
      return kExitSoftware;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  char line[256];
  std::snprintf(line, sizeof line, "aborted %s/%s (%s): stopped in %.2f s\n", job->id.c_str(),
                task.empty() ? "*" : task.c_str(), job->block.c_str(), secs);
  out << line;
  return kExitOk;
}

}  // namespace smc
