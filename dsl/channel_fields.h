// Channel field inference (private to dsl/).
//
// A channel spout (a spec with `channel_arg`) emits the fields that the
// channel's sink in the same file reads: the first such sink in file order.
// ChannelFields finds every channel end of a file, orders the topologies so
// that a sink's topology is validated before the topologies that read its
// channel (Kahn's algorithm over topologies, ties in file order; when only
// topologies whose channels go round a cycle are left, one on the cycle goes
// next), and records the fields each sink reads once its topology is
// validated. No recursion. Not thread-safe; one per validation.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/catalog.h"
#include "dsl/graph.h"
#include "dsl/resolve.h"

namespace smc {

class ChannelFields {
 public:
  ChannelFields(const ast::File& file, const Catalog& catalog, const Resolver& resolver);

  /// Indices into file.topologies, in the order to validate them.
  const std::vector<size_t>& order() const { return order_; }

  /// The channel `c` is an end of, when its spec has a channel argument and
  /// the argument's value can be read without diagnostics.
  std::optional<std::string> ChannelOf(const ast::Component& c) const;

  enum class State {
    kNoSink,   // no sink in this file sends into the channel
    kPending,  // its sink's topology is not validated yet (a cycle of channels)
    kUnknown,  // its sink's topology is validated, but what the sink reads is not known (its own errors)
    kKnown,
  };
  struct Lookup {
    State state = State::kNoSink;
    std::vector<std::string> fields;  // kKnown
  };
  /// What is known of the fields `channel` carries.
  Lookup Fields(const std::string& channel) const;

  /// Records what the channel sinks of topology `t` (an index into
  /// file.topologies) read, from its validated graph.
  void Record(size_t t, const GraphTopology& graph);

 private:
  std::optional<Value> ResolveQuietly(const ast::Expr& e) const;

  struct Sink {
    size_t topology = 0;
    const ast::Component* component = nullptr;
    bool validated = false;
    std::optional<std::vector<std::string>> fields;
  };

  const ast::File& file_;
  const Catalog& catalog_;
  const Resolver& resolver_;
  std::map<std::string, Sink> sinks_;            // channel name -> its first sink
  std::vector<std::vector<Sink*>> by_topology_;  // into sinks_, per topology
  std::vector<size_t> order_;
};

}  // namespace smc
