// An example smc plugin: a spout, two bolts, a sink and a custom grouping,
// built against the installed headers (see CMakeLists.txt beside it) and
// used by plugin.topo.
#include <smc/plugin.h>

#include <fstream>
#include <stdexcept>
#include <string>

namespace {

using smc::plugin::Argument;
using smc::plugin::Context;
using smc::plugin::Emitter;
using smc::plugin::Param;
using smc::plugin::ParamType;
using smc::plugin::Tuple;
using smc::plugin::Value;

// spout: from, from-1, ..., 1, then the stream ends.
class Countdown : public smc::plugin::Spout {
 public:
  void Open(const Context& ctx) override { next_ = ctx.Int("from"); }
  bool Next(Emitter& out) override {
    for (int k = 0; k < 256 && next_ > 0; ++k) out.Emit({Value::Int(next_--)});
    return next_ > 0;
  }

 private:
  int64_t next_ = 0;
};

// bolt: (word) -> (word, length), the length in bytes of one string field.
class Lengths : public smc::plugin::Bolt {
 public:
  void Open(const Context& ctx) override { field_ = ctx.InputField(0, ctx.String("field")); }
  void Execute(const Tuple& t, int input, Emitter& out) override {
    const Value& v = t[field_];
    if (!v.is_string()) {
      out.Error(v.ToText(), "not a string");
      return;
    }
    out.Emit({v, Value::Int(static_cast<int64_t>(v.s.size()))});
  }

 private:
  int field_ = 0;
};

// bolt: passes on the tuples whose numeric field is at least `min`.
class Threshold : public smc::plugin::Bolt {
 public:
  void Open(const Context& ctx) override {
    field_ = ctx.InputField(0, ctx.String("field"));
    min_ = ctx.Float("min");
  }
  void Execute(const Tuple& t, int input, Emitter& out) override {
    const Value& v = t[field_];
    if (!v.is_int() && !v.is_float()) {
      out.Error(v.ToText(), "not a number");
      return;
    }
    if (v.AsDouble() >= min_) out.Emit(0, t.data());
  }

 private:
  int field_ = 0;
  double min_ = 0;
};

// sink: writes each tuple's fields, tab-separated, to `path`, and the number
// of tuples it wrote when its input ends.
class Collect : public smc::plugin::Bolt {
 public:
  void Open(const Context& ctx) override {
    std::string path = ctx.String("path");
    if (!path.empty() && path.front() != '/') path = ctx.base_dir + "/" + path;
    file_.open(path + "." + std::to_string(ctx.instance));
    if (!file_) throw std::runtime_error("cannot write " + path);
  }
  void Execute(const Tuple& t, int input, Emitter& out) override {
    for (int i = 0; i < t.size(); ++i) file_ << (i ? "\t" : "") << t[i].ToText();
    file_ << '\n';
    ++count_;
  }
  void Finish(Emitter& out) override {
    file_ << "# " << count_ << " tuples\n";
    file_.flush();
    if (!file_) throw std::runtime_error("write failed");
  }

 private:
  std::ofstream file_;
  int64_t count_ = 0;
};

// grouping: a string field's length modulo the number of instances.
class ByLength : public smc::plugin::Grouping {
 public:
  void Prepare(int targets, const std::vector<Argument>& args, const std::vector<std::string>& fields) override {
    targets_ = targets;
    std::string field;
    for (const Argument& a : args) {
      if (a.name == "field") field = a.text;
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == field) index_ = static_cast<int>(i);
    }
  }
  void Choose(const Tuple& t, std::vector<int>* out) override {
    out->push_back(static_cast<int>(t[index_].s.size() % static_cast<size_t>(targets_)));
  }

 private:
  int targets_ = 1;
  int index_ = 0;
};

void Describe(smc::plugin::Registrar& r) {
  auto& countdown = r.AddSpout<Countdown>("Countdown", "emits from, from-1, ..., 1");
  countdown.params = {Param::Optional("from", ParamType::kInt, Value::Int(10), "the first number")};
  countdown.outputs = {{"default", {"n"}}};
  auto& lengths = r.AddBolt<Lengths>("Lengths", "pairs each word with its length in bytes");
  lengths.params = {Param::Required("field", ParamType::kField, "the string field")};
  lengths.outputs = {{"default", {"word", "length"}}};
  auto& threshold = r.AddBolt<Threshold>("Threshold", "keeps tuples whose field is at least min");
  threshold.params = {Param::Required("field", ParamType::kField, "a numeric field"),
                      Param::Required("min", ParamType::kFloat, "the least value kept")};
  threshold.passthrough = true;
  r.AddSink<Collect>("Collect", "writes tuples to PATH.INSTANCE").params = {
      Param::Required("path", ParamType::kString, "the file name (the instance is appended)")};
  r.AddGrouping<ByLength>("ByLength", "sends a string to instance (its length mod instances)").params = {
      Param::Required("field", ParamType::kField, "the string field")};
}

}  // namespace

SMC_PLUGIN(Describe)
