// generate(count, rate): emits consecutive integers.
#include <algorithm>
#include "stdlib/component_helpers.h"

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
  s.outputs = QuotaOutputs({{"default", {"n"}}});
  s.outputs_doc = "(n)";
  return s;
}

namespace {
class GenerateSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    quota_ = std::make_unique<Quota>(ctx);
    next_ = ctx.IntArg("start") + ctx.instance;
    step_ = ctx.parallelism;
  }
  bool Next(rt::Emitter& out, const rt::SpoutControl&) override {
    for (int64_t k = quota_->Next(); k > 0; --k) {
      rt::Datum d = rt::Datum::Int(next_);
      out.Emit(0, &d);
      next_ += step_;
    }
    return !quota_->exhausted();
  }

 private:
  std::unique_ptr<Quota> quota_;
  int64_t next_ = 0;
  int64_t step_ = 1;
};
}  // namespace

std::unique_ptr<rt::Spout> MakeGenerateSpout() {
  return std::make_unique<GenerateSpout>();
}

}  // namespace smc::stdlib
