#include "dsl/channel_fields.h"

#include <functional>
#include <queue>

namespace smc {

ChannelFields::ChannelFields(const ast::File& file, const Catalog& catalog, const Resolver& resolver)
    : file_(file), catalog_(catalog), resolver_(resolver) {
  const size_t n = file.topologies.size();
  for (size_t t = 0; t < n; ++t) {
    for (const ast::Component& c : file.topologies[t].components) {
      if (c.kind != ComponentKind::kSink) continue;
      if (auto name = ChannelOf(c)) sinks_.emplace(*name, Sink{t, &c, false, std::nullopt});  // the first one stays
    }
  }
  by_topology_.resize(n);
  for (auto& [name, sink] : sinks_) by_topology_[sink.topology].push_back(&sink);
  // Edges: the topology of a channel's sink -> each topology reading it.
  std::vector<std::vector<size_t>> readers(n), writers(n);
  std::vector<size_t> indegree(n, 0);
  for (size_t t = 0; t < n; ++t) {
    for (const ast::Component& c : file.topologies[t].components) {
      if (c.kind != ComponentKind::kSpout) continue;
      auto name = ChannelOf(c);
      if (!name) continue;
      auto sink = sinks_.find(*name);
      if (sink == sinks_.end()) continue;
      readers[sink->second.topology].push_back(t);
      writers[t].push_back(sink->second.topology);
      ++indegree[t];
    }
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;  // lowest index first
  for (size_t t = 0; t < n; ++t) {
    if (indegree[t] == 0) ready.push(t);
  }
  std::vector<bool> placed(n, false);
  std::vector<size_t> seen_in_walk(n, 0);
  size_t walk = 0, lowest_unplaced = 0;
  while (order_.size() < n) {
    if (ready.empty()) {
      // Stuck: every topology left reads a channel whose sink's topology is
      // left too. Walk back from the first one left through the sinks of its
      // channels until a topology repeats: it lies on a cycle of channels,
      // and goes next (its spouts on the cycle must declare their fields).
      while (placed[lowest_unplaced]) ++lowest_unplaced;
      ++walk;
      size_t t = lowest_unplaced;
      while (seen_in_walk[t] != walk) {
        seen_in_walk[t] = walk;
        size_t next = t;
        for (size_t w : writers[t]) {
          if (!placed[w]) {
            next = w;
            break;
          }
        }
        t = next;
      }
      indegree[t] = 0;
      ready.push(t);
    }
    size_t t = ready.top();
    ready.pop();
    if (placed[t]) continue;
    placed[t] = true;
    order_.push_back(t);
    for (size_t r : readers[t]) {
      if (indegree[r] > 0 && --indegree[r] == 0) ready.push(r);
    }
  }
}

std::optional<std::string> ChannelFields::ChannelOf(const ast::Component& c) const {
  const ComponentSpec* spec = catalog_.Find(c.kind, c.impl.name.text);
  if (!spec || spec->channel_arg.empty()) return std::nullopt;
  size_t position = 0;
  while (position < spec->params.size() && spec->params[position].name != spec->channel_arg) ++position;
  const ast::Arg* arg = nullptr;
  size_t positional = 0;
  for (const ast::Arg& a : c.impl.args) {
    if (a.name) {
      if (a.name->text == spec->channel_arg) arg = &a;
    } else if (positional++ == position) {
      arg = &a;
    }
  }
  if (!arg) return std::nullopt;
  std::optional<Value> v = ResolveQuietly(arg->value);
  if (!v || !v->is_string()) return std::nullopt;
  return v->str;
}

std::optional<Value> ChannelFields::ResolveQuietly(const ast::Expr& e) const {
  const std::map<std::string, Value>& params = resolver_.params();
  if (e.kind == ast::Expr::Kind::kLiteral) return e.literal;
  if (e.kind == ast::Expr::Kind::kParamRef) {
    auto it = params.find(e.param);
    if (it == params.end()) return std::nullopt;
    return it->second;
  }
  if (e.kind == ast::Expr::Kind::kString) {
    std::string s;
    for (const ast::StringPiece& p : e.pieces) {
      if (!p.is_param) {
        s += p.text;
        continue;
      }
      auto it = params.find(p.text);
      if (it == params.end()) return std::nullopt;
      s += it->second.ToText();
      if (s.size() > kMaxValueBytes) return std::nullopt;  // the resolver reports it
    }
    return Value::String(std::move(s));
  }
  return std::nullopt;
}

ChannelFields::Lookup ChannelFields::Fields(const std::string& channel) const {
  auto it = sinks_.find(channel);
  if (it == sinks_.end()) return {State::kNoSink, {}};
  const Sink& sink = it->second;
  if (!sink.validated) return {State::kPending, {}};
  if (!sink.fields) return {State::kUnknown, {}};
  return {State::kKnown, *sink.fields};
}

void ChannelFields::Record(size_t t, const GraphTopology& graph) {
  if (t >= by_topology_.size() || by_topology_[t].empty()) return;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < graph.components.size(); ++i) index.emplace(graph.components[i].name, i);
  for (Sink* sink : by_topology_[t]) {
    sink->validated = true;
    auto it = index.find(sink->component->name.text);
    if (it == index.end() || graph.components[it->second].inputs.empty()) continue;
    const GraphInput& in = graph.components[it->second].inputs.front();
    sink->fields = graph.components[in.source].outputs[in.stream].fields;
  }
}

}  // namespace smc
