#include "dsl/resolve.h"

#include <algorithm>

#include "dsl/parser.h"
#include "dsl/suggest.h"

namespace smc {
namespace {

bool IsStringList(const Value& v) {
  if (v.type != ValueType::kList) return false;
  for (const Value& item : v.list) {
    if (!item.is_string()) return false;
  }
  return true;
}

std::string Quoted(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += "'" + names[i] + "'";
  }
  return out;
}

// Converts a value to `type` where the language allows it (an integer where a
// float or size is expected).
Value Coerce(const Value& v, ParamType type) {
  if (v.type == ValueType::kInt && type == ParamType::kFloat) return Value::Float(static_cast<double>(v.num));
  if (v.type == ValueType::kInt && type == ParamType::kSize) return Value::Size(v.num);
  return v;
}

}  // namespace

Resolver::Resolver(const ast::File& file, const std::vector<ParamOverride>& overrides, Diagnostics* diags)
    : file_(file), diags_(diags) {
  std::map<std::string, const ast::Param*> first;
  for (const ast::Param& p : file.params) {
    auto [it, inserted] = first.emplace(p.name.text, &p);
    if (!inserted) {
      diags_->Error(file_.source, p.name.range, "duplicate parameter '" + p.name.text + "'")
          .Note(it->second->name.range, "first declared here");
      continue;
    }
    resolving_param_ = &p;
    std::optional<Value> v = Resolve(p.value);  // may use parameters declared before
    resolving_param_ = nullptr;
    param_names_.push_back(p.name.text);
    if (!v) continue;
    for (const ParamOverride& o : overrides) {
      if (o.name != p.name.text) continue;
      if (v->is_string()) {
        v = Value::String(o.value);
        continue;
      }
      std::optional<Value> given = ParseLiteral(o.value);
      if (given) *given = Coerce(*given, v->type == ValueType::kFloat ? ParamType::kFloat : ParamType::kString);
      if (!given || given->type != v->type) {
        std::string type(TypeName(v->type));
        bool vowel = std::string("aeiou").find(type[0]) != std::string::npos;
        diags_->Error(nullptr, {},
                      "-p " + o.name + "=" + o.value + ": expected " + (vowel ? "an " : "a ") + type +
                          " like the default " + v->ToSource());
        continue;
      }
      v = given;
    }
    param_extents_[p.name.text] = Measure(*v);
    params_[p.name.text] = std::move(*v);
  }
}

Resolver::Extent Resolver::Measure(const Value& v) {
  // Recursion is bounded: every list here was read or built within
  // kMaxListDepth levels.
  if (v.type == ValueType::kString) return {v.str.size(), 0};
  if (v.type != ValueType::kList) return {sizeof(int64_t), 0};
  Extent out{0, 1};
  for (const Value& item : v.list) {
    Extent e = Measure(item);
    out.bytes += e.bytes + 1;
    out.depth = std::max(out.depth, e.depth + 1);
  }
  return out;
}

bool Resolver::Charge(size_t bytes, SourceRange r) {
  expanded_bytes_ += bytes;
  if (expanded_bytes_ <= kMaxExpandedBytes) return true;
  if (!budget_reported_) {
    budget_reported_ = true;
    Error(r, "parameters expand to more than 16 MiB in this file");
  }
  return false;
}

std::optional<Value> Resolver::Resolve(const ast::Expr& e) {
  Extent extent;
  return Resolve(e, &extent);
}

std::optional<Value> Resolver::Resolve(const ast::Expr& e, Extent* extent) {
  static_assert(kMaxListDepth == 64 && kMaxValueBytes == size_t{1} << 20 && kMaxExpandedBytes == size_t{16} << 20,
                "keep the messages and smc-topo(5) in step");
  auto lookup = [&](const std::string& name, SourceRange r) -> const Value* {
    auto it = params_.find(name);
    if (it != params_.end()) return &it->second;
    bool declared = false, later = false;
    for (const ast::Param& p : file_.params) {
      if (p.name.text == name) {
        declared = true;
        later = resolving_param_ && p.range.begin > resolving_param_->range.begin;
      }
    }
    if (later) {
      Error(r, "parameter '" + name + "' is used before its declaration");
    } else if (!declared) {
      std::vector<std::string> names;
      for (const ast::Param& p : file_.params) names.push_back(p.name.text);
      Error(r, "undefined parameter '" + name + "'" + DidYouMean(name, names));
    }
    // A declared parameter without a value already has its own error.
    return nullptr;
  };
  auto IsLocal = [&](const std::string& name) {
    return std::find(locals_.begin(), locals_.end(), name) != locals_.end();
  };
  switch (e.kind) {
    case ast::Expr::Kind::kLiteral: *extent = Measure(e.literal); return e.literal;
    case ast::Expr::Kind::kParamRef: {
      if (IsLocal(e.param)) return Value::String("${" + e.param + "}");
      const Value* v = lookup(e.param, e.range);
      if (!v) return std::nullopt;
      *extent = param_extents_[e.param];
      if (!Charge(extent->bytes, e.range)) return std::nullopt;
      return *v;
    }
    case ast::Expr::Kind::kString: {
      std::string s;
      bool ok = true;
      for (const ast::StringPiece& p : e.pieces) {
        if (!p.is_param) {
          s += p.text;
        } else if (IsLocal(p.text)) {
          s += "${" + p.text + "}";
        } else if (const Value* v = lookup(p.text, p.range)) {
          std::string text = v->ToText();
          if (!Charge(text.size(), p.range)) return std::nullopt;
          if (s.size() + text.size() > kMaxValueBytes) {
            Error(e.range, "string is longer than 1 MiB after expanding parameters");
            return std::nullopt;
          }
          s += text;
        } else {
          ok = false;
        }
      }
      if (!ok) return std::nullopt;
      *extent = {s.size(), 0};
      return Value::String(std::move(s));
    }
    case ast::Expr::Kind::kList: {
      std::vector<Value> items;
      bool ok = true;
      Extent total{0, 1};
      for (const ast::Expr& item : e.items) {
        Extent item_extent;
        std::optional<Value> v = Resolve(item, &item_extent);
        if (!v) {
          ok = false;
          continue;
        }
        total.bytes += item_extent.bytes + 1;
        total.depth = std::max(total.depth, item_extent.depth + 1);
        if (total.depth > kMaxListDepth) {
          Error(e.range, "lists nest deeper than 64 levels after expanding parameters");
          return std::nullopt;
        }
        if (total.bytes > kMaxValueBytes) {
          Error(e.range, "list is longer than 1 MiB after expanding parameters");
          return std::nullopt;
        }
        items.push_back(std::move(*v));
      }
      if (!ok) return std::nullopt;
      *extent = total;
      return Value::List(std::move(items));
    }
  }
  return std::nullopt;
}

std::optional<std::string> Resolver::CheckType(const Value& v, ParamType type, const std::vector<std::string>& choices,
                                               const std::string& what) {
  auto expected = [&](std::string_view desc) {
    return what + " must be " + std::string(desc) + ", got " + std::string(TypeName(v.type)) + " " + v.ToSource();
  };
  switch (type) {
    case ParamType::kString:
    case ParamType::kField:
      if (!v.is_string()) return expected(ParamTypeDescription(type));
      return std::nullopt;
    case ParamType::kInt:
      if (v.type != ValueType::kInt) return expected("an integer");
      return std::nullopt;
    case ParamType::kFloat:
      if (v.type != ValueType::kInt && v.type != ValueType::kFloat) return expected("a number");
      return std::nullopt;
    case ParamType::kBool:
      if (v.type != ValueType::kBool) return expected("a boolean");
      return std::nullopt;
    case ParamType::kDuration:
      if (v.type != ValueType::kDuration) return expected("a duration such as 250ms or 5s");
      return std::nullopt;
    case ParamType::kDurationOrInt:
      if (v.type != ValueType::kDuration && v.type != ValueType::kInt) {
        return expected("a duration such as 10s or a number of tuples");
      }
      return std::nullopt;
    case ParamType::kSize:
      if (v.type != ValueType::kSize && v.type != ValueType::kInt) return expected("a size such as 64KiB");
      return std::nullopt;
    case ParamType::kStringList:
    case ParamType::kFieldList:
      if (!IsStringList(v)) return expected(ParamTypeDescription(type));
      return std::nullopt;
    case ParamType::kStringOrList:
      if (!v.is_string() && !IsStringList(v)) return expected(ParamTypeDescription(type));
      return std::nullopt;
    case ParamType::kIntList: {
      bool ints = v.type == ValueType::kList;
      for (const Value& e : v.list) ints = ints && e.type == ValueType::kInt;
      if (!ints) return expected(ParamTypeDescription(type));
      return std::nullopt;
    }
    case ParamType::kEnum:
      if (!v.is_string()) return expected("one of " + Quoted(choices));
      for (const std::string& c : choices) {
        if (c == v.str) return std::nullopt;
      }
      return what + " must be " + Quoted(choices) + ", got '" + v.str + "'" + DidYouMean(v.str, choices);
  }
  return std::nullopt;
}

bool Resolver::Bind(const std::string& what, const std::vector<ParamSpec>& params, const std::vector<ast::Arg>& args,
                    SourceRange name_range, BoundArgs* out) {
  int errors_before = diags_->error_count();
  std::vector<std::string> names;
  for (const ParamSpec& p : params) names.push_back(p.name);
  std::map<std::string, SourceRange> given_at;
  size_t positional = 0;
  bool seen_named = false;
  bool unknown_name = false;  // then a "missing" argument is most likely that one, misspelt
  for (const ast::Arg& a : args) {
    const ParamSpec* spec = nullptr;
    if (a.name) {
      seen_named = true;
      for (const ParamSpec& p : params) {
        if (p.name == a.name->text) spec = &p;
      }
      if (!spec) {
        Error(a.name->range,
              "'" + what + "' has no parameter '" + a.name->text + "'" + DidYouMean(a.name->text, names));
        unknown_name = true;
        continue;
      }
    } else {
      if (seen_named) {
        Error(a.range, "positional argument after a named one");
        continue;
      }
      if (positional >= params.size()) {
        Error(a.range, "too many arguments to '" + what + "': it takes " + std::to_string(params.size()));
        continue;
      }
      spec = &params[positional++];
    }
    auto [it, inserted] = given_at.emplace(spec->name, a.range);
    if (!inserted) {
      diags_->Error(file_.source, a.range, "duplicate argument '" + spec->name + "'")
          .Note(it->second, "first given here");
      continue;
    }
    std::optional<Value> v = Resolve(a.value);
    if (!v) continue;
    if (auto problem = CheckType(*v, spec->type, spec->choices, "argument '" + spec->name + "' of '" + what + "'")) {
      Error(a.value.range, *problem);
      continue;
    }
    (*out)[spec->name] = {Coerce(*v, spec->type), a.value.range, true};
  }
  for (const ParamSpec& p : params) {
    if (out->count(p.name) || given_at.count(p.name)) continue;
    if (p.default_value) {
      (*out)[p.name] = {*p.default_value, name_range, false};
    } else if (p.required && !unknown_name) {
      Error(name_range, "missing required argument '" + p.name + "' of '" + what + "'");
    }
  }
  return diags_->error_count() == errors_before;
}

bool Resolver::StandInNames(const std::string& what, const std::vector<ast::Arg>& args, SourceRange name_range,
                            const std::string& example, std::string texts[2], SourceRange ranges[2]) {
  static const char* const kRoles[] = {"the library", "the name of the component in it"};
  static const char* const kNames[] = {"library", "component"};
  for (int k = 0; k < 2; ++k) {
    const ast::Arg* arg = nullptr;  // positional, or named as the stand-in's parameter
    if (args.size() > static_cast<size_t>(k) && !args[k].name) arg = &args[k];
    for (const ast::Arg& a : args) {
      if (!arg && a.name && a.name->text == kNames[k]) arg = &a;
    }
    std::string which = std::string(kRoles[k]) + " as its " + (k == 0 ? "first" : "second") + " argument";
    if (!arg) {
      Error(args.size() > static_cast<size_t>(k) ? args[k].range : name_range,
            "'" + what + "' takes " + which + ", a string, such as " + example);
      return false;
    }
    std::optional<Value> v = Resolve(arg->value);
    if (!v) return false;
    if (!v->is_string() || v->str.empty()) {
      Error(arg->value.range, "'" + what + "' takes " + which + ", a non-empty string, such as " + example);
      return false;
    }
    texts[k] = v->str;
    ranges[k] = arg->value.range;
  }
  return true;
}

void Resolver::ResolveSettings(const std::vector<ast::Setting>& settings, unsigned scope,
                               std::map<std::string, Value>* out) {
  std::vector<std::string> allowed;
  for (const SettingSpec& s : AllSettings()) {
    if (s.scopes & scope) allowed.push_back(s.key);
  }
  std::map<std::string, SourceRange> seen;
  for (const ast::Setting& s : settings) {
    const SettingSpec* spec = FindSetting(s.key.text);
    if (scope == kScopeComponent && s.key.text == "parallelism") {
      Error(s.key.range, "the parallelism of a component is written 'xN' after its implementation, such as 'x3'");
      continue;
    }
    if (spec && !(spec->scopes & scope)) {
      static const std::pair<unsigned, const char*> kPlaces[] = {{kScopeTopology, "topologies"},
                                                                 {kScopeComponent, "components"},
                                                                 {kScopeTasks, "tasks blocks"},
                                                                 {kScopeTask, "tasks"}};
      std::string places, here;
      for (const auto& [bit, name] : kPlaces) {
        if (spec->scopes & bit) places += (places.empty() ? "" : " and ") + std::string(name);
        if (scope == bit) here = name;
      }
      Error(s.key.range, "'" + s.key.text + "' is a setting of " + places + ", not of " + here);
      continue;
    }
    if (!spec && IsConfKey(s.key.text) && (scope == kScopeTopology || scope == kScopeComponent)) {
      // Storm configuration for the components (multi-lang handshakes): any value, passed on as it is.
      auto [it, inserted] = seen.emplace(s.key.text, s.key.range);
      if (!inserted) {
        diags_->Error(file_.source, s.key.range, "duplicate setting '" + s.key.text + "'")
            .Note(it->second, "first set here");
        continue;
      }
      if (std::optional<Value> v = Resolve(s.value)) (*out)[s.key.text] = *v;
      continue;
    }
    if (!spec) {
      std::string where = scope == kScopeTopology    ? "a topology"
                          : scope == kScopeComponent ? "a component"
                          : scope == kScopeTasks     ? "a tasks block"
                                                     : "a task";
      Error(s.key.range, "unknown setting '" + s.key.text + "' for " + where + DidYouMean(s.key.text, allowed));
      continue;
    }
    auto [it, inserted] = seen.emplace(s.key.text, s.key.range);
    if (!inserted) {
      diags_->Error(file_.source, s.key.range, "duplicate setting '" + s.key.text + "'")
          .Note(it->second, "first set here");
      continue;
    }
    std::optional<Value> v = Resolve(s.value);
    if (!v) continue;
    if (auto problem = CheckType(*v, spec->type, spec->choices, "setting '" + s.key.text + "'")) {
      Error(s.value.range, *problem);
      continue;
    }
    Value value = Coerce(*v, spec->type);
    bool ranged = spec->type == ParamType::kInt || spec->type == ParamType::kDuration || spec->type == ParamType::kSize;
    if (ranged && (value.num < spec->min || (spec->max > 0 && value.num > spec->max))) {
      Value lo = value, hi = value;
      lo.num = spec->min;
      hi.num = spec->max;
      Error(s.value.range,
            "setting '" + s.key.text + "' must be " +
                (spec->max > 0 ? "between " + lo.ToText() + " and " + hi.ToText() : "at least " + lo.ToText()) +
                ", got " + std::string(file_.source->Slice(s.value.range)));
      continue;
    }
    (*out)[s.key.text] = value;
  }
}

void CheckOverrides(const std::vector<const ast::File*>& files, const std::vector<ParamOverride>& overrides,
                    Diagnostics* diags) {
  std::vector<std::string> declared;
  for (const ast::File* f : files) {
    for (const ast::Param& p : f->params) declared.push_back(p.name.text);
  }
  for (const ParamOverride& o : overrides) {
    bool found = false;
    for (const std::string& d : declared) found |= d == o.name;
    if (!found) {
      diags->Error(nullptr, {},
                   "-p " + o.name + "=" + o.value + ": no parameter '" + o.name + "' is declared" +
                       DidYouMean(o.name, declared));
    }
  }
}

}  // namespace smc
