#include "dsl/task_check.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "dsl/suggest.h"
#include "dsl/template.h"

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
  // Names are unique among tasks and templates; `index` maps plain tasks
  // (what runs) to their place in out.tasks.
  std::map<std::string, const ast::Task*> first;
  std::map<std::string, int> index;
  std::vector<const ast::Task*> tasks, templates;
  for (const ast::Task& t : tg.tasks) {
    auto [it, inserted] = first.emplace(t.name.text, &t);
    if (!inserted) {
      error(t.name.range, "duplicate task '" + t.name.text + "' in tasks '" + tg.name.text + "'")
          .Note(it->second->name.range, "first declared here");
      continue;
    }
    if (t.params) {
      templates.push_back(&t);
    } else {
      index.emplace(t.name.text, static_cast<int>(tasks.size()));
      tasks.push_back(&t);
    }
  }
  std::vector<std::string> names;
  for (const ast::Task* t : tasks) names.push_back(t->name.text);
  std::vector<std::string> impls;
  for (const auto& spec : catalog.tasks()) impls.push_back(spec->name);
  for (const ast::Task* t : templates) impls.push_back(t->name.text);

  // The body of a task or template: its implementation's arguments bound, its settings over `base`.
  auto body = [&](const ast::Task& t, const Settings& base, GraphTask* gt) {
    gt->name = t.name.text;
    gt->impl = t.impl.name.text;
    gt->range = t.name.range;
    gt->settings = base;
    resolver->ResolveSettings(t.settings, kScopeTask, &gt->settings);
    if (const TaskSpec* spec = catalog.FindTask(t.impl.name.text)) {
      Resolver::BoundArgs args;
      resolver->Bind(t.impl.name.text, spec->params, t.impl.args, t.impl.name.range, &args);
      for (const auto& [name, bound] : args) gt->args[name] = bound.value;
      return true;
    }
    return false;
  };

  Settings task_base = out.settings;
  task_base.erase("parallelism");
  for (const ast::Task* t : templates) {
    GraphTemplate gt;
    gt.name = t->name.text;
    std::set<std::string> params;
    std::vector<std::string> locals;
    for (const ast::TemplateParam& p : *t->params) {
      if (!params.insert(p.name.text).second) {
        error(p.name.range, "duplicate parameter '" + p.name.text + "' of template '" + gt.name + "'");
        continue;
      }
      GraphTemplateParam gp{p.name.text, std::nullopt};
      if (p.default_value) {
        std::optional<Value> v = resolver->Resolve(*p.default_value);
        if (v && !v->is_string()) {
          error(p.default_value->range, "the default of parameter '" + p.name.text + "' must be a string, got " +
                                            std::string(TypeName(v->type)) + " " + v->ToSource());
        } else if (v) {
          gp.default_value = v->str;
        }
      }
      gt.params.push_back(std::move(gp));
      locals.push_back(p.name.text);
    }
    if (!t->after.empty()) {
      error(t->after.front().range,
            "template '" + gt.name + "' cannot run after other tasks; give 'after' to the tasks that use it");
    }
    resolver->SetLocals(locals);
    bool known = body(*t, task_base, &gt.body);
    resolver->SetLocals({});
    auto other = first.find(t->impl.name.text);
    if (!known && other != first.end() && other->second->params) {
      error(t->impl.name.range, "a template cannot use another template ('" + t->impl.name.text + "')");
    } else if (!known) {
      error(t->impl.name.range,
            "unknown task implementation '" + t->impl.name.text + "'" + DidYouMean(t->impl.name.text, impls));
    }
    out.templates.push_back(std::move(gt));
  }

  for (const ast::Task* t : tasks) {
    GraphTask gt;
    const GraphTemplate* tmpl = nullptr;
    if (!catalog.FindTask(t->impl.name.text)) {
      for (const GraphTemplate& x : out.templates) {
        if (x.name == t->impl.name.text) tmpl = &x;
      }
    }
    if (tmpl) {
      // An instance: the template's arguments bound like an implementation's.
      std::vector<ParamSpec> specs;
      for (const GraphTemplateParam& p : tmpl->params) {
        ParamSpec ps;
        ps.name = p.name;
        ps.type = ParamType::kString;
        ps.required = !p.default_value;
        if (p.default_value) ps.default_value = Value::String(*p.default_value);
        specs.push_back(std::move(ps));
      }
      Resolver::BoundArgs args;
      resolver->Bind(tmpl->name, specs, t->impl.args, t->impl.name.range, &args);
      std::map<std::string, std::string> values;
      for (const auto& [name, bound] : args) values[name] = bound.value.str;
      gt = InstantiateTemplate(*tmpl, values, t->name.text);
      gt.range = t->name.range;
      resolver->ResolveSettings(t->settings, kScopeTask, &gt.settings);
    } else if (!body(*t, task_base, &gt)) {
      error(t->impl.name.range,
            "unknown task implementation '" + t->impl.name.text + "'" + DidYouMean(t->impl.name.text, impls));
    }
    std::set<std::string> seen;
    for (const ast::Name& dep : t->after) {
      auto it = index.find(dep.text);
      auto f = first.find(dep.text);
      if (it == index.end() && f != first.end()) {
        error(dep.range, "'" + dep.text + "' is a task template: it does not run; run after a task that uses it");
      } else if (it == index.end()) {
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
