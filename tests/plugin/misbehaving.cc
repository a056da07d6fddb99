// A plugin that breaks the contract in the ways smc must catch (tests/plugin/plugin.py):
// a grouping that chooses no instance, a bolt that emits on a stream it
// does not declare, a bolt that throws, and a library whose describe throws
// (built with -DREFUSE).
#include <smc/plugin.h>

#include <stdexcept>

namespace {

using namespace smc::plugin;

class Nowhere : public Grouping {
 public:
  void Choose(const Tuple&, std::vector<int>*) override {}
};

class Beyond : public Grouping {
 public:
  void Choose(const Tuple&, std::vector<int>* out) override { out->push_back(99); }
};

class WrongStream : public Bolt {
 public:
  void Execute(const Tuple& t, int, Emitter& out) override { out.Emit(3, t.data()); }
};

class Thrower : public Bolt {
 public:
  void Execute(const Tuple& t, int, Emitter&) override {
    if (t[0].is_int() && t[0].i == 3) throw std::runtime_error("three is not allowed");
  }
};

void Describe(Registrar& r) {
#ifdef REFUSE
  throw std::runtime_error("this plugin refuses to load");
#endif
  r.AddGrouping<Nowhere>("Nowhere", "chooses no instance");
  r.AddGrouping<Beyond>("Beyond", "chooses instance 99");
  r.AddBolt<WrongStream>("WrongStream", "emits on stream 3").passthrough = true;
  r.AddBolt<Thrower>("Thrower", "throws on 3").passthrough = true;
}

}  // namespace

SMC_PLUGIN(Describe)
