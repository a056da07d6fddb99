#include "runtime/stop.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace smc::rt {

StopSignal& StopSignal::Get() {
  static StopSignal s;
  return s;
}

StopSignal::StopSignal() {
  if (::pipe(pipe_) == 0) {
    for (int fd : pipe_) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
  }
}

namespace {
std::atomic<int> g_signals{0};

void OnSignal(int sig) {
  if (g_signals.fetch_add(1) > 0) ::_exit(128 + sig);  // the second signal: at once
  StopSignal::Get().Request(StopReason::kSignal, sig);
}
}  // namespace

void StopSignal::InstallHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

void StopSignal::Reset() {
  // A signal is never forgotten: it may have come just before the job started.
  if (reason_.load() == static_cast<int>(StopReason::kSignal)) return;
  char buf[64];
  while (::read(pipe_[0], buf, sizeof buf) > 0) {
  }
  reason_.store(0);
  signal_.store(0);
}

void StopSignal::Request(StopReason reason, int signal_number) {
  int expected = 0;
  if (reason_.compare_exchange_strong(expected, static_cast<int>(reason))) {
    signal_.store(signal_number);
  }
  char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(pipe_[1], &byte, 1);
}

}  // namespace smc::rt
