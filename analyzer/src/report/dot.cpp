// The wait-for graph at the instant analyzed, for Graphviz: one node per live
// agent that waits or is waited on, stuck agents filled red, ended agents grey,
// edges labelled with the resource and why the target could unblock the source.
#include <set>

#include "taskscope/analyzer/report.hpp"

namespace taskscope::analyzer {

std::string render_dot(const Analysis& analysis) {
  const WaitForGraph& graph = analysis.graph();
  const StuckSet& stuck = analysis.stuck();
  const Names& names = analysis.names();
  std::set<uint32_t> shown;
  for (uint32_t i = 0; i < graph.nodes().size(); ++i) {
    if (graph.node(i).edges.empty()) continue;
    shown.insert(i);
    for (const WaitEdge& edge : graph.node(i).edges) shown.insert(edge.to);
  }
  std::string out =
      "digraph wait_for {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n";
  out +=
      "  label=" + json_quote("wait-for graph at " + Names::time(analysis.report().at_ns)) + ";\n";
  for (uint32_t i : shown) {
    const WaitNode& node = graph.node(i);
    const Agent* agent = analysis.state().agents.find(node.agent);
    std::string label = names.agent(node.agent);
    if (agent && agent->waiting) label += "\\n" + names.wait_phrase(agent->wait);
    std::string style;
    if (stuck.contains(i))
      style = ", style=filled, fillcolor=\"#f4a6a6\", color=red";
    else if (node.status == NodeStatus::kEnded)
      style = ", style=filled, fillcolor=lightgrey";
    std::string quoted = json_quote(label);
    // json_quote escaped the backslash of "\n"; Graphviz wants it as is.
    for (size_t pos = 0; (pos = quoted.find("\\\\n", pos)) != std::string::npos;)
      quoted.replace(pos, 3, "\\n");
    out += "  n" + std::to_string(node.agent) + " [label=" + quoted + style + "];\n";
  }
  for (uint32_t i : shown) {
    const WaitNode& node = graph.node(i);
    for (const WaitEdge& edge : node.edges) {
      std::string label = edge_reason_text(edge.reason);
      if (edge.resource) label = names.resource(edge.resource) + " (" + label + ")";
      if (edge.assumed) label += " [assumed]";
      const bool hot = stuck.contains(i) && stuck.contains(edge.to);
      out += "  n" + std::to_string(node.agent) + " -> n" +
             std::to_string(graph.node(edge.to).agent) + " [label=" + json_quote(label) +
             (node.condition == Condition::kOr ? ", style=dashed" : "") +
             (hot ? ", color=red" : "") + "];\n";
    }
  }
  out += "}\n";
  return out;
}

}  // namespace taskscope::analyzer
