// window(window: ...): each window's tuples as one list field (stdlib/window.h).
#include "runtime/json_text.h"
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/multilang.h"
#include "stdlib/spec_helpers.h"
#include "stdlib/window.h"

namespace smc::stdlib {

ComponentSpec WindowBoltSpec() {
  ComponentSpec s;
  s.name = "window";
  s.kind = ComponentKind::kBolt;
  s.summary = "gathers the tuples of each window into one list field, for processing a window at a time";
  s.params = WindowParams();
  s.params[0] = Required("window", ParamType::kDurationOrInt, s.params[0].doc);
  s.params.push_back(Optional("max_size", ParamType::kSize, Value::Size(64 << 20),
                              "the most JSON text the open windows may hold together (a tuple counts once per window "
                              "it is in); past it the run fails"));
  s.outputs = [](const ArgMap& args, const std::vector<std::string>& in, std::vector<StreamSpec>* out,
                 std::string* error, std::string* error_arg) {
    WindowSpec window;
    if (!ReadWindowSpec(args, &window, error, error_arg)) return false;
    if (args.at("max_size").num < 1) {
      *error = "'max_size' must be positive";
      *error_arg = "max_size";
      return false;
    }
    *out = {{"default", {"tuples", "window_start", "window_end"}}};
    AddWindowStreams(window, in, out);
    return true;
  };
  s.outputs_doc =
      "(tuples, window_start, window_end): tuples is a list of objects, one per tuple, keyed by its fields; with "
      "'timestamp', late(the input's fields) and errors(input, reason)";
  return s;
}

namespace {
struct Gathered {
  std::string json;  // "[{...},{...}" (closed when emitted)
};

class WindowBolt : public WindowedBolt<WindowBolt, Gathered> {
 public:
  void Open(const rt::Context& ctx) override {
    OpenWindows(ctx);
    max_size_ = static_cast<size_t>(ctx.Arg("max_size").num);
    // Each input's field names, as JSON keys.
    for (const auto& fields : ctx.input_fields) {
      std::vector<std::string>& keys = keys_.emplace_back();
      for (const std::string& f : fields) {
        std::string k;
        rt::AppendJsonString(f, &k);
        keys.push_back(k + ":");
      }
    }
  }
  void Add(const rt::Batch& b, size_t t, int input, const std::vector<Window*>& in) {
    object_.clear();
    object_.push_back('{');
    for (int k = 0; k < b.width(); ++k) {
      if (k) object_.push_back(',');
      object_.append(keys_[input][k]);
      AppendDatumJson(b.Get(t, k), &object_);
    }
    object_.push_back('}');
    // One bound for all the open windows: a tuple of a sliding window is
    // held once per window it falls in.
    const size_t adding = in.size() * (object_.size() + 2);
    if (held_bytes_ + adding > max_size_) {
      throw std::runtime_error("the open windows (" + std::to_string(open_windows()) + ") hold more than max_size (" +
                               std::to_string(max_size_) +
                               " bytes) of tuples; raise 'max_size', or shorten the window or lengthen its slide");
    }
    for (Window* w : in) {
      const size_t before = w->state.json.size();
      w->state.json.push_back(before == 0 ? '[' : ',');
      w->state.json.append(object_);
      held_bytes_ += w->state.json.size() - before;
    }
  }
  void EmitWindow(Window& w, rt::Emitter& out) {
    held_bytes_ -= std::min(held_bytes_, w.state.json.size());
    if (w.state.json.empty()) return;
    w.state.json.push_back(']');
    rt::Datum v[3] = {rt::Datum::Json(w.state.json), rt::Datum::Int(ReportedStart(spec_, w.start)),
                      rt::Datum::Int(w.end)};
    out.Emit(0, v);
  }

 private:
  size_t max_size_ = 64 << 20;
  size_t held_bytes_ = 0;  // the JSON text of every open window
  std::vector<std::vector<std::string>> keys_;
  std::string object_;
};
}  // namespace

std::unique_ptr<rt::Component> MakeWindow() {
  return std::make_unique<WindowBolt>();
}

}  // namespace smc::stdlib
