#include "runtime/activation.h"

#include <signal.h>

namespace smc::rt {

Activation& Activation::Get() {
  static Activation a;
  return a;
}

namespace {
void OnSignal(int sig) {
  Activation::Get().Request(sig == SIGUSR2);
}
}  // namespace

void Activation::InstallHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGUSR1, &sa, nullptr);
  ::sigaction(SIGUSR2, &sa, nullptr);
}

}  // namespace smc::rt
