// Explaining the stuck set: strongly connected components (Tarjan, through
// Boost.Graph) of the subgraph of stuck agents, a shortest cycle in each cyclic
// component (breadth-first search from each member), and for every other stuck
// agent the root cause it waits on — a cycle, or a dead end whose unblockers
// ended or never existed.
#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/strong_components.hpp>
#include <functional>
#include <unordered_map>

#include "taskscope/analyzer/wait_for_graph.hpp"

namespace taskscope::analyzer {

namespace {

using Digraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
constexpr size_t kMaxCycleSearches = 64;

// Shortest cycle through the members of one component, as node indices of
// `local` (vertex ids of the component's own graph).
std::vector<uint32_t> shortest_cycle(const Digraph& local) {
  const size_t n = boost::num_vertices(local);
  std::vector<uint32_t> best;
  for (size_t source = 0; source < n && source < kMaxCycleSearches; ++source) {
    std::vector<Digraph::vertex_descriptor> predecessor(n, Digraph::null_vertex());
    std::vector<size_t> distance(n, 0);
    std::vector<boost::default_color_type> color(n);
    predecessor[source] = source;
    boost::breadth_first_search(
        local, source,
        boost::visitor(boost::make_bfs_visitor(std::make_pair(
                           boost::record_predecessors(predecessor.data(), boost::on_tree_edge()),
                           boost::record_distances(distance.data(), boost::on_tree_edge()))))
            .color_map(color.data()));
    // The closing edge u -> source with the smallest distance to u.
    size_t best_u = n;
    for (size_t u = 0; u < n; ++u) {
      if (predecessor[u] == Digraph::null_vertex()) continue;
      if (!boost::edge(u, source, local).second) continue;
      if (best_u == n || distance[u] < distance[best_u]) best_u = u;
    }
    if (best_u == n) continue;
    if (!best.empty() && distance[best_u] + 1 >= best.size()) continue;
    std::vector<uint32_t> cycle;
    for (size_t v = best_u; v != source; v = predecessor[v])
      cycle.push_back(static_cast<uint32_t>(v));
    cycle.push_back(static_cast<uint32_t>(source));
    std::reverse(cycle.begin(), cycle.end());
    best = std::move(cycle);
    if (best.size() == 1) break;
  }
  return best;
}

}  // namespace

std::vector<StuckGroup> explain(const WaitForGraph& graph, const StuckSet& stuck) {
  std::vector<StuckGroup> groups;
  const auto& members = stuck.members;
  if (members.empty()) return groups;
  std::unordered_map<uint32_t, uint32_t> local_of;  // node -> local vertex
  for (uint32_t i = 0; i < members.size(); ++i) local_of[members[i]] = i;

  Digraph stuck_graph(members.size());
  for (uint32_t i = 0; i < members.size(); ++i)
    for (const WaitEdge& edge : graph.node(members[i]).edges)
      if (auto it = local_of.find(edge.to); it != local_of.end())
        boost::add_edge(i, it->second, stuck_graph);

  std::vector<int> component(members.size());
  const int count = boost::strong_components(stuck_graph, component.data());
  std::vector<std::vector<uint32_t>> by_component(count);
  for (uint32_t i = 0; i < members.size(); ++i) by_component[component[i]].push_back(i);

  // Cyclic components: more than one member, or a self-loop (a relock).
  std::vector<int> group_of_component(count, -1);
  for (int c = 0; c < count; ++c) {
    const auto& locals = by_component[c];
    const bool cyclic = locals.size() > 1 || boost::edge(locals[0], locals[0], stuck_graph).second;
    if (!cyclic) continue;
    Digraph local(locals.size());
    std::unordered_map<uint32_t, uint32_t> position;
    for (uint32_t k = 0; k < locals.size(); ++k) position[locals[k]] = k;
    for (uint32_t k = 0; k < locals.size(); ++k) {
      auto [begin, end] = boost::out_edges(locals[k], stuck_graph);
      for (auto e = begin; e != end; ++e)
        if (auto it = position.find(boost::target(*e, stuck_graph)); it != position.end())
          boost::add_edge(k, it->second, local);
    }
    StuckGroup group;
    group.kind = StuckGroup::Kind::kCycle;
    for (uint32_t k : locals) group.component.push_back(members[k]);
    for (uint32_t k : shortest_cycle(local)) group.cycle.push_back(members[locals[k]]);
    group_of_component[c] = static_cast<int>(groups.size());
    groups.push_back(std::move(group));
  }

  // Every other stuck agent waits, through stuck agents, on a cycle or a dead
  // end. Follow stuck targets (the condensation is acyclic), preferring cycles.
  std::vector<int> root(members.size(), -2);  // -2 unknown, -1 in progress
  std::function<int(uint32_t)> resolve = [&](uint32_t i) -> int {
    if (root[i] >= 0) return root[i];
    if (group_of_component[component[i]] >= 0) return root[i] = group_of_component[component[i]];
    if (root[i] == -1) return -1;
    root[i] = -1;
    const WaitNode& node = graph.node(members[i]);
    bool waits_on_ended = false;
    for (const WaitEdge& edge : node.edges)
      if (graph.node(edge.to).status == NodeStatus::kEnded) waits_on_ended = true;
    int found = -1;
    // An AND waiter on an ended agent is itself a dead end.
    if (!(waits_on_ended && node.condition == Condition::kAnd)) {
      for (const WaitEdge& edge : node.edges) {
        auto it = local_of.find(edge.to);
        if (it == local_of.end()) continue;
        const int r = resolve(it->second);
        if (r < 0) continue;
        if (found < 0 || (groups[r].kind == StuckGroup::Kind::kCycle &&
                          groups[found].kind != StuckGroup::Kind::kCycle))
          found = r;
      }
    }
    if (found < 0) {
      StuckGroup group;
      group.kind = StuckGroup::Kind::kDeadEnd;
      group.dead_end = members[i];
      found = static_cast<int>(groups.size());
      groups.push_back(std::move(group));
    } else {
      groups[found].attached.push_back(members[i]);
    }
    return root[i] = found;
  };
  for (uint32_t i = 0; i < members.size(); ++i) resolve(i);
  return groups;
}

}  // namespace taskscope::analyzer
