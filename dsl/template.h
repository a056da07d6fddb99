// Task templates: binding arguments to a template's parameters and putting
// them into its body (`task resize(path, size = "640x480") = exec(...)`).
//
// A template's body keeps `${PARAM}` in its text (dsl/task_check.cc leaves
// them there); an instance, in a tasks block or submitted by `smc submit`,
// replaces each by its argument's text. The checks and their messages are
// the same for both: an unknown argument (with did-you-mean), a duplicate,
// a missing required one.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dsl/graph.h"

namespace smc {

/// `text` with every `${NAME}` whose NAME is a key of `values` replaced by
/// its value; any other text (other `${...}` included) is kept as is.
/// Single pass: a value's own `${...}` is not expanded again.
std::string SubstituteParams(const std::string& text, const std::map<std::string, std::string>& values);

/// The same on every string of a value (list items included).
Value SubstituteParams(const Value& v, const std::map<std::string, std::string>& values);

/// Binds NAME=VALUE arguments to `t`'s parameters, defaults applied. On a
/// problem, nullopt with `*error` set to one line per problem (without a
/// trailing newline).
std::optional<std::map<std::string, std::string>> BindTemplateArgs(
    const GraphTemplate& t, const std::vector<std::pair<std::string, std::string>>& args, std::string* error);

/// The task that `t` with bound `values` runs, named `name`.
GraphTask InstantiateTemplate(const GraphTemplate& t, const std::map<std::string, std::string>& values,
                              const std::string& name);

/// The template `name` of a block: one of its templates, or one of its
/// plain tasks as a template without parameters. nullopt when neither.
std::optional<GraphTemplate> FindServable(const GraphTaskGraph& tg, const std::string& name);

/// Every name FindServable accepts, in declaration order (templates first).
std::vector<std::string> ServableNames(const GraphTaskGraph& tg);

}  // namespace smc
