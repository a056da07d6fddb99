// The three kinds of component: spouts produce, bolts transform, sinks consume.
#pragma once

#include <string_view>

namespace smc {

enum class ComponentKind { kSpout, kBolt, kSink };

/// "spout", "bolt" or "sink".
std::string_view KindName(ComponentKind k);

}  // namespace smc
