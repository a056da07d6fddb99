// smc plugin API: custom groupings, used as `custom plugin("lib.so", "Name", args)`.
//
// A grouping chooses which instances of the reading component get each
// tuple. One Grouping object is made per producing instance and
// subscription; it is prepared once and then called by one thread at a time.
// Part of smc's public plugin API (see smc/plugin.h).
#pragma once

#include <string>
#include <vector>

#include "smc/component.h"
#include "smc/tuple.h"

namespace smc::plugin {

class Grouping {
 public:
  virtual ~Grouping() = default;
  /// Called once before any tuple: `targets` instances read the stream,
  /// whose fields are `fields`; `args` holds the grouping's arguments.
  virtual void Prepare(int targets, const std::vector<Argument>& args, const std::vector<std::string>& fields) {}
  /// Appends the chosen instances of `tuple` (each in [0, targets)) to `out`,
  /// which the caller cleared. Choosing none is an error that fails the run
  /// (smc never drops a tuple silently); an index out of range, too.
  virtual void Choose(const Tuple& tuple, std::vector<int>* out) = 0;
};

}  // namespace smc::plugin
