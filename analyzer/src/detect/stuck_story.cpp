#include "stuck_story.hpp"

#include <algorithm>

#include "common/units.hpp"

namespace taskscope::analyzer {

namespace {

using format::WaitOp;

std::string pad(size_t n) { return std::string(n, ' '); }

}  // namespace

const Agent* StuckStory::agent_of(uint32_t node) const {
  return context_.state.agents.find(context_.graph.node(node).agent);
}

std::vector<std::string> StuckStory::spawn_chain(AgentId id) const {
  std::vector<std::string> chain;
  const Names& names = context_.names;
  const Agent* agent = context_.state.agents.find(id);
  for (int depth = 0; agent != nullptr && agent->parent != 0 && depth < 8; ++depth) {
    std::string line = "spawned by " + names.agent(agent->parent);
    const std::string where = names.location(agent->spawn_location);
    if (!where.empty()) line += " at " + where;
    // An ancestor already shown in this story: its own chain is there.
    const bool shown = !shown_.insert(agent->parent).second;
    if (shown) line += " (above)";
    chain.push_back(std::move(line));
    if (shown) break;
    agent = context_.state.agents.find(agent->parent);
  }
  return chain;
}

void StuckStory::describe_agent(uint32_t node, std::vector<std::string>& lines) const {
  const Agent* agent = agent_of(node);
  if (agent == nullptr) return;
  const Names& names = context_.names;
  const int64_t now = context_.state.now_ns;
  const std::string name = names.agent(agent->id);
  const std::string indent = pad(name.size() + 2);
  shown_.insert(agent->id);
  std::string head = name + "  ";
  if (agent->waiting) {
    head += "blocked " + Names::duration(now - agent->wait.since_ns) + "  " +
            names.wait_phrase(agent->wait);
    const std::string where = names.location(agent->wait.location);
    if (!where.empty()) head += "  at " + where;
  } else if (context_.graph.node(node).idle_task) {
    head += "pending " + Names::duration(now - agent->last_poll_end_ns) +
            " since its last poll returned";
  } else if (!agent->polling.empty()) {
    head += "held by the poll of " + names.agent(agent->polling.back()) + ", which is blocked";
  } else {
    head += run_state_name(agent->state);
  }
  lines.push_back(std::move(head));
  if (agent->waiting && agent->wait.op == WaitOp::kJoin) {
    const Agent* joined = context_.state.agents.find(agent->wait.resource);
    if (joined != nullptr && joined->detached) {
      std::string line = indent + names.agent(joined->id) + " was detached";
      const std::string where = names.location(joined->detach_location);
      if (!where.empty()) line += " at " + where;
      lines.push_back(line + ": a detached thread cannot be joined");
    }
  }
  for (const Hold& hold : agent->holds) {
    std::string line =
        indent + (hold.mode == format::LockMode::kShared ? "holds (shared) " : "holds ") +
        names.resource_phrase(hold.resource) + " since " + Names::time(hold.since_ns);
    const std::string where = names.location(hold.location);
    if (!where.empty()) line += " (taken at " + where + ")";
    lines.push_back(std::move(line));
  }
  if (agent->memory_live > 0)
    lines.push_back(indent + "holds " + stats::format_bytes(agent->memory_live) +
                    " of recorded memory (peak " + stats::format_bytes(agent->memory_peak) + ")");
  const auto chain = spawn_chain(agent->id);
  for (size_t i = 0; i < chain.size(); ++i) lines.push_back(indent + pad(2 * i) + chain[i]);
  if (!agent->spans.empty()) {
    std::string line = indent + "span stack: ";
    for (size_t i = 0; i < agent->spans.size(); ++i) {
      if (i) line += " > ";
      line += std::string(names.text(agent->spans[i].name));
      const auto argument = names.text(agent->spans[i].argument);
      if (!argument.empty()) line += "(" + std::string(argument) + ")";
    }
    lines.push_back(std::move(line));
  }
}

void StuckStory::add_agent(Finding& finding, AgentId agent) const {
  for (const AgentRef& ref : finding.agents)
    if (ref.id == agent) return;
  finding.agents.push_back(context_.names.agent_ref(agent));
}

void StuckStory::add_resource(Finding& finding, ResourceId resource) const {
  if (resource == 0 || context_.state.resources.find(resource) == nullptr) return;
  for (const ResourceRef& ref : finding.resources)
    if (ref.id == resource) return;
  finding.resources.push_back(context_.names.resource_ref(resource));
}

void StuckStory::add_wait_resources(Finding& finding, uint32_t node) const {
  const Agent* agent = agent_of(node);
  if (agent == nullptr) return;
  if (agent->waiting && agent->wait.op != WaitOp::kJoin)
    add_resource(finding, agent->wait.resource);
  for (const Hold& hold : agent->holds) add_resource(finding, hold.resource);
}

int64_t StuckStory::earliest_since(const std::vector<uint32_t>& nodes) const {
  int64_t since = context_.state.now_ns;
  for (uint32_t node : nodes) {
    const Agent* agent = agent_of(node);
    if (agent == nullptr) continue;
    if (agent->waiting) since = std::min(since, agent->wait.since_ns);
    for (const Hold& hold : agent->holds) since = std::min(since, hold.since_ns);
    if (agent->state == RunState::kIdle) since = std::min(since, agent->last_poll_end_ns);
  }
  return since;
}

void StuckStory::apply_caveats(Finding& finding, const std::vector<uint32_t>& nodes,
                               int64_t since_ns) const {
  const Names& names = context_.names;
  if (std::any_of(nodes.begin(), nodes.end(),
                  [&](uint32_t node) { return context_.graph.node(node).whole_process; }))
    finding.explanation.push_back(
        "Nobody is left to act: when the hang watchdog wrote this trace, every thread of the "
        "process was inside a recorded wait with no deadline (none running, none waiting on I/O "
        "or a timer), so no one can signal a condition variable, post a semaphore, send on a "
        "channel or wake a futex word.");
  for (uint32_t node : nodes) {
    for (const WaitEdge& edge : context_.graph.node(node).edges) {
      if (!edge.assumed) continue;
      const Endpoint* endpoint = context_.state.endpoints.find(edge.endpoint);
      const bool receiver = endpoint && endpoint->side == format::EndpointSide::kReceiver;
      finding.severity = Severity::kWarning;
      const std::string line =
          "Assuming " + names.agent(context_.graph.node(edge.to).agent) + " still holds the " +
          (receiver ? "receiver" : "sender") + " of " + names.resource_phrase(edge.resource) +
          " it created: the handle may have moved to another agent without the recorder "
          "seeing it.";
      if (std::find(finding.explanation.begin(), finding.explanation.end(), line) ==
          finding.explanation.end())
        finding.explanation.push_back(line);
    }
  }
  uint64_t lost = 0;
  int64_t first = INT64_MAX, last = 0;
  for (const DroppedRange& range : context_.state.dropped) {
    if (range.last_ns < since_ns) continue;
    lost += range.events;
    first = std::min(first, range.first_ns);
    last = std::max(last, range.last_ns);
  }
  if (lost > 0) {
    finding.severity = finding.severity == Severity::kError ? Severity::kWarning : finding.severity;
    finding.explanation.push_back(Names::count(lost) + " events were lost between " +
                                  Names::time(first) + " and " + Names::time(last) +
                                  "; a release, send or notify among them would undo this "
                                  "finding.");
  }
}

std::string StuckStory::agent_noun(const std::vector<uint32_t>& nodes) const {
  bool threads = false, tasks = false;
  for (uint32_t node : nodes) {
    const Agent* agent = agent_of(node);
    if (agent && agent->type == AgentType::kTask)
      tasks = true;
    else
      threads = true;
  }
  const bool plural = nodes.size() != 1;
  if (threads && tasks) return plural ? "agents" : "agent";
  if (tasks) return plural ? "tasks" : "task";
  return plural ? "threads" : "thread";
}

void StuckStory::describe_attached(const std::vector<uint32_t>& attached,
                                   std::vector<std::string>& lines) const {
  if (attached.empty()) return;
  lines.push_back("Also stuck, waiting on them:");
  for (uint32_t node : attached) {
    std::vector<std::string> block;
    describe_agent(node, block);
    for (auto& line : block) lines.push_back("  " + line);
  }
}

}  // namespace taskscope::analyzer
