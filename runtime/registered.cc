#include "runtime/registered.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "runtime/activation.h"
#include "runtime/channel.h"
#include "runtime/jobs.h"
#include "runtime/rebalance.h"
#include "runtime/stop.h"

namespace smc::rt {

JobResult RunRegistered(const Plan& plan, int topology, const Registry& registry, JobOptions opts,
                        const std::string& source_path, std::ostream& diag) {
  CleanupStaleChannels();  // what crashed jobs left behind
  StopSignal::Get().InstallHandlers();
  Activation::Get().InstallHandlers();      // before the record that smc deactivate finds
  RebalanceSignal::Get().InstallHandler();  // and smc rebalance
  JobRegistry jobs;
  std::string jobs_error;
  JobRecord record;
  bool registered = jobs.Open(&jobs_error);
  if (!registered) diag << "smc: " << NotRegisteredWarning(jobs_error) << "\n";
  if (registered) {
    record.id = jobs.NewId();
    record.name = plan.topologies[topology].name;
    std::error_code ec;
    record.path = source_path == "-" ? "-" : std::filesystem::absolute(source_path, ec).string();
    record.pid = ::getpid();
    record.pgid = ::getpgrp();
    record.start_ticks = JobRegistry::StartTicks(record.pid);
    record.started_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    if (const passwd* pw = ::getpwuid(::getuid())) record.user = pw->pw_name;
    registered = jobs.Write(record);
  }
  // Everything on_status touches lives in this scope, which outlasts the job
  // (on_status runs on the job's clock thread until RunTopology returns).
  double last_seconds = 0;
  uint64_t last_out = 0;
  auto caller_on_status = opts.on_status;
  if (registered) {
    opts.on_status = [&](const JobMetrics& m, JobState state) {
      record.tuples_in = record.tuples_out = record.errors = 0;
      for (const ComponentMetrics& c : m.components) {
        if (c.kind == "spout") record.tuples_in += c.emitted;
        if (c.kind == "sink") record.tuples_out += c.executed;
        record.errors += c.errors;
      }
      double dt = m.seconds - last_seconds;
      record.rate = dt > 0 ? (record.tuples_out - last_out) / dt : 0;
      last_seconds = m.seconds;
      last_out = record.tuples_out;
      record.state = JobStateName(state);
      record.metrics = m;
      jobs.Write(record);
      if (caller_on_status) caller_on_status(m, state);
    };
  }
  if (registered) {
    const std::string request_path = RebalanceRequestPath(jobs.dir(), record.id);
    opts.take_rebalance = [request_path](std::string* warning) -> std::optional<RebalanceRequest> {
      std::string why;
      std::optional<std::string> text = ReadPrivateFile(request_path, kMaxRebalanceRequestBytes, &why);
      ::unlink(request_path.c_str());
      if (!why.empty()) *warning = "rebalance request ignored: " + why;
      if (!text) return std::nullopt;
      std::optional<RebalanceRequest> r = RebalanceRequest::FromText(*text);
      if (!r) *warning = "rebalance request ignored: " + request_path + " is not a request";
      return r;
    };
    opts.answer_rebalance = [dir = jobs.dir(), id = record.id](const RebalanceRequest& r, const std::string& reply) {
      WritePrivateFile(RebalanceReplyPath(dir, id, r.nonce), reply + "\n");
    };
  }
  JobResult r = RunTopology(plan, topology, registry, opts, diag);
  if (registered) ::unlink(RebalanceRequestPath(jobs.dir(), record.id).c_str());
  if (registered) jobs.Remove(record.id);
  return r;
}

}  // namespace smc::rt
