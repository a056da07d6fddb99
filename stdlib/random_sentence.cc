// random_sentence(): the Storm WordCount spout's five sentences, at random.
#include <random>
#include "stdlib/component_helpers.h"
#include <algorithm>

#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec RandomSentenceSpec() {
  ComponentSpec s;
  s.name = "random_sentence";
  s.kind = ComponentKind::kSpout;
  s.summary = "emits sentences chosen at random from Storm's WordCount example";
  s.params = {Optional("count", ParamType::kInt, Value::Int(0), "how many to emit in all; 0 means no end"),
              Optional("rate", ParamType::kInt, Value::Int(0), "sentences per second; 0 means as fast as possible"),
              Optional("seed", ParamType::kInt, Value::Int(1), "seed of the random choice (runs repeat exactly)")};
  s.outputs = FixedOutputs({{"default", {"sentence"}}});
  s.outputs_doc = "(sentence)";
  return s;
}

namespace {
class RandomSentenceSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    int64_t count = ctx.IntArg("count");
    remaining_ = count > 0 ? ShareOf(count, ctx.instance, ctx.parallelism) : -1;
    rng_.seed(static_cast<uint64_t>(ctx.IntArg("seed")) * 1000003u + static_cast<uint64_t>(ctx.instance));
    batch_ = std::max(1, ctx.batch_size);
    pacer_ = std::make_unique<Pacer>(static_cast<double>(ctx.IntArg("rate")) / ctx.parallelism);
  }
  bool Next(rt::Emitter& out, const rt::SpoutControl&) override {
    static const std::string_view kSentences[] = {
        "the cow jumped over the moon", "an apple a day keeps the doctor away", "four score and seven years ago",
        "snow white and the seven dwarfs", "i am at two with nature"};
    int64_t n = pacer_->Allowance(batch_);
    if (remaining_ >= 0) n = std::min(n, remaining_);
    for (int64_t k = 0; k < n; ++k) {
      rt::Datum d = rt::Datum::Str(kSentences[rng_() % 5]);
      out.Emit(0, &d);
    }
    if (remaining_ >= 0) remaining_ -= n;
    return remaining_ != 0;
  }

 private:
  int64_t remaining_ = -1;
  std::mt19937_64 rng_;
  std::unique_ptr<Pacer> pacer_;
  int64_t batch_ = 256;  // tuples per Next: about one batch, so backpressure acts promptly
};
}  // namespace

std::unique_ptr<rt::Spout> MakeRandomSentenceSpout() { return std::make_unique<RandomSentenceSpout>(); }

}  // namespace smc::stdlib
