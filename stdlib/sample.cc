// sample(rate): keeps a random fraction of the tuples.
#include <random>
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec SampleSpec() {
  ComponentSpec s;
  s.name = "sample";
  s.kind = ComponentKind::kBolt;
  s.summary = "keeps each tuple with a given probability";
  s.params = {Optional("rate", ParamType::kFloat, Value::Float(0.1), "the fraction to keep, above 0 and at most 1"),
              Optional("seed", ParamType::kInt, Value::Int(1), "seed of the random choice")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    double rate = args.at("rate").AsDouble();
    if (!(rate > 0 && rate <= 1)) {
      *error = "'rate' must be above 0 and at most 1, got " + args.at("rate").ToText();
      *error_arg = "rate";
      return false;
    }
    *out = {{"default", in}};
    return true;
  };
  s.outputs_doc = "the input fields";
  s.passthrough = true;
  return s;
}

namespace {
class Sample : public rt::Component {
 public:
  rt::Rescaling Rescalable() const override { return {rt::Rescaling::kStateless, {}}; }
  void Open(const rt::Context& ctx) override {
    rate_ = ctx.Arg("rate").AsDouble();
    rng_.seed(static_cast<uint64_t>(ctx.IntArg("seed")) * 1000003u + static_cast<uint64_t>(ctx.instance));
  }
  void Execute(const rt::Batch& b, int, rt::Emitter& out) override {
    for (size_t t = 0; t < b.size(); ++t) {
      out.Anchor(b, t);
      if (dist_(rng_) >= rate_) continue;
      ReadTuple(b, t, &values_);
      out.Emit(0, values_.data());
    }
  }

 private:
  double rate_ = 1;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> dist_{0.0, 1.0};
  std::vector<rt::Datum> values_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeSample() {
  return std::make_unique<Sample>();
}

}  // namespace smc::stdlib
