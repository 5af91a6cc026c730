#include "census.hpp"

#include <algorithm>

namespace taskscope::analyzer {

namespace {

constexpr size_t kMaxChannelsListed = 6;

struct Tally {
  uint64_t total = 0, stuck = 0, running = 0, blocked = 0, io = 0, sleeping = 0, idle = 0,
           idle_workers = 0, runnable = 0, done = 0, unknown = 0;
  std::string text(const char* noun) const {
    if (total == 0) return "";
    std::string out = std::to_string(total) + " " + noun + (total == 1 ? "" : "s") + " (";
    std::vector<std::string> parts;
    auto part = [&](uint64_t n, const char* what, const char* plural = nullptr) {
      if (n) parts.push_back(std::to_string(n) + " " + (n > 1 && plural ? plural : what));
    };
    part(stuck, "stuck");
    part(blocked, "blocked");
    part(io, "waiting on I/O");
    part(sleeping, "sleeping");
    part(running, "outside recorded waits");  // running, or in a call nothing records
    part(runnable, "runnable");
    part(idle_workers, "idle worker", "idle workers");
    part(idle, "pending");
    part(unknown, "unknown");
    part(done, "done");
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
    return out + ")";
  }
};

}  // namespace

std::vector<std::string> build_census(const State& state, const WaitForGraph& graph,
                                      const StuckSet& stuck, const Names& names) {
  Tally threads, tasks;
  threads.done = state.ended_threads;
  tasks.done = state.ended_tasks;
  uint64_t locks_held = 0;
  uint64_t held_by_ended = 0;  // locks whose owner exited without releasing them
  state.agents.for_each([&](const Agent& agent) {
    if (agent.state == RunState::kEnded) held_by_ended += agent.holds.size();
  });
  for (uint32_t i = 0; i < graph.nodes().size(); ++i) {
    const Agent* agent = state.agents.find(graph.node(i).agent);
    if (agent == nullptr) continue;
    Tally& tally = agent->type == AgentType::kTask ? tasks : threads;
    if (agent->state == RunState::kEnded) continue;  // counted in `done`
    ++tally.total;
    locks_held += agent->holds.size();
    if (stuck.contains(i))
      ++tally.stuck;
    else if (agent->waiting && agent->wait.op == format::WaitOp::kIo)
      ++tally.io;
    else if (agent->waiting && agent->wait.op == format::WaitOp::kSleep)
      ++tally.sleeping;
    else if (agent->state == RunState::kBlocked)
      ++tally.blocked;
    else if (agent->state == RunState::kRunning && agent->worker && agent->polling.empty())
      ++tally.idle_workers;
    else if (agent->state == RunState::kRunning)
      ++tally.running;
    else if (agent->state == RunState::kRunnable)
      ++tally.runnable;
    else if (agent->state == RunState::kIdle)
      ++tally.idle;
    else
      ++tally.unknown;
  }
  threads.total += threads.done;
  tasks.total += tasks.done;

  std::vector<std::string> lines;
  std::string agents = threads.text("thread");
  const std::string task_text = tasks.text("task");
  if (!task_text.empty()) agents += (agents.empty() ? "" : "; ") + task_text;
  lines.push_back("Census at " + Names::time(state.now_ns) + ": " +
                  (agents.empty() ? std::string("no agents") : agents) + ".");

  std::vector<const Resource*> channels;
  uint64_t resources = 0;
  state.resources.for_each([&](const Resource& r) {
    ++resources;
    if (r.is_channel()) channels.push_back(&r);
  });
  std::sort(channels.begin(), channels.end(), [](const Resource* x, const Resource* y) {
    return x->depth != y->depth ? x->depth > y->depth : x->id < y->id;
  });
  std::string line = std::to_string(resources) + (resources == 1 ? " resource, " : " resources, ") +
                     std::to_string(locks_held) + " lock" + (locks_held == 1 ? "" : "s") + " held";
  if (held_by_ended > 0)
    line += " (and " + std::to_string(held_by_ended) +
            (held_by_ended == 1 ? " by an agent that exited)" : " by agents that exited)");
  if (!channels.empty()) {
    line += "; channels: ";
    for (size_t i = 0; i < channels.size() && i < kMaxChannelsListed; ++i) {
      if (i) line += ", ";
      line += "\"" + names.resource(channels[i]->id) + "\" " + std::to_string(channels[i]->depth) +
              (channels[i]->capacity ? "/" + std::to_string(channels[i]->capacity) : " queued");
    }
    if (channels.size() > kMaxChannelsListed)
      line += ", +" + std::to_string(channels.size() - kMaxChannelsListed) + " more";
  }
  lines.push_back(line + ".");
  return lines;
}

}  // namespace taskscope::analyzer
