#include "runtime/supervisor.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "runtime/channel.h"

namespace smc::rt {
namespace {

// The channels this file both writes and reads: once all its topologies have
// ended, no consumer of theirs will come for what is left in them.
std::vector<std::string> InternalChannels(const Plan& plan) {
  std::set<std::string> written, read;
  for (const PlanTopology& t : plan.topologies) {
    for (const PlanComponent& c : t.components) {
      if (c.impl != "channel") continue;
      auto name = c.args.find("name");
      if (name == c.args.end()) continue;
      (c.kind == ComponentKind::kSpout ? read : written).insert(name->second.str);
    }
  }
  std::vector<std::string> both;
  for (const std::string& n : written) {
    if (read.count(n)) both.push_back(n);
  }
  return both;
}

// The children, for the signal handler.
pid_t g_children[kMaxTopologies];
std::atomic<int> g_child_count{0};
volatile sig_atomic_t g_forward_sigint = 1;  // read in the signal handler
std::atomic<int> g_signal{0};                // the first signal received, passed on
static_assert(std::atomic<int>::is_always_lock_free, "read in a signal handler");

void ForwardSignal(int sig) {
  int none = 0;
  g_signal.compare_exchange_strong(none, sig);
  if (sig == SIGINT && !g_forward_sigint) return;  // the terminal sent it to them too
  for (int i = 0; i < g_child_count.load(); ++i) ::kill(g_children[i], sig);
}

}  // namespace

RunResult RunEachTopology(const Plan& plan,
                          const std::function<std::vector<std::string>(const PlanTopology&)>& child_argv,
                          std::ostream& err) {
  RunResult result;
  if (plan.topologies.size() > kMaxTopologies) {
    err << "smc: error: too many topologies in one file (at most " << kMaxTopologies << ")\n";
    result.outcome = Outcome::kUsage;
    return result;
  }
  bool tty = ::isatty(0);
  g_forward_sigint = tty ? 0 : 1;
  struct sigaction sa {};
  sa.sa_handler = ForwardSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  const pid_t parent = ::getpid();
  std::vector<std::string> names;
  for (const PlanTopology& t : plan.topologies) {
    std::vector<std::string> args = child_argv(t);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Signals wait while we fork: the child must not run our forwarding
    // handler (it would pass the signal on and live on itself).
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      // Our death, even by SIGKILL, stops the child (gracefully: it drains
      // and cleans up); if we died before this line, stop now.
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(128 + SIGTERM);
      ::sigprocmask(SIG_SETMASK, &old, nullptr);
      // Its own process group, so a terminal's Ctrl-C reaches it once, through
      // us (unless it must read the terminal, which only the foreground group can).
      if (!tty) ::setpgid(0, 0);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    if (pid > 0) {
      if (!tty) ::setpgid(pid, pid);  // also here: no window where the group does not exist yet
      g_children[g_child_count.load()] = pid;
      g_child_count.fetch_add(1);
    }
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) {
      err << "smc: error: cannot start topology '" << t.name << "': " << std::strerror(errno) << "\n";
      ForwardSignal(SIGTERM);
      break;
    }
    names.push_back(t.name);
  }
  bool failed = false;
  int running = g_child_count.load();
  bool stopped_others = false;
  while (running > 0) {
    int st = 0;
    pid_t pid = ::waitpid(-1, &st, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    --running;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    std::string name;
    for (int i = 0; i < g_child_count.load(); ++i) {
      if (g_children[i] == pid) name = names[i];
    }
    int sig = g_signal.load();
    if (sig != 0 && (code == 128 + sig || (WIFSIGNALED(st) && WTERMSIG(st) == sig))) {
      if (result.outcome == Outcome::kOk) {  // stopped as asked: not a failure of its own
        result.outcome = Outcome::kStopped;
        result.signal = sig;
      }
      continue;
    }
    if (code != 0) {
      // One write per line: the other topologies write to the same stderr.
      err << ("smc: topology '" + name + "' " +
              (WIFEXITED(st) ? "exited with status " + std::to_string(code)
                             : "was killed by signal " + std::to_string(WTERMSIG(st))) +
              "\n");
      if (!failed && result.outcome == Outcome::kOk) {
        result.outcome = Outcome::kExitStatus;
        result.status = code;
      }
      failed = true;
      if (!stopped_others && running > 0) {
        stopped_others = true;
        err << "smc: stopping the other topologies\n";
        for (int i = 0; i < g_child_count.load(); ++i) ::kill(g_children[i], SIGTERM);
      }
    }
  }
  // What the children left in their groups (a crashed child's own children) goes with them.
  if (!tty) {
    for (int i = 0; i < g_child_count.load(); ++i) ::kill(-g_children[i], SIGKILL);
  }
  // A topology that ended before its consumer attached (stopped, or because
  // the consumer died first) leaves a finished stream for a consumer that
  // will never come: the run's channels go with the run.
  if (running == 0) RemoveUnheldChannels(InternalChannels(plan));
  return result;
}

}  // namespace smc::rt
