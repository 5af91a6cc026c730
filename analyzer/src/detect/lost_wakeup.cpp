// lost_wakeup: a stuck agent nobody will ever wake because the wakeup happened
// before it waited. Two forms:
//  - condvar: notified when it had no waiter, then waited on by an agent that
//    never returns (the classic missing-predicate bug);
//  - async task: its last poll returned pending, it has no live waker and was not
//    woken since (tokio-console's lost-waker rule).
#include "finding_facts.hpp"
#include "stuck_story.hpp"

namespace taskscope::analyzer {

bool is_lost_wakeup(const DetectContext& context, uint32_t node) {
  const WaitNode& wait_node = context.graph.node(node);
  if (wait_node.no_waker) return true;
  const Agent* agent = context.state.agents.find(wait_node.agent);
  if (agent == nullptr || !agent->waiting || agent->wait.op != format::WaitOp::kCondWait)
    return false;
  const Resource* cv = context.state.resources.find(agent->wait.resource);
  return cv != nullptr && cv->lonely_notify_ns >= 0 && cv->lonely_notify_ns <= agent->wait.since_ns;
}

std::optional<uint32_t> lost_wakeup_in_cycle(const DetectContext& context,
                                             const StuckGroup& group) {
  if (group.kind != StuckGroup::Kind::kCycle) return std::nullopt;
  const auto& cycle = group.cycle;
  for (size_t i = 0; i < cycle.size(); ++i) {
    const WaitEdge* edge = edge_between(context.graph, cycle[i], cycle[(i + 1) % cycle.size()]);
    if (edge && edge->reason == EdgeReason::kNotified && is_lost_wakeup(context, cycle[i]))
      return cycle[i];
  }
  return std::nullopt;
}

namespace {

class LostWakeupDetector : public Detector {
 public:
  void report(const DetectContext& context, const std::vector<Finding>&,
              std::vector<Finding>& out) override {
    for (const StuckGroup& group : context.groups) {
      if (group.kind == StuckGroup::Kind::kDeadEnd && is_lost_wakeup(context, group.dead_end)) {
        out.push_back(describe(context, group));
      } else if (const auto node = lost_wakeup_in_cycle(context, group)) {
        // Told from the waiter's side: the others in the cycle are stuck with it.
        StuckGroup told;
        told.kind = StuckGroup::Kind::kDeadEnd;
        told.dead_end = *node;
        for (uint32_t member : group.component)
          if (member != *node) told.attached.push_back(member);
        told.attached.insert(told.attached.end(), group.attached.begin(), group.attached.end());
        out.push_back(describe(context, told));
      }
    }
  }

 private:
  Finding describe(const DetectContext& context, const StuckGroup& group) {
    StuckStory story(context);
    const Names& names = context.names;
    const uint32_t node = group.dead_end;
    const Agent& agent = *story.agent_of(node);
    const std::string name = names.agent(agent.id);
    Finding finding;
    finding.kind = FindingKind::kLostWakeup;
    finding.severity = Severity::kError;
    story.add_agent(finding, agent.id);
    story.describe_agent(node, finding.explanation);
    const FindingFacts facts(context);
    facts.add_waits(finding, node);
    for (uint32_t other : group.attached) facts.add_waits(finding, other);

    if (context.graph.node(node).no_waker) {
      finding.since_ns = agent.last_poll_end_ns;
      finding.summary =
          "task " + name + " is pending with no live waker: nothing will poll it again";
      for (ResourceId id : agent.registered_on) story.add_resource(finding, id);
      finding.explanation.push_back(
          "Its last poll returned pending at " + Names::time(agent.last_poll_end_ns) +
          "; since then it was not woken, and every waker cloned for it (" +
          std::to_string(agent.polls) + " polls in all) has been dropped.");
      finding.explanation.push_back(
          "A future that returns pending must leave its waker with whatever will complete it; "
          "this one dropped it (or never registered it).");
    } else {
      const Resource& cv = *context.state.resources.find(agent.wait.resource);
      finding.since_ns = cv.lonely_notify_ns;
      story.add_resource(finding, cv.id);
      story.add_resource(finding, agent.wait.b ? agent.wait.b : cv.cv_mutex);
      if (cv.lonely_notifier != 0 && cv.lonely_notifier != agent.id)
        story.add_agent(finding, cv.lonely_notifier);
      const std::string cv_name = names.resource_phrase(cv.id);
      finding.summary = name + " waits on " + cv_name +
                        " forever: it was notified before the wait, when nobody waited";
      std::string notifier = cv.lonely_notifier ? names.agent(cv.lonely_notifier) : "someone";
      finding.explanation.push_back(cv_name + " was notified by " + notifier + " at " +
                                    Names::time(cv.lonely_notify_ns) + " when it had no waiter; " +
                                    name + " began waiting at " + Names::time(agent.wait.since_ns) +
                                    " and no notification came after.");
      std::string who;
      for (const WaitEdge& edge : context.graph.node(node).edges) {
        const Agent* other = context.state.agents.find(context.graph.node(edge.to).agent);
        if (other == nullptr) continue;
        if (!who.empty()) who += ", ";
        who += names.agent(other->id) + (other->state == RunState::kEnded
                                             ? " " + names.exit_phrase(*other)
                                             : std::string(" is stuck itself"));
      }
      if (!who.empty()) finding.explanation.push_back("Nobody is left to notify it: " + who + ".");
      finding.explanation.push_back(
          "Wait on a predicate (cv.wait(lock, [&] { return ready; })) set under the mutex before "
          "notifying, so a notification that comes first is not lost.");
    }
    story.describe_attached(group.attached, finding.explanation);
    for (uint32_t other : group.attached) story.add_agent(finding, context.graph.node(other).agent);
    std::vector<uint32_t> involved{node};
    involved.insert(involved.end(), group.attached.begin(), group.attached.end());
    story.apply_caveats(finding, involved, finding.since_ns);
    return finding;
  }
};

}  // namespace

std::unique_ptr<Detector> make_lost_wakeup_detector() {
  return std::make_unique<LostWakeupDetector>();
}

}  // namespace taskscope::analyzer
