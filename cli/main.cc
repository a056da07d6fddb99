// smc: Apache Storm's stream-processing model on one multi-core machine.
//
// main wires the subcommands (one file each) and parses the command line
// itself, so every usage error takes the same path and exit status (64).
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/flux_cli.h"
#include "cli/queue_cli.h"
#include "cli/tasks_cli.h"
#include "cli/usage.h"

#ifndef SMC_VERSION
#define SMC_VERSION "0.0.0"
#endif

namespace {

// Opens /dev/null on any of fds 0-2 that is closed, before anything else can
// take the number: otherwise the next file opened (the stop signal's pipe, a
// --metrics file) becomes standard input or output, and a run reads its own
// pipe or writes its output into the metrics file. Read-only for all three:
// standard input reads as empty, and writing to a closed standard output
// still fails (EBADF, exit 74) instead of vanishing into /dev/null.
void ReserveStandardFds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    int got = ::open("/dev/null", O_RDONLY);
    if (got >= 0 && got != fd) {
      ::dup2(got, fd);
      ::close(got);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  ReserveStandardFds();
  CLI::App app{
      "smc: stream processing on one multi-core machine, in Apache Storm's model.\n"
      "Topologies are written in .topo files; see smc(1) and smc-topo(5).",
      "smc"};
  app.set_version_flag("--version", "smc " SMC_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  smc::CheckOptions check;
  smc::SetupCheck(*app.add_subcommand("check", "validate topologies and report every problem"), check);
  smc::RunOptions run;
  smc::SetupRun(*app.add_subcommand("run", "run a topology on all cores until its input ends, or a task graph"), run);
  smc::PsOptions ps;
  smc::SetupPs(*app.add_subcommand("ps", "list the running jobs, or one job's components"), ps);
  smc::TopOptions top;
  smc::SetupTop(*app.add_subcommand("top", "a live per-component view of a running job, redrawn in place"), top);
  smc::AbortOptions abort_opts;
  smc::SetupAbort(*app.add_subcommand("abort", "stop jobs: gracefully, then by force"), abort_opts);
  smc::ActivateOptions deactivate, activate;
  smc::SetupActivate(*app.add_subcommand("deactivate", "pause a running topology's spouts; what is in flight drains"),
                     deactivate);
  smc::SetupActivate(*app.add_subcommand("activate", "resume the spouts of a deactivated topology"), activate);
  smc::RebalanceOptions rebalance;
  smc::SetupRebalance(*app.add_subcommand("rebalance", "change the number of instances of a running topology's bolts"),
                      rebalance);
  smc::ComponentOptions component;
  smc::SetupComponent(*app.add_subcommand("component", "run a built-in bolt or spout as a Storm multi-lang subprocess"),
                      component);
  smc::LogOptions log;
  smc::SetupLog(*app.add_subcommand("log", "a task-graph job's tasks, outcomes and durations, or a task's log"), log);
  smc::ResultOptions result;
  smc::SetupResult(*app.add_subcommand("result", "print a task's result (of a task-graph job, or a submitted task)"),
                   result);
  smc::GcOptions gc;
  smc::SetupGc(*app.add_subcommand("gc", "prune finished task-graph jobs from the job store"), gc);
  smc::WorkerCmdOptions worker;
  smc::SetupWorker(*app.add_subcommand("worker", "serve a file's task templates to smc submit, from a queue"), worker);
  smc::SubmitOptions submit;
  smc::SetupSubmit(*app.add_subcommand("submit", "queue a run of a task template; print its id"), submit);
  smc::GraphOptions graph;
  smc::SetupGraph(*app.add_subcommand("graph", "draw a topology as Graphviz DOT or text"), graph);
  smc::TestOptions test;
  smc::SetupTest(*app.add_subcommand("test", "run topology unit tests: input lines and the expected output"), test);
  smc::CompletionOptions completion;
  smc::SetupCompletion(*app.add_subcommand("completion", "print a bash or zsh completion script"), completion);
  smc::ExportOptions export_opts;
  smc::SetupExport(*app.add_subcommand("export", "write a topology as an Apache Storm Flux definition"), export_opts);
  smc::ImportOptions import_opts;
  smc::SetupImport(*app.add_subcommand("import", "write an Apache Storm Flux definition as a .topo file"), import_opts);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    smc::ReportUsage(app, e, argc, argv, std::cerr);  // smc's own words (cli/usage.cc)
    return smc::kExitUsage;
  }
  if (app.got_subcommand("check")) return smc::RunCheck(check, std::cout, std::cerr);
  if (app.got_subcommand("run")) return smc::RunRun(run, std::cout, std::cerr);
  if (app.got_subcommand("ps")) return smc::RunPs(ps, std::cout, std::cerr);
  if (app.got_subcommand("top")) return smc::RunTop(top, std::cout, std::cerr);
  if (app.got_subcommand("abort")) return smc::RunAbort(abort_opts, std::cout, std::cerr);
  if (app.got_subcommand("deactivate")) return smc::RunActivate(deactivate, false, std::cout, std::cerr);
  if (app.got_subcommand("activate")) return smc::RunActivate(activate, true, std::cout, std::cerr);
  if (app.got_subcommand("rebalance")) return smc::RunRebalance(rebalance, std::cout, std::cerr);
  if (app.got_subcommand("component")) return smc::RunComponent(component, std::cout, std::cerr);
  if (app.got_subcommand("log")) return smc::RunLog(log, std::cout, std::cerr);
  if (app.got_subcommand("result")) return smc::RunResult(result, std::cout, std::cerr);
  if (app.got_subcommand("gc")) return smc::RunGc(gc, std::cout, std::cerr);
  if (app.got_subcommand("worker")) return smc::RunWorkerCmd(worker, std::cout, std::cerr);
  if (app.got_subcommand("submit")) return smc::RunSubmit(submit, std::cout, std::cerr);
  if (app.got_subcommand("graph")) return smc::RunGraph(graph, std::cout, std::cerr);
  if (app.got_subcommand("test")) return smc::RunTest(test, std::cout, std::cerr);
  if (app.got_subcommand("completion")) return smc::RunCompletion(completion, app, std::cout);
  if (app.got_subcommand("export")) return smc::RunExport(export_opts, std::cout, std::cerr);
  if (app.got_subcommand("import")) return smc::RunImport(import_opts, std::cout, std::cerr);
  return smc::kExitUsage;
}
