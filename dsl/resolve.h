// Resolving values (private to dsl/): parameters, expressions, arguments.
//
// A Resolver knows a file's parameters and turns AST expressions into
// Values, binds argument lists to parameter specs, and checks settings,
// reporting every problem to a Diagnostics list.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/catalog.h"
#include "dsl/diagnostic.h"
#include "dsl/limits.h"
#include "dsl/settings.h"

namespace smc {

/// One `-p NAME=VALUE`.
struct ParamOverride {
  std::string name;
  std::string value;
};

class Resolver {
 public:
  Resolver(const ast::File& file, const std::vector<ParamOverride>& overrides, Diagnostics* diags);

  const std::map<std::string, Value>& params() const { return params_; }

  /// The value of an expression, or nullopt after reporting why not. A value
  /// past kMaxValueBytes or nested past kMaxListDepth after expansion, or an
  /// expansion past the file's kMaxExpandedBytes, is an error.
  std::optional<Value> Resolve(const ast::Expr& e);

  /// An argument bound to its spec, with where it was written.
  struct BoundArg {
    Value value;
    SourceRange range;  // the value as written; the impl name for defaults
    bool given = false;
  };
  using BoundArgs = std::map<std::string, BoundArg>;

  /// Binds `args` to `params` of `what` (an implementation or grouping name):
  /// positional then named, no duplicates, types checked, defaults applied.
  /// Returns false if anything was reported.
  bool Bind(const std::string& what, const std::vector<ParamSpec>& params, const std::vector<ast::Arg>& args,
            SourceRange name_range, BoundArgs* out);

  /// A stand-in's first two arguments (ComponentSpec::resolve): strings
  /// naming a library and a component in it, positional or named `library:`
  /// and `component:`, `example` showing how.
  /// Sets `texts` and `ranges`; false after reporting why not.
  bool StandInNames(const std::string& what, const std::vector<ast::Arg>& args, SourceRange name_range,
                    const std::string& example, std::string texts[2], SourceRange ranges[2]);

  /// Names that `${NAME}` (and `$NAME`) leave in the text as `${NAME}`
  /// instead of expanding: a task template's parameters, while its body is
  /// resolved. Empty: none.
  void SetLocals(std::vector<std::string> names) { locals_ = std::move(names); }

  /// Checks and resolves `settings` allowed in `scope`, over `*out`.
  void ResolveSettings(const std::vector<ast::Setting>& settings, unsigned scope, std::map<std::string, Value>* out);

  /// Checks a value against a type; on mismatch returns the message.
  static std::optional<std::string> CheckType(const Value& v, ParamType type, const std::vector<std::string>& choices,
                                              const std::string& what);

 private:
  void Error(SourceRange r, std::string message) { diags_->Error(file_.source, r, std::move(message)); }

  /// How big a resolved value is: its bytes (as kMaxValueBytes counts them)
  /// and how deeply its lists nest.
  struct Extent {
    size_t bytes = 0;
    int depth = 0;
  };
  static Extent Measure(const Value& v);
  std::optional<Value> Resolve(const ast::Expr& e, Extent* extent);
  // Counts `bytes` copied by an expansion at `r`; false (reported once) past
  // the file's budget.
  bool Charge(size_t bytes, SourceRange r);

  const ast::File& file_;
  Diagnostics* diags_;
  std::map<std::string, Value> params_;
  std::map<std::string, Extent> param_extents_;
  size_t expanded_bytes_ = 0;
  bool budget_reported_ = false;
  std::vector<std::string> param_names_;
  std::vector<std::string> locals_;
  const ast::Param* resolving_param_ = nullptr;  // while resolving a parameter's default
};

/// Reports each override that names a parameter declared in none of `files`.
void CheckOverrides(const std::vector<const ast::File*>& files, const std::vector<ParamOverride>& overrides,
                    Diagnostics* diags);

}  // namespace smc
