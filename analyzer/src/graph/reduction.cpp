// The grant phase of Bracha–Toueg generalised deadlock detection over an AND-OR
// wait-for graph (docs/wait-semantics.md, "Reduction"):
//
//   free := agents that run, are runnable, or wait on the outside world
//   while some u is newly free: grant u in every waiter's condition
//     (AND: one fewer target missing; OR: satisfied); a satisfied waiter is free
//   stuck := blocked agents never freed
//
// Ended agents are never free, so they grant nothing: a lock held by a thread
// that exited stays held.
#include <vector>

#include "taskscope/analyzer/wait_for_graph.hpp"

namespace taskscope::analyzer {

StuckSet reduce(const WaitForGraph& graph) {
  const auto& nodes = graph.nodes();
  const size_t n = nodes.size();
  std::vector<std::vector<uint32_t>> waiters(n);  // reverse edges
  std::vector<uint32_t> missing(n, 0);            // AND: targets not yet granted
  std::vector<bool> freed(n, false);
  std::vector<uint32_t> work;
  for (uint32_t v = 0; v < n; ++v) {
    const WaitNode& node = nodes[v];
    if (node.status == NodeStatus::kFree) {
      freed[v] = true;
      work.push_back(v);
      continue;
    }
    if (node.status != NodeStatus::kBlocked) continue;
    missing[v] = static_cast<uint32_t>(node.edges.size());
    for (const WaitEdge& edge : node.edges) waiters[edge.to].push_back(v);
  }
  while (!work.empty()) {
    const uint32_t u = work.back();
    work.pop_back();
    for (uint32_t v : waiters[u]) {
      if (freed[v]) continue;
      const bool satisfied = nodes[v].condition == Condition::kOr || --missing[v] == 0;
      if (satisfied) {
        freed[v] = true;
        work.push_back(v);
      }
    }
  }
  StuckSet result;
  result.stuck.assign(n, false);
  for (uint32_t v = 0; v < n; ++v) {
    if (nodes[v].status == NodeStatus::kBlocked && !freed[v]) {
      result.stuck[v] = true;
      result.members.push_back(v);
    }
  }
  return result;
}

}  // namespace taskscope::analyzer
