// The story of a stuck cycle: who waits for whom, drawn step by step, why it
// can never resolve, and what would break it.
#include <algorithm>
#include <set>

#include "finding_facts.hpp"
#include "taskscope/analyzer/report.hpp"
#include "stuck_story.hpp"

namespace taskscope::analyzer {

namespace {

const char* cycle_word(const DetectContext& context, const std::vector<uint32_t>& cycle) {
  bool locks = false, joins = false, other = false;
  for (size_t i = 0; i < cycle.size(); ++i) {
    const WaitEdge* edge = edge_between(context.graph, cycle[i], cycle[(i + 1) % cycle.size()]);
    if (edge == nullptr) continue;
    switch (edge->reason) {
      case EdgeReason::kOwns:
      case EdgeReason::kHoldsShared:
      case EdgeReason::kQueuedWriter:
        locks = true;
        break;
      case EdgeReason::kJoined:
        joins = true;
        break;
      case EdgeReason::kPolls:
        break;
      default:
        other = true;
        break;
    }
  }
  if (other) return "wait";
  if (locks && joins) return "lock/join";
  if (joins) return "join";
  return "lock";
}

}  // namespace

bool cycle_through_full_channel(const DetectContext& context, const StuckGroup& group) {
  const auto& cycle = group.cycle;
  for (size_t i = 0; i < cycle.size(); ++i) {
    const WaitEdge* edge = edge_between(context.graph, cycle[i], cycle[(i + 1) % cycle.size()]);
    if (edge && edge->reason == EdgeReason::kReceiver) return true;
  }
  return false;
}

Finding describe_cycle(const DetectContext& context, const StuckGroup& group, FindingKind kind) {
  StuckStory story(context);
  const Names& names = context.names;
  const auto& cycle = group.cycle;
  Finding finding;
  finding.kind = kind;
  finding.severity = default_severity(kind);
  finding.since_ns = story.earliest_since(group.component);

  // Agents: the cycle in order, then the rest of the component, then the attached.
  for (uint32_t node : cycle) story.add_agent(finding, context.graph.node(node).agent);
  for (uint32_t node : group.component) story.add_agent(finding, context.graph.node(node).agent);
  for (size_t i = 0; i < cycle.size(); ++i)
    if (const WaitEdge* edge = edge_between(context.graph, cycle[i], cycle[(i + 1) % cycle.size()]))
      story.add_resource(finding, edge->resource);
  for (uint32_t node : group.component) story.add_wait_resources(finding, node);
  // Waits: the cycle's edges in order, then the rest of the component, then the attached.
  const FindingFacts facts(context);
  for (size_t i = 0; i < cycle.size(); ++i)
    facts.add_waits(finding, cycle[i], cycle[(i + 1) % cycle.size()], true);
  for (uint32_t node : group.component) facts.add_waits(finding, node);
  for (uint32_t node : group.attached) facts.add_waits(finding, node);

  const std::string noun = story.agent_noun(group.component);
  const size_t n = group.component.size();
  const bool relock = cycle.size() == 1;
  if (kind == FindingKind::kChannelFullCycle) {
    std::vector<ResourceId> channels;
    for (size_t i = 0; i < cycle.size(); ++i)
      if (const WaitEdge* edge =
              edge_between(context.graph, cycle[i], cycle[(i + 1) % cycle.size()]))
        if (edge->reason == EdgeReason::kReceiver &&
            std::find(channels.begin(), channels.end(), edge->resource) == channels.end())
          channels.push_back(edge->resource);
    std::string through;
    if (channels.size() == 1) {
      through = "full " + names.resource_phrase(channels[0]);
    } else {
      through = std::to_string(channels.size()) + " full channels (";
      for (size_t i = 0; i < channels.size(); ++i)
        through += (i ? ", \"" : "\"") + names.resource(channels[i]) + "\"";
      through += ")";
    }
    finding.summary =
        std::to_string(n) + " " + noun + " can never run again: a cycle through " + through;
  } else if (relock) {
    const Agent* agent = story.agent_of(cycle[0]);
    finding.summary = names.agent(context.graph.node(cycle[0]).agent) + " locks " +
                      (agent && agent->waiting ? names.resource_phrase(agent->wait.resource)
                                               : std::string("a lock")) +
                      " again while it owns it";
  } else {
    finding.summary =
        std::to_string(n) + " " + noun + " stuck in a " + cycle_word(context, cycle) + " cycle";
  }

  for (uint32_t node : cycle) story.describe_agent(node, finding.explanation);
  std::set<uint32_t> on_cycle(cycle.begin(), cycle.end());
  for (uint32_t node : group.component)
    if (!on_cycle.count(node)) story.describe_agent(node, finding.explanation);

  // Why: the steps in words.
  std::string why = "Why it can never resolve: ";
  if (relock) {
    const std::string name = names.agent(context.graph.node(cycle[0]).agent);
    finding.explanation.push_back(why + name + " waits for a mutex that only " + name +
                                  " itself could release.");
    finding.explanation.push_back(
        "A non-recursive mutex cannot be locked twice by its owner: release it first, or do the "
        "inner work without locking again.");
    story.describe_attached(group.attached, finding.explanation);
    for (uint32_t node : group.attached) story.add_agent(finding, context.graph.node(node).agent);
    std::vector<uint32_t> involved = group.component;
    involved.insert(involved.end(), group.attached.begin(), group.attached.end());
    story.apply_caveats(finding, involved, finding.since_ns);
    return finding;
  }
  // In the words the renderings draw the cycle with (cycle_diagram), from the
  // finding's own data: its in-cycle edges and its resources' state.
  facts.complete(finding);
  bool first = true;
  for (const FindingWait& wait : finding.wait_edges) {
    if (!wait.in_cycle) continue;
    if (!first) why += "; ";
    first = false;
    const bool itself = wait.waits_for && wait.waits_for->id == wait.agent.id;
    why += wait.agent.name + " " + wait_step_phrase(finding, wait) + " " +
           (itself ? std::string("itself") : wait.waits_for ? wait.waits_for->name : "?");
  }
  why += ". No agent in the cycle can give up what the next one needs while it waits";
  if (n > cycle.size())
    why +=
        ", and the other " + std::to_string(n - cycle.size()) + " wait only on agents of the cycle";
  why += ".";
  finding.explanation.push_back(why);

  if (kind == FindingKind::kChannelFullCycle)
    finding.explanation.push_back(
        "Fixes that break the cycle: drain the channel while waiting, give it capacity for "
        "everything in flight, or wait for the others only after draining.");
  else if (std::string(cycle_word(context, cycle)) == "lock")
    finding.explanation.push_back(
        "The agents take the same locks in different orders. Take them in one global order "
        "(e.g. by address) to fix it.");

  story.describe_attached(group.attached, finding.explanation);
  for (uint32_t node : group.attached) story.add_agent(finding, context.graph.node(node).agent);

  std::vector<uint32_t> involved = group.component;
  involved.insert(involved.end(), group.attached.begin(), group.attached.end());
  story.apply_caveats(finding, involved, finding.since_ns);
  return finding;
}

}  // namespace taskscope::analyzer
