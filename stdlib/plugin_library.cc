#include "stdlib/plugin_library.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "dsl/suggest.h"

namespace smc::stdlib {
namespace {

std::string KindWord(ComponentKind k) {
  return k == ComponentKind::kSpout ? "spout" : k == ComponentKind::kSink ? "sink" : "bolt";
}

ComponentKind KindOf(plugin::Kind k) {
  return k == plugin::Kind::kSpout  ? ComponentKind::kSpout
         : k == plugin::Kind::kSink ? ComponentKind::kSink
                                    : ComponentKind::kBolt;
}

std::string Join(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s.empty() ? "none" : s;
}

// The plugin's parameter as the validator's, with its default.
ParamSpec ToParamSpec(const plugin::Param& p, const std::string& component) {
  ParamSpec s;
  s.name = p.name;
  s.required = p.required;
  s.doc = p.doc;
  using PT = plugin::ParamType;
  switch (p.type) {
    case PT::kString: s.type = ParamType::kString; break;
    case PT::kInt: s.type = ParamType::kInt; break;
    case PT::kFloat: s.type = ParamType::kFloat; break;
    case PT::kBool: s.type = ParamType::kBool; break;
    case PT::kDuration: s.type = ParamType::kDuration; break;
    case PT::kSize: s.type = ParamType::kSize; break;
    case PT::kStringList: s.type = ParamType::kStringList; break;
    case PT::kField: s.type = ParamType::kField; break;
    case PT::kFieldList: s.type = ParamType::kFieldList; break;
    default:
      throw std::runtime_error("parameter '" + p.name + "' of '" + component + "' has an unknown type (" +
                               std::to_string(static_cast<int>(p.type)) + ")");
  }
  if (!p.has_default || p.required) return s;
  const plugin::Value& d = p.default_value;
  auto wrong = [&](const char* want) {
    return std::runtime_error("the default of parameter '" + p.name + "' of '" + component + "' is not " + want);
  };
  switch (s.type) {
    case ParamType::kString:
    case ParamType::kField: s.default_value = Value::String(p.default_text); break;
    case ParamType::kInt:
      if (d.type != plugin::Type::kInt) throw wrong("an integer");
      s.default_value = Value::Int(d.i);
      break;
    case ParamType::kFloat:
      if (d.type != plugin::Type::kInt && d.type != plugin::Type::kFloat) throw wrong("a number");
      s.default_value = Value::Float(d.AsDouble());
      break;
    case ParamType::kBool:
      if (d.type != plugin::Type::kBool) throw wrong("a boolean");
      s.default_value = Value::Bool(d.i != 0);
      break;
    case ParamType::kDuration:
      if (d.type != plugin::Type::kInt || d.i < 0) throw wrong("a duration (non-negative nanoseconds)");
      s.default_value = Value::Duration(d.i);
      break;
    case ParamType::kSize:
      if (d.type != plugin::Type::kInt || d.i < 0) throw wrong("a size (non-negative bytes)");
      s.default_value = Value::Size(d.i);
      break;
    default: s.default_value = Value::List({}); break;  // lists default to empty
  }
  return s;
}

// The two arguments every use starts with.
std::vector<ParamSpec> NamingParams(const std::string& what) {
  ParamSpec lib{"library", ParamType::kString, true, std::nullopt, {}, "the plugin's shared library"};
  ParamSpec name{"component", ParamType::kString, true, std::nullopt, {}, "the " + what + "'s name in it"};
  return {lib, name};
}

std::vector<ParamSpec> Params(const std::vector<plugin::Param>& params, const std::string& owner,
                              const std::string& what) {
  std::vector<ParamSpec> out = NamingParams(what);
  std::set<std::string> seen = {"library", "component"};
  for (const plugin::Param& p : params) {
    if (p.name.empty()) throw std::runtime_error("'" + owner + "' has a parameter with no name");
    if (!seen.insert(p.name).second) {
      throw std::runtime_error(
          "'" + owner + "' declares parameter '" + p.name + "' twice" +
          (p.name == "library" || p.name == "component" ? " (smc's own first two are named so)" : ""));
    }
    out.push_back(ToParamSpec(p, owner));
  }
  return out;
}

void CheckStreams(const plugin::ComponentInfo& c) {
  std::set<std::string> names;
  for (const plugin::Stream& s : c.outputs) {
    if (s.name.empty()) throw std::runtime_error("'" + c.name + "' declares a stream with no name");
    if (!names.insert(s.name).second)
      throw std::runtime_error("'" + c.name + "' declares stream '" + s.name + "' twice");
    std::set<std::string> fields;
    for (const std::string& f : s.fields) {
      if (f.empty() || !fields.insert(f).second) {
        throw std::runtime_error("stream '" + s.name + "' of '" + c.name + "' has an empty or repeated field");
      }
    }
  }
}

std::unique_ptr<PluginComponent> Convert(const plugin::ComponentInfo& c) {
  auto pc = std::make_unique<PluginComponent>();
  pc->info = &c;
  ComponentSpec& s = pc->spec;
  s.name = c.name;
  s.kind = KindOf(c.kind);
  s.summary = c.summary;
  s.params = Params(c.params, c.name, KindWord(s.kind));
  s.max_parallelism = c.max_parallelism > 0 ? c.max_parallelism : 0;
  bool has_factory = s.kind == ComponentKind::kSpout ? static_cast<bool>(c.make_spout) : static_cast<bool>(c.make_bolt);
  if (!has_factory) throw std::runtime_error("'" + c.name + "' has no factory");
  if (s.kind == ComponentKind::kSink) {
    if (!c.outputs.empty()) throw std::runtime_error("sink '" + c.name + "' declares output streams");
    s.outputs = [](const ArgMap&, const std::vector<std::string>&, std::vector<StreamSpec>* out, std::string*,
                   std::string*) {
      out->clear();
      return true;
    };
    return pc;
  }
  if (c.passthrough && s.kind == ComponentKind::kBolt) {
    s.passthrough = true;
    s.outputs_doc = "the input fields";
    s.outputs = [](const ArgMap&, const std::vector<std::string>& in, std::vector<StreamSpec>* out, std::string*,
                   std::string*) {
      *out = {{"default", in}};
      return true;
    };
    return pc;
  }
  if (c.outputs.empty()) throw std::runtime_error("'" + c.name + "' declares no output stream");
  CheckStreams(c);
  std::vector<StreamSpec> streams;
  for (const plugin::Stream& st : c.outputs) {
    streams.push_back({st.name, st.fields});
    s.outputs_doc += (s.outputs_doc.empty() ? "" : ", ") + (st.name == "default" ? std::string() : st.name) + "(";
    for (size_t i = 0; i < st.fields.size(); ++i) s.outputs_doc += (i ? ", " : "") + st.fields[i];
    s.outputs_doc += ")";
  }
  s.outputs = [streams](const ArgMap&, const std::vector<std::string>&, std::vector<StreamSpec>* out, std::string*,
                        std::string*) {
    *out = streams;
    return true;
  };
  return pc;
}

// Opens the file for loading after checking who may change it. Returns an
// fd (>= 0) or -1 with `*error` set.
int OpenChecked(const std::string& real, std::string* error) {
  int fd = ::open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    *error = std::strerror(errno);
    return -1;
  }
  struct stat st {};
  std::string why;
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    why = "not a regular file";
  } else if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    why = "owned by another user (uid " + std::to_string(st.st_uid) + ")";
  } else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    why = "writable by others (mode " + std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
          std::to_string(st.st_mode & 7) + ")";
  } else {
    std::string dir = real.substr(0, real.rfind('/'));
    struct stat ds {};
    if (::stat(dir.empty() ? "/" : dir.c_str(), &ds) == 0 && (ds.st_mode & S_IWOTH) && !(ds.st_mode & S_ISVTX)) {
      why = "in a folder others may write ('" + dir + "')";
    }
  }
  if (!why.empty()) {
    ::close(fd);
    *error = why;
    return -1;
  }
  return fd;
}

std::unique_ptr<PluginLibrary> Load(const std::string& written, const std::string& real, std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = "cannot load plugin '" + written + "': " + why;
    return nullptr;
  };
  int fd = OpenChecked(real, error);
  if (fd < 0) return fail(*error);
  // Load the path just checked. Nobody else may write the file or its
  // folder, so it names what was checked; the inode is compared again after.
  struct stat checked {};
  ::fstat(fd, &checked);
  ::close(fd);
  ::dlerror();
  void* handle = ::dlopen(real.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* e = ::dlerror();
    return fail(e ? e : "dlopen failed");
  }
  struct stat now {};
  if (::stat(real.c_str(), &now) != 0 || now.st_ino != checked.st_ino || now.st_dev != checked.st_dev) {
    return fail("it changed while it was being loaded");
  }
  using Entry = const plugin::Library* (*)();
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, "smc_plugin_library"));
  if (!entry) return fail("it is not an smc plugin (it defines no smc_plugin_library: see SMC_PLUGIN in smc/plugin.h)");
  const plugin::Library* lib = entry();
  if (!lib) return fail("its smc_plugin_library returned nothing");
  if (lib->abi != plugin::kAbiVersion) {
    return fail("it was built for smc plugin ABI " + std::to_string(lib->abi) + ", and this smc loads ABI " +
                std::to_string(plugin::kAbiVersion) + ": rebuild it against this smc's headers");
  }
  if (lib->cxx_abi != __GXX_ABI_VERSION) {
    return fail("it was built with C++ ABI " + std::to_string(lib->cxx_abi) + ", and this smc with " +
                std::to_string(__GXX_ABI_VERSION) + ": build it with the compiler smc was built with");
  }
  if (!lib->describe) return fail("it describes no components");
  auto out = std::make_unique<PluginLibrary>();
  out->path = real;
  out->written = written;
  try {
    lib->describe(out->registrar);
    std::set<std::pair<int, std::string>> names;
    for (const auto& c : out->registrar.components()) {
      if (c->name.empty()) throw std::runtime_error("a component has no name");
      if (!names.insert({static_cast<int>(c->kind), c->name}).second) {
        throw std::runtime_error("it declares " + KindWord(KindOf(c->kind)) + " '" + c->name + "' twice");
      }
      out->components.push_back(Convert(*c));
    }
    std::set<std::string> groupings;
    for (const auto& g : out->registrar.groupings()) {
      if (g->name.empty() || !g->make) throw std::runtime_error("a grouping has no name or no factory");
      if (!groupings.insert(g->name).second) throw std::runtime_error("it declares grouping '" + g->name + "' twice");
      auto pg = std::make_unique<PluginGrouping>();
      pg->info = g.get();
      pg->spec.name = g->name;
      pg->spec.summary = g->summary;
      pg->spec.params = Params(g->params, g->name, "grouping");
      out->groupings.push_back(std::move(pg));
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  } catch (...) {
    return fail("its describe function threw");
  }
  return out;
}

}  // namespace

const PluginComponent* PluginLibrary::Find(ComponentKind kind, const std::string& name, std::string* error) const {
  std::vector<std::string> same;
  for (const auto& c : components) {
    if (c->spec.kind == kind && c->spec.name == name) return c.get();
    if (c->spec.kind == kind) same.push_back(c->spec.name);
  }
  for (const auto& c : components) {
    if (c->spec.name == name) {
      *error =
          "'" + name + "' in plugin '" + written + "' is a " + KindWord(c->spec.kind) + ", not a " + KindWord(kind);
      return nullptr;
    }
  }
  std::string hint = DidYouMean(name, same);
  *error = "plugin '" + written + "' has no " + KindWord(kind) + " '" + name + "'" +
           (hint.empty() ? "; its " + KindWord(kind) + "s: " + Join(same) : hint);
  return nullptr;
}

const PluginGrouping* PluginLibrary::FindGrouping(const std::string& name, std::string* error) const {
  std::vector<std::string> names;
  for (const auto& g : groupings) {
    if (g->spec.name == name) return g.get();
    names.push_back(g->spec.name);
  }
  std::string hint = DidYouMean(name, names);
  *error = "plugin '" + written + "' has no grouping '" + name + "'" +
           (hint.empty() ? "; its groupings: " + Join(names) : hint);
  return nullptr;
}

const PluginLibrary* LoadPluginLibrary(const std::string& library, const std::string& base_dir, std::string* error) {
  static std::mutex mu;
  static auto* loaded = new std::map<std::string, std::unique_ptr<PluginLibrary>>;  // by real path; never freed
  std::string path = library.front() == '/' || base_dir.empty() ? library : base_dir + "/" + library;
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) {
    *error = "cannot load plugin '" + library + "'" + (path != library ? " (" + path + ")" : "") + ": " +
             std::strerror(errno);
    return nullptr;
  }
  std::string real = buf;
  std::lock_guard<std::mutex> lock(mu);
  auto it = loaded->find(real);
  if (it != loaded->end()) return it->second.get();
  std::unique_ptr<PluginLibrary> lib = Load(library, real, error);
  if (!lib) return nullptr;
  return loaded->emplace(real, std::move(lib)).first->second.get();
}

}  // namespace smc::stdlib
