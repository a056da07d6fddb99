#include "dsl/task_check.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "dsl/suggest.h"

namespace smc {
namespace {

// Reports the first cycle found by a depth-first walk from each task in
// order, following `after` edges in order.
void ReportTaskCycles(const ast::TaskGraph& tg, const GraphTaskGraph& g, const SourceFilePtr& source,
                      Diagnostics* diags) {
  enum { kWhite, kGrey, kBlack };
  std::vector<int> color(g.tasks.size(), kWhite);
  std::vector<int> path;                       // the grey tasks, in walk order
  std::vector<std::pair<int, size_t>> frames;  // task, next dependency to follow
  for (size_t root = 0; root < g.tasks.size(); ++root) {
    if (color[root] != kWhite) continue;
    path.clear();
    frames.clear();
    color[root] = kGrey;
    path.push_back(static_cast<int>(root));
    frames.push_back({static_cast<int>(root), 0});
    while (!frames.empty()) {
      auto& [t, next] = frames.back();
      const std::vector<int>& after = g.tasks[t].after;
      if (next == after.size()) {
        color[t] = kBlack;
        path.pop_back();
        frames.pop_back();
        continue;
      }
      int dep = after[next++];
      if (color[dep] == kGrey) {
        auto from = std::find(path.begin(), path.end(), dep);
        std::string text;
        for (auto it = from; it != path.end(); ++it) text += g.tasks[*it].name + " -> ";
        text += g.tasks[dep].name;
        diags->Error(source, g.tasks[dep].range,
                     "cycle in tasks '" + tg.name.text + "': " + text + " (each runs after the next)");
        return;  // one cycle per block is enough
      }
      if (color[dep] == kWhite) {
        color[dep] = kGrey;
        path.push_back(dep);
        frames.push_back({dep, 0});
      }
    }
  }
}

}  // namespace

GraphTaskGraph CheckTaskGraph(const ast::TaskGraph& tg, const Catalog& catalog, const SourceFilePtr& source,
                              Resolver* resolver, Diagnostics* diags) {
  auto error = [&](SourceRange r, std::string message) -> Diagnostic& {
    return diags->Error(source, r, std::move(message));
  };
  GraphTaskGraph out;
  out.name = tg.name.text;
  out.range = tg.name.range;
  for (const SettingSpec& s : AllSettings()) {
    if ((s.scopes & kScopeTasks) && s.default_value) out.settings[s.key] = *s.default_value;
  }
  resolver->ResolveSettings(tg.settings, kScopeTasks, &out.settings);
  std::map<std::string, int> index;
  std::vector<const ast::Task*> tasks;
  for (const ast::Task& t : tg.tasks) {
    auto [it, inserted] = index.emplace(t.name.text, static_cast<int>(tasks.size()));
    if (!inserted) {
      error(t.name.range, "duplicate task '" + t.name.text + "' in tasks '" + tg.name.text + "'")
          .Note(tasks[it->second]->name.range, "first declared here");
      continue;
    }
    tasks.push_back(&t);
  }
  std::vector<std::string> names;
  for (const ast::Task* t : tasks) names.push_back(t->name.text);
  std::vector<std::string> impls;
  for (const auto& spec : catalog.tasks()) impls.push_back(spec->name);
  for (const ast::Task* t : tasks) {
    GraphTask gt;
    gt.name = t->name.text;
    gt.impl = t->impl.name.text;
    gt.range = t->name.range;
    gt.settings = out.settings;
    gt.settings.erase("parallelism");
    resolver->ResolveSettings(t->settings, kScopeTask, &gt.settings);
    if (const TaskSpec* spec = catalog.FindTask(t->impl.name.text)) {
      Resolver::BoundArgs args;
      resolver->Bind(t->impl.name.text, spec->params, t->impl.args, t->impl.name.range, &args);
      for (const auto& [name, bound] : args) gt.args[name] = bound.value;
    } else {
      error(t->impl.name.range,
            "unknown task implementation '" + t->impl.name.text + "'" + DidYouMean(t->impl.name.text, impls));
    }
    std::set<std::string> seen;
    for (const ast::Name& dep : t->after) {
      auto it = index.find(dep.text);
      if (it == index.end()) {
        error(dep.range,
              "unknown task '" + dep.text + "' in tasks '" + tg.name.text + "'" + DidYouMean(dep.text, names));
      } else if (dep.text == t->name.text) {
        error(dep.range, "task '" + dep.text + "' cannot run after itself");
      } else if (!seen.insert(dep.text).second) {
        error(dep.range, "duplicate dependency '" + dep.text + "'");
      } else {
        gt.after.push_back(it->second);
      }
    }
    out.tasks.push_back(std::move(gt));
  }
  ReportTaskCycles(tg, out, source, diags);
  return out;
}

}  // namespace smc
