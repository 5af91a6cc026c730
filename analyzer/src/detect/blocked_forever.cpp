// blocked_forever: a stuck agent outside any cycle that nobody can unblock — the
// lock it waits for is owned by an agent that exited, the channel it waits on has
// no live endpoint on the other side, or every agent that could wake it ended —
// together with the stuck agents that wait on it (e.g. a join on it).
#include "finding_facts.hpp"
#include "stuck_story.hpp"

namespace taskscope::analyzer {

namespace {

class BlockedForeverDetector : public Detector {
 public:
  void report(const DetectContext& context, const std::vector<Finding>&,
              std::vector<Finding>& out) override {
    for (const StuckGroup& group : context.groups) {
      if (group.kind != StuckGroup::Kind::kDeadEnd || is_lost_wakeup(context, group.dead_end))
        continue;
      out.push_back(describe(context, group));
    }
  }

 private:
  Finding describe(const DetectContext& context, const StuckGroup& group) {
    StuckStory story(context);
    const Names& names = context.names;
    const uint32_t node = group.dead_end;
    const WaitNode& wait_node = context.graph.node(node);
    const Agent& agent = *story.agent_of(node);
    const std::string name = names.agent(agent.id);
    Finding finding;
    finding.kind = FindingKind::kBlockedForever;
    finding.severity = Severity::kError;
    story.add_agent(finding, agent.id);
    story.add_wait_resources(finding, node);
    const FindingFacts facts(context);
    facts.add_waits(finding, node);
    for (uint32_t other : group.attached) facts.add_waits(finding, other);
    finding.since_ns = story.earliest_since({node});
    story.describe_agent(node, finding.explanation);

    const std::string what = agent.waiting ? names.wait_phrase(agent.wait) : "waiting";
    if (wait_node.whole_process && wait_node.edges.empty()) {
      finding.summary = name + " is " + what + " forever: no other agent is left to end the wait";
    } else if (wait_node.no_endpoint) {
      const bool sending = agent.wait.op == format::WaitOp::kSend;
      finding.summary =
          name + " is " + what + " forever: no " + (sending ? "receiver" : "sender") + " is left";
      const Resource* channel = context.state.resources.find(agent.wait.resource);
      std::string detail = "Every " + std::string(sending ? "receiver" : "sender") + " of " +
                           names.resource_phrase(agent.wait.resource) +
                           " was closed, so nothing can ever " +
                           (sending ? "make room in it." : "arrive.");
      if (channel && (sending ? channel->last_receiver : channel->last_sender))
        detail += " The last " + std::string(sending ? "receive" : "send") + " was by " +
                  names.agent(sending ? channel->last_receiver : channel->last_sender) + " at " +
                  Names::time(sending ? channel->last_recv_ns : channel->last_send_ns) + ".";
      finding.explanation.push_back(detail);
    } else {
      // Every possible unblocker ended.
      std::string culprits;
      for (const WaitEdge& edge : wait_node.edges) {
        const AgentId other_id = context.graph.node(edge.to).agent;
        const Agent* other = context.state.agents.find(other_id);
        if (other == nullptr || other->state != RunState::kEnded) continue;
        story.add_agent(finding, other_id);
        if (!culprits.empty()) culprits += ", ";
        culprits += names.agent(other_id);
        std::string line = names.agent(other_id) + " " + edge_reason_text(edge.reason) + " " +
                           (edge.resource ? names.resource_phrase(edge.resource) : name) +
                           " and " + names.exit_phrase(*other);
        for (const Hold& hold : other->holds)
          if (hold.resource == edge.resource) {
            line += " without releasing it (taken at " + Names::time(hold.since_ns);
            const std::string where = names.location(hold.location);
            line += where.empty() ? ")" : ", " + where + ")";
          }
        finding.explanation.push_back(line + ".");
      }
      if (wait_node.edges.size() == 1 && wait_node.edges[0].reason == EdgeReason::kOwns)
        finding.summary = name + " waits forever for " +
                          names.resource_phrase(wait_node.edges[0].resource) + ": its owner " +
                          culprits + " exited without releasing it";
      else
        finding.summary = name + " is " + what + " forever: every agent that could end the wait (" +
                          culprits + ") has exited";
    }
    if (!group.attached.empty())
      finding.summary += " (" + std::to_string(group.attached.size()) + " more " +
                         story.agent_noun(group.attached) +
                         (group.attached.size() == 1 ? " waits" : " wait") + " on it)";
    story.describe_attached(group.attached, finding.explanation);
    for (uint32_t other : group.attached) {
      story.add_agent(finding, context.graph.node(other).agent);
    }
    std::vector<uint32_t> involved{node};
    involved.insert(involved.end(), group.attached.begin(), group.attached.end());
    story.apply_caveats(finding, involved, finding.since_ns);
    return finding;
  }
};

}  // namespace

std::unique_ptr<Detector> make_blocked_forever_detector() {
  return std::make_unique<BlockedForeverDetector>();
}

}  // namespace taskscope::analyzer
