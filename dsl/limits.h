// The size limits of the .topo language (smc-topo(5), "LIMITS").
//
// Every input is hostile: these bound what one file can make the front end
// build, so that `smc check` stays linear in the file and never exhausts the
// stack or memory. Each limit has one diagnostic, stated here beside it.
#pragma once

#include <cstddef>

namespace smc {

/// How deeply lists may nest in one value, as written or after expansion:
/// "lists nest deeper than 64 levels".
inline constexpr int kMaxListDepth = 64;

/// The most bytes one value may hold after its parameters are expanded (a
/// string's length, or a list's items together, plus one per item):
/// "string is longer than 1 MiB after expanding parameters".
inline constexpr size_t kMaxValueBytes = size_t{1} << 20;

/// The most bytes that expanding parameters may copy in one file, in all:
/// "parameters expand to more than 16 MiB in this file".
inline constexpr size_t kMaxExpandedBytes = size_t{16} << 20;

}  // namespace smc
