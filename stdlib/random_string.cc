// random_string(length, alphabet): random strings, as RollingSort's spout.
#include <random>

#include <algorithm>

#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec RandomStringSpec() {
  ComponentSpec s;
  s.name = "random_string";
  s.kind = ComponentKind::kSpout;
  s.summary = "emits random strings of a given length over an alphabet (the RollingSort benchmark's spout)";
  s.params = {Optional("length", ParamType::kInt, Value::Int(100), "characters per string"),
              Optional("alphabet", ParamType::kString, Value::String("012345678"), "the characters to draw from"),
              Optional("count", ParamType::kInt, Value::Int(0), "how many to emit in all; 0 means no end"),
              Optional("rate", ParamType::kInt, Value::Int(0), "strings per second; 0 means as fast as possible"),
              Optional("seed", ParamType::kInt, Value::Int(1), "seed of the random draws (runs repeat exactly)")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out, std::string* error,
                 std::string* error_arg) {
    if (!QuotaArgsValid(args, error, error_arg)) return false;
    if (args.at("length").num < 0 || args.at("length").num > (1 << 20)) {
      *error = "'length' must be between 0 and 1048576, got " + args.at("length").ToText();
      *error_arg = "length";
      return false;
    }
    if (args.at("alphabet").str.empty()) {
      *error = "'alphabet' cannot be empty";
      *error_arg = "alphabet";
      return false;
    }
    *out = {{"default", {"str"}}};
    return true;
  };
  s.outputs_doc = "(str)";
  return s;
}

namespace {
class RandomStringSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    quota_ = std::make_unique<Quota>(ctx);
    buf_.resize(static_cast<size_t>(ctx.IntArg("length")));
    alphabet_ = ctx.StringArg("alphabet");
    rng_.seed(static_cast<uint64_t>(ctx.IntArg("seed")) * 1000003u + static_cast<uint64_t>(ctx.instance));
  }
  bool Next(rt::Emitter& out, const rt::SpoutControl&) override {
    for (int64_t k = quota_->Next(); k > 0; --k) {
      // Two characters per 64-bit draw, each 32 bits scaled to the alphabet
      // (multiply and shift: no division per character).
      const uint64_t n = alphabet_.size();
      size_t i = 0;
      for (; i + 1 < buf_.size(); i += 2) {
        uint64_t r = rng_();
        buf_[i] = alphabet_[((r & 0xffffffffu) * n) >> 32];
        buf_[i + 1] = alphabet_[((r >> 32) * n) >> 32];
      }
      if (i < buf_.size()) buf_[i] = alphabet_[((rng_() & 0xffffffffu) * n) >> 32];
      rt::Datum d = rt::Datum::Str(buf_);
      out.Emit(0, &d);
    }
    return !quota_->exhausted();
  }

 private:
  std::unique_ptr<Quota> quota_;
  std::string buf_;
  std::string alphabet_;
  std::mt19937_64 rng_;
};
}  // namespace

std::unique_ptr<rt::Spout> MakeRandomStringSpout() {
  return std::make_unique<RandomStringSpout>();
}

}  // namespace smc::stdlib
