// random_sentence(): the Storm WordCount spout's five sentences, at random.
#include <algorithm>
#include <random>
#include "stdlib/component_helpers.h"

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
  s.outputs = QuotaOutputs({{"default", {"sentence"}}});
  s.outputs_doc = "(sentence)";
  return s;
}

namespace {
class RandomSentenceSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    quota_ = std::make_unique<Quota>(ctx);
    rng_.seed(static_cast<uint64_t>(ctx.IntArg("seed")) * 1000003u + static_cast<uint64_t>(ctx.instance));
  }
  bool Next(rt::Emitter& out, const rt::SpoutControl&) override {
    static const std::string_view kSentences[] = {
        "the cow jumped over the moon", "an apple a day keeps the doctor away", "four score and seven years ago",
        "snow white and the seven dwarfs", "i am at two with nature"};
    for (int64_t k = quota_->Next(); k > 0; --k) {
      rt::Datum d = rt::Datum::Str(kSentences[rng_() % 5]);
      out.Emit(0, &d);
    }
    return !quota_->exhausted();
  }

 private:
  std::unique_ptr<Quota> quota_;
  std::mt19937_64 rng_;
};
}  // namespace

std::unique_ptr<rt::Spout> MakeRandomSentenceSpout() {
  return std::make_unique<RandomSentenceSpout>();
}

}  // namespace smc::stdlib
