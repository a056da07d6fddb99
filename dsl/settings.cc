#include "dsl/settings.h"

namespace smc {

const std::vector<SettingSpec>& AllSettings() {
  constexpr unsigned kRun = kScopeTopology | kScopeComponent;
  static const std::vector<SettingSpec> kSettings = {
      {"batch.size", ParamType::kInt, Value::Int(256), kRun, 1, 65536, {},
       "tuples per batch sent across an edge"},
      {"batch.linger", ParamType::kDuration, Value::Duration(1'000'000), kRun, 0, 0, {},
       "how long a partly filled batch may wait before it is sent"},
      {"max.pending", ParamType::kInt, Value::Int(8), kRun, 1, 1 << 20, {},
       "batches in flight per instance before its producers wait (backpressure)"},
      {"tick", ParamType::kDuration, std::nullopt, kScopeComponent, 1'000'000, 0, {},
       "period of tick calls to the component (Storm's tick tuples)"},
      {"on.failure", ParamType::kEnum, Value::String("restart"), kRun, 0, 0, {"restart", "fail"},
       "what a failing subprocess component does: restart it, or fail the run"},
      {"max.restarts", ParamType::kInt, Value::Int(3), kRun, 0, 1000, {},
       "restarts of a subprocess component before the run fails"},
      {"subprocess.timeout", ParamType::kDuration, Value::Duration(30'000'000'000), kRun, 1'000'000, 0, {},
       "a subprocess silent for longer is declared dead"},
      {"parallelism", ParamType::kInt, std::nullopt, kScopeTasks, 1, kMaxParallelism, {},
       "tasks of the block that may run at once (default: one per core)"},
      {"retries", ParamType::kInt, Value::Int(0), kScopeTasks | kScopeTask, 0, 1000, {},
       "times a failed task is tried again"},
      {"timeout", ParamType::kDuration, std::nullopt, kScopeTasks | kScopeTask, 1'000'000, 0, {},
       "a task running longer is stopped (SIGTERM, then SIGKILL) and the attempt fails"},
      {"backoff", ParamType::kDuration, Value::Duration(1'000'000'000), kScopeTasks | kScopeTask, 0, 0, {},
       "wait before the first retry; doubled for each further one, with jitter"},
      {"backoff.max", ParamType::kDuration, Value::Duration(300'000'000'000), kScopeTasks | kScopeTask, 0, 0, {},
       "the longest wait between retries"},
      {"kill.grace", ParamType::kDuration, Value::Duration(5'000'000'000), kScopeTasks | kScopeTask, 0, 0, {},
       "how long a stopped task may take after SIGTERM before SIGKILL"},
  };
  return kSettings;
}

const SettingSpec* FindSetting(const std::string& key) {
  for (const SettingSpec& s : AllSettings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

}  // namespace smc
