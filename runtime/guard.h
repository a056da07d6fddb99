// The node guard: the one place where what a component throws stops.
//
// Every call into a component (Open, Next, Execute, Poll, Tick, Finish) runs
// inside Guarded(). Nothing may escape a flow-graph node (oneTBB would cancel
// the graph and rethrow from wait_for_all, far from the component) or a
// spout's thread (std::terminate): the guard turns any throw, std::exception
// or not, into the text (and whether it was an IoError) the job reports with the component's name before it
// stops the whole graph.
#pragma once

#include <exception>
#include <string>

#include "runtime/component.h"

namespace smc::rt {

/// What is reported for a throw that is not a std::exception.
inline constexpr const char* kUnknownThrow = "threw something that is not a std::exception";

/// The outcome of a guarded call.
struct Escaped {
  bool failed = false;
  bool io = false;   // it was an IoError
  std::string what;  // the exception's text (empty if even copying it failed)
  explicit operator bool() const { return failed; }
};

/// Runs `body()`; says whether something escaped it, and what.
template <typename F>
Escaped Guarded(F&& body) noexcept {
  Escaped out;
  try {
    body();
    return out;
  } catch (const IoError& e) {
    out.failed = true;
    out.io = true;
    try {
      out.what = e.what();
    } catch (...) {
    }
  } catch (const std::exception& e) {
    out.failed = true;
    try {
      out.what = e.what();
    } catch (...) {
    }
  } catch (...) {
    out.failed = true;
    try {
      out.what = kUnknownThrow;
    } catch (...) {
    }
  }
  return out;
}

}  // namespace smc::rt
