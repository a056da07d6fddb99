// The component catalog: the signatures the validator checks every use against.
//
// A ComponentSpec states a built-in's kind, its parameters (name, type,
// default, required) and how its output streams follow from its arguments and
// its input fields; a TaskSpec states a task implementation's parameters. The
// validator names no built-in: what one needs beyond its signature (outputs
// declared with `->`, a channel end) is data here. The standard library (stdlib/) fills a Catalog; tests may
// fill their own. dsl/ only reads it. Not thread-safe while being filled;
// read-only use afterwards is safe from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/component_kind.h"
#include "dsl/value.h"

namespace smc {

enum class ParamType {
  kString,
  kInt,
  kFloat,  // accepts integers too
  kBool,
  kDuration,
  kSize,  // accepts integers (bytes) too
  kStringList,
  kField,         // a string naming a field of every input stream
  kFieldList,     // a list of such strings
  kEnum,          // a string among `choices`
  kStringOrList,  // a string or a list of strings
  kIntList,       // a list of integers
  kDurationOrInt  // a duration or an integer (a window's length: a time or a number of tuples)
};

/// How a parameter type reads in messages and manuals: "an integer", ...
std::string_view ParamTypeDescription(ParamType t);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kString;
  bool required = false;
  std::optional<Value> default_value;  // applied when the argument is missing
  std::vector<std::string> choices;    // kEnum
  std::string doc;                     // one line for the manual
};

/// The resolved arguments of one use, defaults applied.
using ArgMap = std::map<std::string, Value>;

struct StreamSpec {
  std::string name;
  std::vector<std::string> fields;
};

/// Computes output streams from arguments and the fields of the input streams
/// (empty for spouts). Returns false and sets `error` (naming the argument in
/// `error_arg`, or empty) when the combination is invalid.
using OutputsFn = std::function<bool(const ArgMap& args, const std::vector<std::string>& input_fields,
                                     std::vector<StreamSpec>* out, std::string* error, std::string* error_arg)>;

/// What a stand-in's resolver found (see ComponentSpec::resolve): the real
/// signature, owned by the resolver and valid for the process, or why not.
template <typename Spec>
struct Resolved {
  const Spec* spec = nullptr;
  std::string error;    // when spec is null
  int bad_arg = 0;      // which of the two naming arguments `error` is about (0: the library, 1: the name)
  std::string library;  // the library as found (a real path): the graph's `library` argument
};

struct ComponentSpec;
struct GroupingSpec;
/// Finds the signature named by a stand-in's first two arguments, as
/// written (`base_dir`: the folder of the .topo file, for a relative path).
using ComponentResolveFn = std::function<Resolved<ComponentSpec>(ComponentKind kind, const std::string& library,
                                                                 const std::string& name, const std::string& base_dir)>;
using GroupingResolveFn = std::function<Resolved<GroupingSpec>(const std::string& library, const std::string& name,
                                                               const std::string& base_dir)>;

struct ComponentSpec {
  std::string name;
  ComponentKind kind = ComponentKind::kBolt;
  std::string summary;              // one line for the manual and `smc help`
  std::vector<ParamSpec> params;    // in positional order
  OutputsFn outputs;                // null for `->`-declared outputs; for a sink, checks its arguments only
  std::string outputs_doc;          // e.g. "(word)" or "(KEY, count), errors(input, reason)"
  bool outputs_from_arrow = false;  // outputs must be declared with `->` (shell, plugin)
  bool passthrough = false;         // outputs are its inputs' fields (identity, filter, ...)
  bool emits_direct = false;        // may emit to `direct` readers (shell): others cannot be read with 'direct'
  int max_parallelism = 0;          // 0: the language's maximum
  /// Non-empty: the field argument (a kField parameter) by whose values the
  /// component keeps state in each instance (count's `key`): with several
  /// instances, each key must reach one of them, so its inputs should be
  /// grouped by that field (smc check warns otherwise).
  std::string keyed_by;
  /// Non-empty: the component is one end of a channel named by this
  /// argument (a string). A sink sends what it reads into the channel; a
  /// spout emits the fields the channel's sink in the same file reads, or,
  /// without such a sink, the fields it declares with `->`.
  std::string channel_arg;
  /// Non-null: a stand-in (`plugin("lib.so", "Name", ...)`): its first two
  /// arguments, which must be strings, name the real component, whose
  /// signature (its params start with those two) `resolve` finds at check
  /// time. The graph keeps the stand-in's name as the implementation.
  ComponentResolveFn resolve;
};

/// A task implementation usable as `task NAME = IMPL(args)` in a tasks block.
struct TaskSpec {
  std::string name;
  std::string summary;            // one line for the manual
  std::vector<ParamSpec> params;  // in positional order
};

/// A custom grouping usable as `custom NAME(args)`.
struct GroupingSpec {
  std::string name;
  std::string summary;
  std::vector<ParamSpec> params;
  GroupingResolveFn resolve;  // as ComponentSpec::resolve, for `custom plugin(...)`
};

class Catalog {
 public:
  void Add(ComponentSpec spec);
  void AddGrouping(GroupingSpec spec);
  void AddTask(TaskSpec spec);

  /// The spec of `name` for `kind`, or null.
  const ComponentSpec* Find(ComponentKind kind, std::string_view name) const;
  /// Every spec named `name`, of any kind.
  std::vector<const ComponentSpec*> FindAnyKind(std::string_view name) const;
  const GroupingSpec* FindGrouping(std::string_view name) const;
  const TaskSpec* FindTask(std::string_view name) const;

  const std::vector<std::unique_ptr<ComponentSpec>>& components() const { return components_; }
  const std::vector<std::unique_ptr<GroupingSpec>>& groupings() const { return groupings_; }
  const std::vector<std::unique_ptr<TaskSpec>>& tasks() const { return tasks_; }
  /// Distinct component names, sorted.
  std::vector<std::string> Names() const;

 private:
  std::vector<std::unique_ptr<ComponentSpec>> components_;
  std::vector<std::unique_ptr<GroupingSpec>> groupings_;
  std::vector<std::unique_ptr<TaskSpec>> tasks_;
};

}  // namespace smc
