// channel(name): joins topologies in separate processes through shared memory.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec ChannelSpoutSpec() {
  ComponentSpec s;
  s.name = "channel";
  s.kind = ComponentKind::kSpout;
  s.summary = "receives the tuples a channel sink of the same name sends, from any process";
  s.params = {Required("name", ParamType::kString, "the channel's name")};
  s.outputs_doc = "the fields its sink in the same file sends, otherwise as declared with '->'";
  s.max_parallelism = 1;
  return s;
}

ComponentSpec ChannelSinkSpec() {
  ComponentSpec s;
  s.name = "channel";
  s.kind = ComponentKind::kSink;
  s.summary = "sends every tuple it receives to the channel spout of the same name";
  s.params = {Required("name", ParamType::kString, "the channel's name")};
  s.max_parallelism = 1;
  return s;
}

}  // namespace smc::stdlib
