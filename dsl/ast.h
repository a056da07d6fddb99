// The abstract syntax tree of a .topo file: what the user wrote, nothing more.
//
// Produced by Parse() (parser.h), consumed by Validate() (validator.h). Plain
// structs without behaviour; every node keeps the source range it came from so
// that later stages can point at it. Names are not resolved and values may
// still reference parameters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dsl/component_kind.h"
#include "dsl/source.h"
#include "dsl/value.h"

namespace smc::ast {

/// A name as written, with where it was written.
struct Name {
  std::string text;
  SourceRange range;
};

/// A piece of a string literal: literal text, or `${param}`.
struct StringPiece {
  bool is_param = false;
  std::string text;  // the literal text, or the parameter's name
  SourceRange range;
};

/// A value as written: a literal, a `$param` reference, a string (possibly
/// interpolating parameters) or a list of values.
struct Expr {
  enum class Kind { kLiteral, kString, kParamRef, kList };
  Kind kind = Kind::kLiteral;
  Value literal;                    // kLiteral
  std::vector<StringPiece> pieces;  // kString
  std::string param;                // kParamRef
  std::vector<Expr> items;          // kList
  SourceRange range;
};

/// `name: value` or a positional `value`.
struct Arg {
  std::optional<Name> name;
  Expr value;
  SourceRange range;
};

/// `impl(args)`: a built-in or shell/exec/channel/plugin.
struct Impl {
  Name name;
  std::vector<Arg> args;
  SourceRange range;
};

/// `key = value` in a `set` statement or a `{ ... }` block.
struct Setting {
  Name key;  // dotted: batch.size
  Expr value;
  SourceRange range;
};

/// The grouping of one input: `shuffle`, `fields(a, b)`, `custom name(args)`.
struct Grouping {
  Name name;                   // shuffle, fields, partial, all, global, direct, local, none, custom
  bool has_fields = false;     // written with parentheses
  std::vector<Name> fields;    // fields(...) / partial(...)
  std::optional<Impl> custom;  // custom NAME(args)
  SourceRange range;
};

/// `source[.stream] grouping`.
struct Input {
  Name source;
  std::optional<Name> stream;
  Grouping grouping;
  SourceRange range;
};

/// One output stream declared with `->`.
struct OutputStream {
  Name name;  // "default" for the `-> (a, b)` form (range of the parenthesis)
  std::vector<Name> fields;
  SourceRange range;
};

struct Component {
  ComponentKind kind = ComponentKind::kBolt;
  SourceRange kind_range;
  Name name;
  Impl impl;
  std::optional<int64_t> parallelism;
  SourceRange parallelism_range;
  std::vector<Input> inputs;
  SourceRange inputs_range;  // the `<-` arrow
  bool has_outputs = false;
  std::vector<OutputStream> outputs;
  SourceRange outputs_range;  // the `->` arrow
  std::vector<Setting> settings;
  SourceRange range;
};

struct Topology {
  Name name;
  std::vector<Setting> settings;
  std::vector<Component> components;
  SourceRange range;
};

/// One parameter of a task template: `size = "640x480"` (a default) or `path`.
struct TemplateParam {
  Name name;
  std::optional<Expr> default_value;
};

/// A task, or a task template when declared with parameters (`task
/// resize(path, size = "640x480") = exec(...)`): a template does not run in
/// its block; tasks instantiate it (`task a = resize(path: "a.jpg")`), and
/// workers serve it to `smc submit`.
struct Task {
  Name name;
  std::optional<std::vector<TemplateParam>> params;  // set: a template
  Impl impl;
  std::vector<Name> after;
  std::vector<Setting> settings;
  SourceRange range;
};

struct TaskGraph {
  Name name;
  std::vector<Setting> settings;
  std::vector<Task> tasks;
  SourceRange range;
};

struct Param {
  Name name;
  Expr value;
  SourceRange range;
};

/// A whole file, in the order things were declared.
struct File {
  SourceFilePtr source;
  std::vector<Param> params;
  std::vector<Topology> topologies;
  std::vector<TaskGraph> task_graphs;
};

}  // namespace smc::ast
