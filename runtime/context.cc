#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "dsl/settings.h"
#include "runtime/component.h"
#include "runtime/plan.h"
#include "runtime/setting_defaults.h"

namespace smc::rt {

namespace {
const Value& DefaultOf(const std::string& key) {
  const SettingSpec* s = FindSetting(key);
  if (!s || !s->default_value) throw std::logic_error("setting '" + key + "' has no default");
  return *s->default_value;
}
}  // namespace

int64_t SettingDefault(const std::string& key) {
  return DefaultOf(key).num;
}
std::string SettingDefaultText(const std::string& key) {
  return DefaultOf(key).str;
}

std::shared_ptr<const TopologyView> ViewOf(const PlanTopology& t, int component) {
  auto view = std::make_shared<TopologyView>();
  const PlanComponent& self = t.components[component];
  view->name = t.name;
  std::vector<int> first_task;
  for (const PlanComponent& c : t.components) {
    first_task.push_back(static_cast<int>(view->task_components.size()) + 1);
    for (int i = 0; i < c.parallelism; ++i) view->task_components.push_back(c.name);
  }
  for (const PlanStream& s : self.streams) {
    auto& subs = view->subscribers.emplace_back();
    for (const PlanEdge& e : s.edges) subs.push_back({t.components[e.consumer].name, e.grouping});
  }
  for (size_t i = 0; i < self.inputs.size(); ++i) {
    const PlanInput& in = self.inputs[i];
    const PlanComponent& src = t.components[in.source];
    const PlanStream& stream = src.streams[in.stream];
    TopologyView::Source& source = view->inputs.emplace_back();
    source.component = src.name;
    source.stream = stream.name;
    source.fields = stream.fields;
    source.first_task = first_task[in.source];
    for (const PlanEdge& e : stream.edges) {
      if (e.consumer == component && e.input == static_cast<int>(i)) source.grouping = e.grouping;
    }
  }
  view->conf = self.conf;
  view->max_pending = self.max_pending;
  return view;
}

void ThrowIfDirectory(int fd, const std::string& name) {
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    throw IoError("cannot read " + name + ": " + std::strerror(EISDIR));
  }
}

const Value& Context::Arg(const std::string& name) const {
  auto it = args->find(name);
  if (it == args->end()) throw std::logic_error("no argument '" + name + "'");
  return it->second;
}

std::string Context::StringArg(const std::string& name) const {
  auto it = args->find(name);
  return it == args->end() ? std::string() : it->second.str;
}

std::string Context::PathArg(const std::string& name) const {
  std::string path = StringArg(name);
  if (path.empty() || path[0] == '/' || base_dir.empty() || base_dir == ".") return path;
  return base_dir + (base_dir.back() == '/' ? "" : "/") + path;
}

int64_t Context::IntArg(const std::string& name) const {
  return Arg(name).num;
}

int Context::Stream(std::string_view name) const {
  for (size_t i = 0; i < stream_names.size(); ++i) {
    if (stream_names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

int Context::InputField(int input, std::string_view field) const {
  if (input < 0 || input >= static_cast<int>(input_fields.size())) return -1;
  const auto& f = input_fields[input];
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == field) return static_cast<int>(i);
  }
  return -1;
}

void Emitter::EmitAll(int stream, const Batch& batch) {
  std::vector<Datum> values(batch.width());
  for (size_t t = 0; t < batch.size(); ++t) {
    for (int k = 0; k < batch.width(); ++k) values[k] = batch.Get(t, k);
    Emit(stream, values.data());
  }
}

}  // namespace smc::rt
