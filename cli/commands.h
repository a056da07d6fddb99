// The subcommands, as plain functions that tests can call without the CLI.
// Each returns the process exit status (exit_codes.h).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace smc {

struct CheckOptions {
  std::vector<std::string> files;
  std::vector<std::string> params;  // NAME=VALUE
  std::string params_file;          // --params FILE: NAME=VALUE lines, before params
  bool werror = false;              // a warning fails the check (65)
  std::string format = "text";      // or json: diagnostics on `out` as a JSON array
};
int RunCheck(const CheckOptions& opts, std::ostream& out, std::ostream& err);
void SetupCheck(CLI::App& app, CheckOptions& opts);

struct GraphOptions {
  std::string file;
  std::string format = "dot";
  std::vector<std::string> params;
  std::string params_file;
};
int RunGraph(const GraphOptions& opts, std::ostream& out, std::ostream& err);
void SetupGraph(CLI::App& app, GraphOptions& opts);

struct RunOptions {
  std::string file;
  std::vector<std::string> params;
  std::string params_file;  // --params FILE (cli/frontend.h: WithParamsFile)
  std::string topology;
  int threads = 0;
  std::string run_for;
  std::string metrics;
  std::string metrics_format;  // text (when empty) or json; json with --metrics-every
  std::string metrics_every;   // --metrics-every DURATION: JSON lines while running
  std::string metrics_listen;  // --metrics-listen [HOST:]PORT: Prometheus text over HTTP
  bool plan_only = false;
  std::string tasks;    // the tasks block to run (cli/run_tasks.cc)
  bool resume = false;  // `file` is a job id or the file of an unfinished job
};
int RunRun(const RunOptions& opts, std::ostream& out, std::ostream& err);
void SetupRun(CLI::App& app, RunOptions& opts);

struct ComponentOptions {
  std::string name;
  std::vector<std::string> params;  // KEY=VALUE
  std::vector<std::string> fields;
};
int RunComponent(const ComponentOptions& opts, std::ostream& out, std::ostream& err);
void SetupComponent(CLI::App& app, ComponentOptions& opts);

struct PsOptions {
  std::string job;
  bool json = false;
  bool all = false;  // also finished task-graph jobs
};
int RunPs(const PsOptions& opts, std::ostream& out, std::ostream& err);
void SetupPs(CLI::App& app, PsOptions& opts);

struct TopOptions {
  std::string job;
  int iterations = 0;  // screens to show; 0: until the job ends
};
int RunTop(const TopOptions& opts, std::ostream& out, std::ostream& err);
void SetupTop(CLI::App& app, TopOptions& opts);

struct AbortOptions {
  std::vector<std::string> jobs;
  std::string wait;
  bool force = false;
};
int RunAbort(const AbortOptions& opts, std::ostream& out, std::ostream& err);
void SetupAbort(CLI::App& app, AbortOptions& opts);

struct ActivateOptions {
  std::vector<std::string> jobs;
  std::string wait;
};
/// smc activate (activate = true) and smc deactivate.
int RunActivate(const ActivateOptions& opts, bool activate, std::ostream& out, std::ostream& err);
void SetupActivate(CLI::App& app, ActivateOptions& opts);

struct RebalanceOptions {
  std::string job;
  std::vector<std::string> changes;  // COMPONENT=N
  std::string wait;
};
/// smc rebalance: 0 done; 1 no such job; 64 a bad request or one the job
/// refused; 70 the job did not drain or answer within the wait.
int RunRebalance(const RebalanceOptions& opts, std::ostream& out, std::ostream& err);
void SetupRebalance(CLI::App& app, RebalanceOptions& opts);

struct TestOptions {
  std::vector<std::string> files;  // test files (cli/test_file.h)
  std::string junit;               // "" or where to write JUnit XML
};
/// 0 when every case passed, 1 when one failed; 64-66 as usual.
int RunTest(const TestOptions& opts, std::ostream& out, std::ostream& err);
void SetupTest(CLI::App& app, TestOptions& opts);

}  // namespace smc
