// throttle(rate): passes tuples on at no more than a given rate.
#include <chrono>
#include <thread>

#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec ThrottleSpec() {
  ComponentSpec s;
  s.name = "throttle";
  s.kind = ComponentKind::kBolt;
  s.summary = "passes tuples on unchanged at no more than 'rate' tuples per second per instance";
  s.params = {Required("rate", ParamType::kInt, "tuples per second, per instance")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    if (!AtLeast(args, "rate", 1, error, error_arg)) return false;
    *out = {{"default", in}};
    return true;
  };
  s.outputs_doc = "the input fields";
  s.passthrough = true;
  return s;
}

namespace {
// Sleeps on its worker between tuples: a deliberately slow bolt, for rate
// limits and for seeing backpressure at work.
class Throttle : public rt::Component {
 public:
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kStateless, {}}; }
  void Open(const rt::Context& ctx) override {
    interval_ = std::chrono::nanoseconds(1'000'000'000 / ctx.IntArg("rate"));
    next_ = std::chrono::steady_clock::now();
  }
  void Execute(const rt::Batch& b, int, rt::Emitter& out) override {
    for (size_t t = 0; t < b.size(); ++t) {
      out.Anchor(b, t);
      next_ += interval_;
      auto now = std::chrono::steady_clock::now();
      if (next_ > now)
        std::this_thread::sleep_until(next_);
      else if (now - next_ > std::chrono::milliseconds(100))
        next_ = now;  // no bursts after a stall
      ReadTuple(b, t, &values_);
      out.Emit(0, values_.data());
    }
  }

 private:
  std::chrono::nanoseconds interval_{0};
  std::chrono::steady_clock::time_point next_;
  std::vector<rt::Datum> values_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeThrottle() {
  return std::make_unique<Throttle>();
}

}  // namespace smc::stdlib
