// Ordering a topology's components by their inputs, and its cycles (part
// of TopologyChecker: see topology_check.h). Iterative: no recursion on the
// graph's depth.
#include <algorithm>

#include "dsl/topology_check.h"

namespace smc {

std::vector<int> TopologyChecker::TopologicalOrder(std::vector<Work>& work) {
  std::vector<int> indegree(work.size(), 0);
  std::vector<std::vector<int>> consumers(work.size());
  for (size_t i = 0; i < work.size(); ++i) {
    for (int s : work[i].sources) {
      ++indegree[i];
      consumers[s].push_back(static_cast<int>(i));
    }
  }
  std::vector<int> order;
  for (size_t i = 0; i < work.size(); ++i) {
    if (indegree[i] == 0) order.push_back(static_cast<int>(i));
  }
  for (size_t k = 0; k < order.size(); ++k) {
    for (int c : consumers[order[k]]) {
      if (--indegree[c] == 0) order.push_back(c);
    }
  }
  return order;
}

void TopologyChecker::ReportCycles(const ast::Topology& t, std::vector<Work>& work, const std::vector<int>& order,
                                   const std::vector<bool>& reached) {
  std::vector<bool> ordered(work.size(), false);
  for (int i : order) ordered[i] = true;
  std::vector<bool> reported(work.size(), false);
  for (size_t start = 0; start < work.size(); ++start) {
    if (ordered[start] || reported[start]) continue;
    // Walk back through unordered sources until a component repeats.
    std::vector<int> path;
    std::vector<int> pos(work.size(), -1);
    int cur = static_cast<int>(start);
    while (pos[cur] < 0) {
      pos[cur] = static_cast<int>(path.size());
      path.push_back(cur);
      int next = -1;
      for (int s : work[cur].sources) {
        if (!ordered[s]) {
          next = s;
          break;
        }
      }
      cur = next;
    }
    std::vector<int> cycle(path.begin() + pos[cur], path.end());
    std::reverse(cycle.begin(), cycle.end());  // follow the data: source -> consumer
    bool seen = false;
    for (int c : cycle) seen |= reported[c];
    for (int c : path) reported[c] = true;
    if (seen) continue;
    // Start the message at the component declared first.
    auto first = std::min_element(cycle.begin(), cycle.end());
    std::rotate(cycle.begin(), first, cycle.end());
    std::string text;
    for (int c : cycle) {
      text += work[c].ast->name.text + " -> ";
      work[c].on_cycle = true;
    }
    text += work[cycle.front()].ast->name.text;
    const ast::Component& first_on_cycle = *work[cycle.front()].ast;
    if (reached[cycle.front()]) {
      Error(first_on_cycle.name.range, "cycle in topology '" + t.name.text + "': " + text);
    } else {
      // Nothing feeds the cycle: that is the mistake to fix first.
      Error(first_on_cycle.name.range, std::string(KindName(first_on_cycle.kind)) + " '" + first_on_cycle.name.text +
                                           "' is not reachable from any spout: " + "its inputs go round the cycle " +
                                           text);
    }
  }
  for (size_t i = 0; i < work.size(); ++i) {
    if (!ordered[i]) work[i].broken = true;
  }
}

std::vector<bool> TopologyChecker::Reached(const std::vector<Work>& work) {
  std::vector<bool> reached(work.size(), false);
  std::vector<int> stack;
  for (size_t i = 0; i < work.size(); ++i) {
    // A component without inputs, or with a bad one, already has its error:
    // what it feeds is treated as reached, so one mistake gives one message.
    const Work& w = work[i];
    if (w.ast->kind == ComponentKind::kSpout || w.bad_source || w.ast->inputs.empty()) {
      reached[i] = true;
      stack.push_back(static_cast<int>(i));
    }
  }
  std::vector<std::vector<int>> consumers(work.size());
  for (size_t i = 0; i < work.size(); ++i) {
    for (int s : work[i].sources) consumers[s].push_back(static_cast<int>(i));
  }
  while (!stack.empty()) {
    int cur = stack.back();
    stack.pop_back();
    for (int c : consumers[cur]) {
      if (!reached[c]) {
        reached[c] = true;
        stack.push_back(c);
      }
    }
  }
  return reached;
}

}  // namespace smc
