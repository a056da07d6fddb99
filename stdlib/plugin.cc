// plugin("lib.so", "Name", ...): spouts, bolts, sinks and custom groupings
// from a user's shared library (include/smc/plugin.h). The stand-ins here
// find the real signature when the file is checked (plugin_library.cc) and,
// when it runs, make the plugin's object and translate between smc's batches
// and the public API's values.
#include <stdexcept>

#include "runtime/registry.h"
#include "stdlib/builtins.h"
#include "stdlib/plugin_library.h"

namespace smc::stdlib {
namespace {

Resolved<ComponentSpec> ResolveComponent(ComponentKind kind, const std::string& library, const std::string& name,
                                         const std::string& base_dir) {
  Resolved<ComponentSpec> r;
  const PluginLibrary* lib = LoadPluginLibrary(library, base_dir, &r.error);
  if (!lib) return r;
  r.library = lib->path;
  if (const PluginComponent* c = lib->Find(kind, name, &r.error)) {
    r.spec = &c->spec;
  } else {
    r.bad_arg = 1;
  }
  return r;
}

Resolved<GroupingSpec> ResolveGrouping(const std::string& library, const std::string& name,
                                       const std::string& base_dir) {
  Resolved<GroupingSpec> r;
  const PluginLibrary* lib = LoadPluginLibrary(library, base_dir, &r.error);
  if (!lib) return r;
  r.library = lib->path;
  if (const PluginGrouping* g = lib->FindGrouping(name, &r.error)) {
    r.spec = &g->spec;
  } else {
    r.bad_arg = 1;
  }
  return r;
}

ComponentSpec StandIn(ComponentKind kind) {
  ComponentSpec s;
  s.name = "plugin";
  s.kind = kind;
  s.summary = "a component from a user's shared library, built against smc's headers (smc/plugin.h)";
  s.params = {{"library", ParamType::kString, true, std::nullopt, {}, "the shared library (.so)"},
              {"component", ParamType::kString, true, std::nullopt, {}, "the component's name in it"}};
  s.outputs_doc = "as the plugin declares";
  s.resolve = ResolveComponent;
  return s;
}

// The library and the component a use names (the checker stored the real path).
const PluginLibrary& LibraryOf(const std::map<std::string, Value>& args, const std::string& base_dir) {
  auto lib = args.find("library");
  if (lib == args.end() || !lib->second.is_string()) throw std::runtime_error("plugin: no library");
  std::string error;
  const PluginLibrary* l = LoadPluginLibrary(lib->second.str, base_dir, &error);
  if (!l) throw std::runtime_error(error);
  return *l;
}

std::string NameOf(const std::map<std::string, Value>& args) {
  auto it = args.find("component");
  return it != args.end() && it->second.is_string() ? it->second.str : std::string();
}

plugin::Value ToValue(const rt::Datum& d) {
  plugin::Value v;
  v.type = static_cast<plugin::Type>(d.type);
  v.json = d.json;
  v.i = d.i;
  v.f = d.f;
  v.s = d.s;
  return v;
}

// `component` names the emitter in the error (only built then: this runs per value).
rt::Datum ToDatum(const plugin::Value& v, const std::string& component) {
  rt::Datum d;
  switch (v.type) {
    case plugin::Type::kNull: break;
    case plugin::Type::kInt: d = rt::Datum::Int(v.i); break;
    case plugin::Type::kFloat: d = rt::Datum::Float(v.f); break;
    case plugin::Type::kBool: d = rt::Datum::Bool(v.i != 0); break;
    case plugin::Type::kString: d = v.json ? rt::Datum::Json(v.s) : rt::Datum::Str(v.s); break;
    default:
      throw std::runtime_error("'" + component + "' emitted a value of unknown type " +
                               std::to_string(static_cast<int>(v.type)));
  }
  return d;
}

// The arguments as the public API gives them.
std::vector<plugin::Argument> ToArguments(const std::map<std::string, Value>& args) {
  std::vector<plugin::Argument> out;
  for (const auto& [name, v] : args) {
    plugin::Argument& a = out.emplace_back();
    a.name = name;
    switch (v.type) {
      case ValueType::kString: a.text = v.str; break;
      case ValueType::kFloat: a.value = plugin::Value::Float(v.real); break;
      case ValueType::kBool: a.value = plugin::Value::Bool(v.num != 0); break;
      case ValueType::kList:
        for (const Value& item : v.list) {
          a.item_texts.push_back(item.is_string() ? item.str : std::string());
          if (item.is_string()) {
            a.items.push_back(plugin::Value::Str({}));
          } else if (item.type == ValueType::kFloat) {
            a.items.push_back(plugin::Value::Float(item.real));
          } else if (item.type == ValueType::kBool) {
            a.items.push_back(plugin::Value::Bool(item.num != 0));
          } else {
            a.items.push_back(plugin::Value::Int(item.num));
          }
        }
        break;
      default: a.value = plugin::Value::Int(v.num); break;  // int, duration (ns), size (bytes)
    }
  }
  // Views into the strings, now that nothing moves any more.
  for (plugin::Argument& a : out) {
    if (args.at(a.name).type == ValueType::kString) a.value = plugin::Value::Str(a.text);
    for (size_t i = 0; i < a.items.size(); ++i) {
      if (a.items[i].is_string()) a.items[i].s = a.item_texts[i];
    }
  }
  return out;
}

plugin::Context ToContext(const rt::Context& ctx) {
  plugin::Context p;
  p.topology = ctx.topology ? ctx.topology->name : std::string();
  p.component = ctx.component;
  p.location = ctx.location;
  p.base_dir = ctx.base_dir.empty() ? "." : ctx.base_dir;  // smc component: the current folder
  p.instance = ctx.instance;
  p.parallelism = ctx.parallelism;
  p.acking = ctx.acking;
  p.tick_ns = ctx.tick_ns;
  if (ctx.args) p.args = ToArguments(*ctx.args);
  p.input_fields = ctx.input_fields;
  p.stream_names = ctx.stream_names;
  p.stream_fields = ctx.stream_fields;
  return p;
}

// The public Emitter over smc's: checks the stream, converts the values.
class EmitterAdapter final : public plugin::Emitter {
 public:
  EmitterAdapter(rt::Emitter& out, const rt::Context& ctx, const rt::Batch* batch, const rt::SpoutControl* ctl)
      : out_(out), ctx_(ctx), batch_(batch), ctl_(ctl) {}
  void Emit(int stream, const plugin::Value* values) override {
    if (stream < 0 || static_cast<size_t>(stream) >= ctx_.stream_fields.size() ||
        ctx_.stream_names[stream] == "errors") {
      throw std::runtime_error("emitted on stream " + std::to_string(stream) + ", which '" + ctx_.component +
                               "' does not declare (it has " + std::to_string(StreamCount()) + ")");
    }
    size_t width = ctx_.stream_fields[stream].size();
    datums_.resize(width);
    for (size_t k = 0; k < width; ++k) datums_[k] = ToDatum(values[k], ctx_.component);
    out_.Emit(stream, datums_.data());
  }
  void Error(std::string_view input, std::string_view reason) override { out_.Error(input, reason); }
  void Anchor(size_t t) override {
    if (batch_ && t < batch_->size()) out_.Anchor(*batch_, t);
  }
  bool Stopping() const override { return ctl_ && ctl_->Stopping(); }

 private:
  size_t StreamCount() const {
    size_t n = 0;
    for (const std::string& s : ctx_.stream_names) n += s != "errors";
    return n;
  }
  rt::Emitter& out_;
  const rt::Context& ctx_;
  const rt::Batch* batch_;
  const rt::SpoutControl* ctl_;
  std::vector<rt::Datum> datums_;
};

class PluginBolt final : public rt::Component {
 public:
  explicit PluginBolt(ComponentKind kind) : kind_(kind) {}
  void Open(const rt::Context& ctx) override {
    ctx_ = ctx;
    std::string error;
    const PluginComponent* c = LibraryOf(*ctx.args, ctx.base_dir).Find(kind_, NameOf(*ctx.args), &error);
    if (!c) throw std::runtime_error(error);
    info_ = c->info;
    bolt_ = info_->make_bolt();
    if (!bolt_) throw std::runtime_error("plugin '" + info_->name + "' made no bolt");
    pctx_ = ToContext(ctx);
    bolt_->Open(pctx_);
  }
  void Execute(const rt::Batch& b, int input, rt::Emitter& out) override {
    size_t width = static_cast<size_t>(b.width());
    values_.resize(b.size() * width);
    for (size_t t = 0; t < b.size(); ++t) {
      for (size_t k = 0; k < width; ++k) values_[t * width + k] = ToValue(b.Get(t, static_cast<int>(k)));
    }
    EmitterAdapter em(out, ctx_, &b, nullptr);
    bolt_->ExecuteBatch(plugin::Batch(values_.data(), b.size(), b.width()), input, em);
  }
  void Tick(rt::Emitter& out) override {
    EmitterAdapter em(out, ctx_, nullptr, nullptr);
    bolt_->Tick(em);
  }
  void Finish(rt::Emitter& out) override {
    EmitterAdapter em(out, ctx_, nullptr, nullptr);
    bolt_->Finish(em);
  }
  int64_t DefaultTickNs() const override { return info_ ? info_->default_tick_ns : 0; }
  rt::AckMode Acking() const override { return info_ && info_->holds_inputs ? rt::AckMode::kHold : rt::AckMode::kAuto; }

 private:
  ComponentKind kind_;
  rt::Context ctx_;
  const plugin::ComponentInfo* info_ = nullptr;
  std::unique_ptr<plugin::Bolt> bolt_;
  plugin::Context pctx_;
  std::vector<plugin::Value> values_;
};

class PluginSpout final : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    ctx_ = ctx;
    std::string error;
    const PluginComponent* c =
        LibraryOf(*ctx.args, ctx.base_dir).Find(ComponentKind::kSpout, NameOf(*ctx.args), &error);
    if (!c) throw std::runtime_error(error);
    spout_ = c->info->make_spout();
    if (!spout_) throw std::runtime_error("plugin '" + c->info->name + "' made no spout");
    pctx_ = ToContext(ctx);
    spout_->Open(pctx_);
  }
  bool Next(rt::Emitter& out, const rt::SpoutControl& ctl) override {
    EmitterAdapter em(out, ctx_, nullptr, &ctl);
    return spout_->Next(em);
  }

 private:
  rt::Context ctx_;
  std::unique_ptr<plugin::Spout> spout_;
  plugin::Context pctx_;
};

class PluginCustomGrouping final : public rt::CustomGrouping {
 public:
  void Prepare(int targets, const std::map<std::string, Value>& args, const std::vector<std::string>& fields) override {
    std::string error;
    const PluginGrouping* g = LibraryOf(args, "").FindGrouping(NameOf(args), &error);
    if (!g) throw std::runtime_error(error);
    grouping_ = g->info->make();
    if (!grouping_) throw std::runtime_error("plugin grouping '" + g->info->name + "' made no grouping");
    args_ = ToArguments(args);
    grouping_->Prepare(targets, args_, fields);
    values_.resize(fields.size());
    name_ = g->info->name;
    targets_ = targets;
  }
  // The router checks every custom grouping's choice too; here the message
  // names the plugin's grouping rather than the stand-in.
  void Choose(const rt::Datum* tuple, std::vector<int>* out) override {
    for (size_t k = 0; k < values_.size(); ++k) values_[k] = ToValue(tuple[k]);
    grouping_->Choose(plugin::Tuple(values_.data(), static_cast<int>(values_.size())), out);
    if (out->empty())
      throw std::runtime_error("plugin grouping '" + name_ + "' chose no instance of " + std::to_string(targets_) +
                               " for a tuple");
    for (int t : *out) {
      if (t < 0 || t >= targets_)
        throw std::runtime_error("plugin grouping '" + name_ + "' chose instance " + std::to_string(t) + " of " +
                                 std::to_string(targets_));
    }
  }

 private:
  std::string name_;
  int targets_ = 0;
  std::unique_ptr<plugin::Grouping> grouping_;
  std::vector<plugin::Argument> args_;
  std::vector<plugin::Value> values_;
};

}  // namespace

ComponentSpec PluginSpoutSpec() {
  return StandIn(ComponentKind::kSpout);
}
ComponentSpec PluginBoltSpec() {
  return StandIn(ComponentKind::kBolt);
}
ComponentSpec PluginSinkSpec() {
  return StandIn(ComponentKind::kSink);
}

GroupingSpec PluginGroupingSpec() {
  GroupingSpec g;
  g.name = "plugin";
  g.summary = "a custom grouping from a user's shared library (smc/plugin.h)";
  g.params = {{"library", ParamType::kString, true, std::nullopt, {}, "the shared library (.so)"},
              {"component", ParamType::kString, true, std::nullopt, {}, "the grouping's name in it"}};
  g.resolve = ResolveGrouping;
  return g;
}

std::unique_ptr<rt::Spout> MakePluginSpout() {
  return std::make_unique<PluginSpout>();
}
std::unique_ptr<rt::Component> MakePluginBolt() {
  return std::make_unique<PluginBolt>(ComponentKind::kBolt);
}
std::unique_ptr<rt::Component> MakePluginSink() {
  return std::make_unique<PluginBolt>(ComponentKind::kSink);
}
std::unique_ptr<rt::CustomGrouping> MakePluginGrouping() {
  return std::make_unique<PluginCustomGrouping>();
}

}  // namespace smc::stdlib
