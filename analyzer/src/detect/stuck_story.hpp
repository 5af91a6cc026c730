// The narrative shared by the findings about stuck agents (deadlock,
// channel_full_cycle, blocked_forever, lost_wakeup): what each stuck agent waits
// on and since when, what it holds, who spawned it, its span stack, and the
// caveats (weak endpoint attributions, lost events)
// that lower a finding from error to warning.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "detector.hpp"

namespace taskscope::analyzer {

class StuckStory {
 public:
  explicit StuckStory(const DetectContext& context) : context_(context) {}

  const Agent* agent_of(uint32_t node) const;
  // "fetch#3  blocked 11.6 s  sending on channel "results"  at src/fetch.cpp:88",
  // then what it holds, its spawn chain and span stack, indented under it.
  void describe_agent(uint32_t node, std::vector<std::string>& lines) const;
  // Spawn chain, innermost first: "spawned by aggregator#1 at src/aggregate.cpp:41".
  std::vector<std::string> spawn_chain(AgentId agent) const;

  // Adds agents/resources to the finding once each.
  void add_agent(Finding& finding, AgentId agent) const;
  void add_resource(Finding& finding, ResourceId resource) const;
  // The resources an agent waits on and holds (for the finding's resource list).
  void add_wait_resources(Finding& finding, uint32_t node) const;

  // Lowers `finding` to a warning, with the reason, when it rests on a created
  // (copied) endpoint attribution among `nodes`' edges, or when events were lost
  // after `since_ns`.
  void apply_caveats(Finding& finding, const std::vector<uint32_t>& nodes, int64_t since_ns) const;
  // Earliest time any of these agents started waiting or took what they hold.
  int64_t earliest_since(const std::vector<uint32_t>& nodes) const;
  // "threads", "tasks" or "agents" for a set of nodes (plural when n != 1).
  std::string agent_noun(const std::vector<uint32_t>& nodes) const;
  // "Also stuck, not in the cycle" lines for attached agents.
  void describe_attached(const std::vector<uint32_t>& attached,
                         std::vector<std::string>& lines) const;

 private:
  const DetectContext& context_;
  // Agents already shown in this story (described, or in a spawn chain): a
  // later chain stops at them instead of repeating their ancestry.
  mutable std::unordered_set<AgentId> shown_;
};

}  // namespace taskscope::analyzer

namespace taskscope::analyzer {

// True when the group's cycle goes through a send on a full channel.
bool cycle_through_full_channel(const DetectContext& context, const StuckGroup& group);
// The finding for a cyclic stuck group (deadlock or channel_full_cycle).
Finding describe_cycle(const DetectContext& context, const StuckGroup& group, FindingKind kind);

}  // namespace taskscope::analyzer

namespace taskscope::analyzer {

// True when the dead end `node` is a lost wakeup: a condvar wait that began
// after a notification that found no waiter, or a pending task with no live
// waker and no wake since its last poll.
bool is_lost_wakeup(const DetectContext& context, uint32_t node);
// A cycle closed only because a member missed a notification that came before
// its wait (the notifier then waited for it): the lost wakeup is the story, the
// cycle its consequence. The member's node, if there is one.
std::optional<uint32_t> lost_wakeup_in_cycle(const DetectContext& context,
                                             const StuckGroup& group);

}  // namespace taskscope::analyzer
