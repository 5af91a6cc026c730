// What the screen shows of a frame: the agents, filtered by name and sorted by
// a column, and the details of the selected one.
#include <algorithm>

#include "taskscope/analyzer/names.hpp"
#include "top/screen.hpp"

namespace taskscope::cli {

using analyzer::LiveAgent;
using analyzer::LiveFrame;

std::vector<const LiveAgent*> ScreenView::agents(const LiveFrame& frame) const {
  std::vector<const LiveAgent*> shown;
  for (const LiveAgent& agent : frame.agents)
    if (filter.empty() || agent.ref.name.find(filter) != std::string::npos) shown.push_back(&agent);
  // Text columns sort ascending, measures descending (the largest first, as top).
  auto before = [&](const LiveAgent* x, const LiveAgent* y) {
    switch (sort_column) {
      case 1:
        return x->ref.type < y->ref.type;
      case 2:
        return x->state < y->state;
      case 3:
        return x->state_for_ns > y->state_for_ns;
      case 4:
        return x->wait_site.text < y->wait_site.text;
      case 5:
        return x->busy_percent > y->busy_percent;
      case 6:
        return x->polls > y->polls;
      case 7:
        return x->sched_p99_ns > y->sched_p99_ns;
      case 8:
        return x->memory_bytes > y->memory_bytes;
      default:
        return x->ref.name < y->ref.name;
    }
  };
  std::stable_sort(shown.begin(), shown.end(), [&](const LiveAgent* x, const LiveAgent* y) {
    return reverse ? before(y, x) : before(x, y);
  });
  return shown;
}

std::vector<std::string> ScreenView::details(const LiveFrame& frame) const {
  const auto shown = agents(frame);
  const LiveAgent* agent = shown.empty() ? nullptr : shown.front();
  for (const LiveAgent* candidate : shown)
    if (candidate->ref.id == selected) agent = candidate;
  if (agent == nullptr) return {};
  std::vector<std::string> lines;
  std::string head = agent->ref.name + " (" + agent->ref.type + " " +
                     std::to_string(agent->ref.id) + "): " + agent->state;
  if (!agent->waiting_on.empty()) head += " " + agent->waiting_on;
  head += " for " + analyzer::Names::duration(agent->state_for_ns);
  if (agent->wait_site.known()) head += " at " + agent->wait_site.text;
  lines.push_back(head);
  // Parent first, then its parent: "spawned at f.cpp:74 by aggregator <- handler".
  std::string chain;
  for (const analyzer::SpawnStep& step : agent->ref.spawn_chain)
    chain += (chain.empty() ? "" : " <- ") + step.name;
  const std::string site = agent->ref.spawned_at.known() ? " at " + agent->ref.spawned_at.text : "";
  lines.push_back(chain.empty() ? "  spawned by: -" : "  spawned" + site + " by " + chain);
  std::string spans;
  for (const std::string& span : agent->spans) spans += (spans.empty() ? "" : " > ") + span;
  lines.push_back("  span stack: " + (spans.empty() ? "-" : spans));
  if (agent->ref.holds.empty()) lines.push_back("  holds: -");
  for (const analyzer::AgentHold& hold : agent->ref.holds)
    lines.push_back("  holds " + hold.resource.name + " since " +
                    analyzer::Names::time(hold.since_ns) +
                    (hold.location.known() ? " (taken at " + hold.location.text + ")" : ""));
  if (agent->recent_waits.empty()) lines.push_back("  recent waits: -");
  for (const std::string& wait : agent->recent_waits) lines.push_back("  waited: " + wait);
  return lines;
}

}  // namespace taskscope::cli
