// The wait-for graph at the instant analyzed, for Graphviz: one node per live
// agent that waits or is waited on, stuck agents filled red, ended agents grey,
// edges labelled with the resource and why the target could unblock the source.
// The edges are the same records the findings carry (FindingWait).
#include <map>

#include "detect/finding_facts.hpp"
#include "taskscope/analyzer/report.hpp"

namespace taskscope::analyzer {

namespace {

// How an edge reads on the graph: the target "owns" the resource, ...
const char* reason_label(WaitReason reason) {
  switch (reason) {
    case WaitReason::kOwns:
      return "owns";
    case WaitReason::kHoldsShared:
      return "holds shared";
    case WaitReason::kQueuedWriter:
      return "queued writer of";
    case WaitReason::kHoldsUnits:
      return "holds units of";
    case WaitReason::kPosted:
      return "posted";
    case WaitReason::kNotified:
      return "notified";
    case WaitReason::kUsesMutex:
      return "uses the mutex of";
    case WaitReason::kReceiver:
      return "receives from";
    case WaitReason::kSender:
      return "sends to";
    case WaitReason::kJoined:
      return "joined";
    case WaitReason::kPolls:
      return "polls";
    case WaitReason::kWaker:
      return "can wake";
    case WaitReason::kAnyone:
      return "could act on";
  }
  return "";
}

}  // namespace

std::string render_dot(const Analysis& analysis) {
  const WaitForGraph& graph = analysis.graph();
  const StuckSet& stuck = analysis.stuck();
  const Names& names = analysis.names();
  const std::vector<FindingWait> waits = FindingFacts(analysis.state(), graph, names).graph_waits();
  // Agents on an edge, in id order, with their graph node.
  std::map<AgentId, uint32_t> shown;
  for (const FindingWait& wait : waits)
    for (AgentId id : {wait.agent.id, wait.waits_for ? wait.waits_for->id : 0})
      if (id != 0)
        if (auto index = graph.index_of(id)) shown.emplace(id, *index);
  std::string out =
      "digraph wait_for {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n";
  out +=
      "  label=" + json_quote("wait-for graph at " + Names::time(analysis.report().at_ns)) + ";\n";
  for (const auto& [id, index] : shown) {
    const WaitNode& node = graph.node(index);
    const Agent* agent = analysis.state().agents.find(id);
    std::string label = names.agent(id);
    if (agent && agent->waiting) label += "\\n" + names.wait_phrase(agent->wait);
    std::string style;
    if (stuck.contains(index))
      style = ", style=filled, fillcolor=\"#f4a6a6\", color=red";
    else if (node.status == NodeStatus::kEnded)
      style = ", style=filled, fillcolor=lightgrey";
    std::string quoted = json_quote(label);
    // json_quote escaped the backslash of "\n"; Graphviz wants it as is.
    for (size_t pos = 0; (pos = quoted.find("\\\\n", pos)) != std::string::npos;)
      quoted.replace(pos, 3, "\\n");
    out += "  n" + std::to_string(id) + " [label=" + quoted + style + "];\n";
  }
  for (const FindingWait& wait : waits) {
    if (!wait.waits_for || !wait.reason) continue;
    std::string label = reason_label(*wait.reason);
    if (wait.resource) label = wait.resource->name + " (" + label + ")";
    if (wait.assumed) label += " [assumed]";
    const auto from = shown.find(wait.agent.id), to = shown.find(wait.waits_for->id);
    const bool hot = from != shown.end() && to != shown.end() && stuck.contains(from->second) &&
                     stuck.contains(to->second);
    const bool any_of = from != shown.end() && graph.node(from->second).condition == Condition::kOr;
    out += "  n" + std::to_string(wait.agent.id) + " -> n" + std::to_string(wait.waits_for->id) +
           " [label=" + json_quote(label) + (any_of ? ", style=dashed" : "") +
           (hot ? ", color=red" : "") + "];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace taskscope::analyzer
