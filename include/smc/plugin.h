// smc plugin API: how a shared library declares the components it offers.
//
// A plugin is a shared library (a CMake MODULE, built against the installed
// headers: `find_package(smc)` and the `smc::plugin` target) used in a .topo
// file as
//
//     bolt b = plugin("libmine.so", "MyBolt", threshold: 3) <- s shuffle
//     ... <- b custom plugin("libmine.so", "ByLength")
//
// The library path is taken from the .topo file's folder when relative, as
// every path in a .topo is. smc loads it once per process, never unloads it,
// and refuses it when it is not a regular file owned by the user or root, or
// when others may write it or its folder.
//
// The library defines one function with SMC_PLUGIN(describe), where
// `describe(Registrar&)` adds every component and grouping with its
// signature: its parameters (name, type, default or required) and its output
// streams. `smc check` validates every use against that signature as it does
// a built-in's (unknown or missing arguments, types, fields, groupings), so a
// wrong use is reported before anything runs.
//
// ABI: what crosses the boundary are the C++ classes of these headers, so a
// plugin must be built with the same C++ compiler family and standard
// library as smc (g++ and libstdc++, C++20) and against the headers of the
// smc that loads it. At load smc first reads Library::abi and
// Library::cxx_abi, and refuses a library built for another ABI with a
// message naming both; kAbiVersion changes whenever these headers change
// incompatibly.
//
// describe runs once, at load; it may throw (std::exception) to refuse to
// load, and the message is reported.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "smc/component.h"
#include "smc/emitter.h"
#include "smc/grouping.h"
#include "smc/tuple.h"

namespace smc::plugin {

/// The version of this API. A library built against another is refused.
inline constexpr uint32_t kAbiVersion = 1;

enum class Kind : uint8_t { kSpout, kBolt, kSink };

/// Parameter types, as smc check verifies them (see smc-topo(5)).
enum class ParamType : uint8_t {
  kString,
  kInt,
  kFloat,  // accepts integers too
  kBool,
  kDuration,  // 250ms, 5s: an int of nanoseconds in Context
  kSize,      // 64KiB: an int of bytes
  kStringList,
  kField,     // a string naming a field of every input stream (checked)
  kFieldList  // a list of such strings
};

/// One parameter. Without a default and not required, a missing argument
/// is absent from Context::args.
struct Param {
  std::string name;
  ParamType type = ParamType::kString;
  bool required = false;
  bool has_default = false;
  Value default_value;       // not a string: strings are in default_text
  std::string default_text;  // kString defaults
  std::string doc;           // one line for messages and manuals

  static Param Required(std::string name, ParamType type, std::string doc = "") {
    Param p;
    p.name = std::move(name);
    p.type = type;
    p.required = true;
    p.doc = std::move(doc);
    return p;
  }
  static Param Optional(std::string name, ParamType type, Value default_value, std::string doc = "") {
    Param p;
    p.name = std::move(name);
    p.type = type;
    p.has_default = true;
    p.default_value = default_value;
    if (default_value.is_string()) p.default_text = std::string(default_value.s);
    p.doc = std::move(doc);
    return p;
  }
  static Param OptionalString(std::string name, std::string default_text, std::string doc = "") {
    Param p;
    p.name = std::move(name);
    p.type = ParamType::kString;
    p.has_default = true;
    p.default_text = std::move(default_text);
    p.default_value.type = Type::kString;
    p.doc = std::move(doc);
    return p;
  }
};

/// One output stream: its name ("default" for the one read as `b`, others
/// as `b.NAME`) and its fields.
struct Stream {
  std::string name;
  std::vector<std::string> fields;
};

/// A component's signature and how to make its instances.
struct ComponentInfo {
  std::string name;  // as the second argument of plugin(...)
  Kind kind = Kind::kBolt;
  std::string summary;
  std::vector<Param> params;    // in positional order (after the library and the name)
  std::vector<Stream> outputs;  // spouts and bolts; none for a sink
  /// Bolts: the outputs are the input's fields (every input must have the
  /// same fields); `outputs` is then ignored.
  bool passthrough = false;
  /// Bolts: inputs are held (with acking) until Tick or Finish has emitted:
  /// an aggregator's inputs are done only when its totals are out.
  bool holds_inputs = false;
  int max_parallelism = 0;                             // 0: no limit of its own
  int64_t default_tick_ns = 0;                         // bolts: the tick period when the topology sets none
  std::function<std::unique_ptr<Spout>()> make_spout;  // kSpout
  std::function<std::unique_ptr<Bolt>()> make_bolt;    // kBolt, kSink
};

/// A custom grouping's signature.
struct GroupingInfo {
  std::string name;
  std::string summary;
  std::vector<Param> params;
  std::function<std::unique_ptr<Grouping>()> make;
};

/// What describe() fills.
class Registrar {
 public:
  template <typename T>
  ComponentInfo& AddSpout(std::string name, std::string summary) {
    ComponentInfo& c = Add(std::move(name), Kind::kSpout, std::move(summary));
    c.make_spout = [] { return std::unique_ptr<Spout>(new T()); };
    return c;
  }
  template <typename T>
  ComponentInfo& AddBolt(std::string name, std::string summary) {
    ComponentInfo& c = Add(std::move(name), Kind::kBolt, std::move(summary));
    c.make_bolt = [] { return std::unique_ptr<Bolt>(new T()); };
    return c;
  }
  template <typename T>
  ComponentInfo& AddSink(std::string name, std::string summary) {
    ComponentInfo& c = Add(std::move(name), Kind::kSink, std::move(summary));
    c.make_bolt = [] { return std::unique_ptr<Bolt>(new T()); };
    return c;
  }
  template <typename T>
  GroupingInfo& AddGrouping(std::string name, std::string summary) {
    groupings_.push_back(std::make_unique<GroupingInfo>());
    GroupingInfo& g = *groupings_.back();
    g.name = std::move(name);
    g.summary = std::move(summary);
    g.make = [] { return std::unique_ptr<Grouping>(new T()); };
    return g;
  }

  const std::vector<std::unique_ptr<ComponentInfo>>& components() const { return components_; }
  const std::vector<std::unique_ptr<GroupingInfo>>& groupings() const { return groupings_; }

 private:
  ComponentInfo& Add(std::string name, Kind kind, std::string summary) {
    components_.push_back(std::make_unique<ComponentInfo>());
    ComponentInfo& c = *components_.back();
    c.name = std::move(name);
    c.kind = kind;
    c.summary = std::move(summary);
    return c;
  }
  std::vector<std::unique_ptr<ComponentInfo>> components_;
  std::vector<std::unique_ptr<GroupingInfo>> groupings_;
};

/// What SMC_PLUGIN exports. `abi` and `cxx_abi` come first and keep their
/// place in every version, so that any smc can read them.
struct Library {
  uint32_t abi;             // kAbiVersion of the headers it was built with
  uint32_t cxx_abi;         // the compiler's C++ ABI (__GXX_ABI_VERSION)
  const char* api_version;  // for messages: "1"
  void (*describe)(Registrar&);
};

}  // namespace smc::plugin

#ifndef __GXX_ABI_VERSION
#error "smc plugins are built with g++ (or a compiler with the same C++ ABI), as smc is"
#endif

/// The library's entry point: `SMC_PLUGIN(describe)` once, in one source
/// file, where `void describe(smc::plugin::Registrar&)` adds its components.
#define SMC_PLUGIN(describe_fn)                                                                                      \
  extern "C" __attribute__((visibility("default"))) const ::smc::plugin::Library* smc_plugin_library() {             \
    static const ::smc::plugin::Library library{::smc::plugin::kAbiVersion, __GXX_ABI_VERSION, "1", &(describe_fn)}; \
    return &library;                                                                                                 \
  }
