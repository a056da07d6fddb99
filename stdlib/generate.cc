// generate(count, rate): emits consecutive integers.
#include "stdlib/component_helpers.h"
#include <algorithm>

#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec GenerateSpec() {
  ComponentSpec s;
  s.name = "generate";
  s.kind = ComponentKind::kSpout;
  s.summary = "emits the integers start, start+1, ...; instances share the range";
  s.params = {Optional("count", ParamType::kInt, Value::Int(0), "how many to emit in all; 0 means no end"),
              Optional("rate", ParamType::kInt, Value::Int(0), "tuples per second in all; 0 means as fast as possible"),
              Optional("start", ParamType::kInt, Value::Int(0), "the first integer")};
  s.outputs = FixedOutputs({{"default", {"n"}}});
  s.outputs_doc = "(n)";
  return s;
}

namespace {
class GenerateSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    int64_t count = ctx.IntArg("count");
    remaining_ = count > 0 ? ShareOf(count, ctx.instance, ctx.parallelism) : -1;
    next_ = ctx.IntArg("start") + ctx.instance;
    step_ = ctx.parallelism;
    batch_ = std::max(1, ctx.batch_size);
    pacer_ = std::make_unique<Pacer>(static_cast<double>(ctx.IntArg("rate")) / ctx.parallelism);
  }
  bool Next(rt::Emitter& out, const rt::SpoutControl&) override {
    int64_t n = pacer_->Allowance(batch_);
    if (remaining_ >= 0) n = std::min(n, remaining_);
    for (int64_t k = 0; k < n; ++k) {
      rt::Datum d = rt::Datum::Int(next_);
      out.Emit(0, &d);
      next_ += step_;
    }
    if (remaining_ >= 0) remaining_ -= n;
    return remaining_ != 0;
  }

 private:
  int64_t remaining_ = -1;  // -1: no end
  int64_t next_ = 0;
  int64_t step_ = 1;
  std::unique_ptr<Pacer> pacer_;
  int64_t batch_ = 256;  // tuples per Next: about one batch, so backpressure acts promptly
};
}  // namespace

std::unique_ptr<rt::Spout> MakeGenerateSpout() { return std::make_unique<GenerateSpout>(); }

}  // namespace smc::stdlib
