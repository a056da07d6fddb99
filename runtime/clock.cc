#include "runtime/clock.h"

#include <chrono>

namespace smc::rt {

namespace {
class Steady final : public TimeSource {
 public:
  int64_t NowNs() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};
}  // namespace

const TimeSource& SteadyTime() {
  static const Steady steady;
  return steady;
}

}  // namespace smc::rt
