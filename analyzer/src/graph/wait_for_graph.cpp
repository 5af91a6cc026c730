// Building the wait-for graph from the replayed state, one rule per kind of wait
// (docs/wait-semantics.md, "Wait kinds"). Every rule errs toward "may progress": a wait
// is blocked only when every agent that could end it is known.
#include "taskscope/analyzer/wait_for_graph.hpp"

#include <algorithm>
#include <unordered_map>

namespace taskscope::analyzer {

namespace {

using format::WaitOp;

class GraphBuilder {
 public:
  GraphBuilder(const State& state, std::vector<WaitNode>& nodes,
               std::unordered_map<AgentId, uint32_t>& index)
      : state_(state), nodes_(nodes), index_(index) {}

  // See WaitForGraph::build. Exact guard: any live agent that is running,
  // runnable, idle on a timer or I/O, in a timed wait or a wait on the outside
  // world, or a live thread the trace does not know, keeps the world open.
  void close_world(uint32_t threads_at_hang) {
    uint32_t live_threads = 0;
    std::vector<uint32_t> anyone_waits, live;
    for (uint32_t i = 0; i < nodes_.size(); ++i) {
      const WaitNode& node = nodes_[i];
      if (node.status == NodeStatus::kEnded) continue;
      const Agent* agent = state_.agents.find(node.agent);
      if (agent == nullptr || agent->state == RunState::kUnknown) return;
      live.push_back(i);
      if (agent->type == AgentType::kThread) ++live_threads;
      if (node.status == NodeStatus::kBlocked) continue;
      if (node.free_reason != FreeReason::kUnknownHolders || !agent->waiting ||
          agent->wait.timed)
        return;
      switch (agent->wait.op) {
        case WaitOp::kCondWait:
        case WaitOp::kAcquire:
        case WaitOp::kSend:
        case WaitOp::kRecv:
        case WaitOp::kFutexWait:
          anyone_waits.push_back(i);
          break;
        default:
          return;  // a lock or join whose holder the trace does not know
      }
    }
    if (live_threads != threads_at_hang || anyone_waits.empty()) return;
    for (uint32_t i : anyone_waits) {
      WaitNode& node = nodes_[i];
      const Agent& agent = *state_.agents.find(node.agent);
      node.status = NodeStatus::kBlocked;
      node.condition = Condition::kOr;
      node.whole_process = true;
      node.edges.clear();
      if (users_edges(agent, node)) continue;
      for (uint32_t other : live)
        if (other != i)
          node.edges.push_back(WaitEdge{other, agent.wait.resource, EdgeReason::kAnyone});
    }
  }

  // In a world where nobody can act, a wait on a channel whose endpoints are
  // known only from use (kFlagEndpointsByUse) is told as a wait on the live users
  // of the other side, when there are any: the story of a channel-full cycle.
  // Outside a closed world such a wait is free (channel_wait), since a user not
  // seen yet could end it. Returns false when there is no such user.
  bool users_edges(const Agent& agent, WaitNode& node) {
    if (agent.wait.op != WaitOp::kSend && agent.wait.op != WaitOp::kRecv) return false;
    const Resource* channel = state_.resources.find(agent.wait.resource);
    if (channel == nullptr || !channel->endpoints_by_use || channel->closed) return false;
    const auto other = agent.wait.op == WaitOp::kSend ? format::EndpointSide::kReceiver
                                                      : format::EndpointSide::kSender;
    for (EndpointId id : channel->endpoints) {
      const Endpoint* endpoint = state_.endpoints.find(id);
      if (endpoint == nullptr || endpoint->side != other || endpoint->holder == agent.id) continue;
      const auto holder = index_.find(endpoint->holder);
      if (holder == index_.end() || nodes_[holder->second].status == NodeStatus::kEnded) continue;
      node.edges.push_back(WaitEdge{holder->second, channel->id,
                                    other == format::EndpointSide::kReceiver ? EdgeReason::kReceiver
                                                                             : EdgeReason::kSender,
                                    false, id});
    }
    return !node.edges.empty();
  }

  void build() {
    state_.agents.for_each([&](const Agent& agent) {
      index_.emplace(agent.id, static_cast<uint32_t>(nodes_.size()));
      nodes_.push_back(WaitNode{});
      nodes_.back().agent = agent.id;
    });
    // Queued writers of each rwlock, for writer-preferring read waits.
    state_.agents.for_each([&](const Agent& agent) {
      if (agent.waiting && agent.wait.op == WaitOp::kLock && agent.state != RunState::kEnded)
        lock_waiters_[agent.wait.resource].push_back(agent.id);
    });
    state_.agents.for_each([&](const Agent& agent) { classify(agent); });
  }

 private:
  WaitNode& node_of(const Agent& agent) { return nodes_[index_.at(agent.id)]; }

  void free(WaitNode& node, FreeReason reason) {
    node.status = NodeStatus::kFree;
    node.free_reason = reason;
    node.edges.clear();
  }

  // Adds an edge to `target` unless the target is unknown to the trace, in which
  // case the whole wait may progress (returns false).
  bool add_edge(WaitNode& node, AgentId target, ResourceId resource, EdgeReason reason,
                bool assumed = false, EndpointId endpoint = 0) {
    auto it = index_.find(target);
    if (it == index_.end()) return false;
    for (const WaitEdge& edge : node.edges)
      if (edge.to == it->second) return true;
    node.edges.push_back(WaitEdge{it->second, resource, reason, assumed, endpoint});
    return true;
  }

  void classify(const Agent& agent) {
    WaitNode& node = node_of(agent);
    switch (agent.state) {
      case RunState::kEnded:
        node.status = NodeStatus::kEnded;
        return;
      case RunState::kUnknown:
        if (!agent.waiting) return free(node, FreeReason::kUnknownAgent);
        break;
      case RunState::kRunnable:
        return free(node, FreeReason::kRunnable);
      case RunState::kIdle:
        return idle_task(agent, node);
      case RunState::kRunning:
      case RunState::kBlocked:
        break;
    }
    if (!agent.waiting) {
      // A thread polling a task is held by that task's poll.
      if (!agent.polling.empty()) {
        const Agent* task = state_.agents.find(agent.polling.back());
        if (task != nullptr && task->waiting) {
          node.status = NodeStatus::kBlocked;
          node.condition = Condition::kAnd;
          if (add_edge(node, task->id, 0, EdgeReason::kPolls)) return;
        }
      }
      return free(node, FreeReason::kRunning);
    }
    node.status = NodeStatus::kBlocked;
    if (agent.wait.timed) return free(node, FreeReason::kTimed);
    const Wait& wait = agent.wait;
    switch (wait.op) {
      case WaitOp::kLock:
        return lock_wait(agent, node, /*read=*/false);
      case WaitOp::kReadLock:
        return lock_wait(agent, node, /*read=*/true);
      case WaitOp::kAcquire:
        return semaphore_wait(agent, node);
      case WaitOp::kCondWait:
        return condvar_wait(agent, node);
      case WaitOp::kSend:
        return channel_wait(agent, node, format::EndpointSide::kReceiver);
      case WaitOp::kRecv:
        return channel_wait(agent, node, format::EndpointSide::kSender);
      case WaitOp::kJoin:
        return join_wait(agent, node);
      case WaitOp::kFutexWait:
        // Any thread that can reach the word may wake it (docs/wait-semantics.md,
        // futex waits): only the whole-process rule (close_world) proves it stuck.
        node.condition = Condition::kOr;
        return free(node, FreeReason::kUnknownHolders);
      case WaitOp::kIo:
      case WaitOp::kSleep:
      case WaitOp::kBarrier:
      case WaitOp::kOther:
        return free(node, FreeReason::kOutsideWorld);
    }
  }

  // Mutex or rwlock: AND over the holders (and, for a reader of a
  // writer-preferring rwlock, the queued writers that go first).
  void lock_wait(const Agent& agent, WaitNode& node, bool read) {
    node.condition = Condition::kAnd;
    const Resource* lock = state_.resources.find(agent.wait.resource);
    if (lock == nullptr) return free(node, FreeReason::kUnknownHolders);
    if (lock->owner == agent.id && lock->recursive())
      return free(node, FreeReason::kUnknownHolders);  // cannot block; state is off
    bool known = true;
    if (lock->owner != 0) known &= add_edge(node, lock->owner, lock->id, EdgeReason::kOwns);
    if (!read)
      for (AgentId reader : lock->readers)
        known &= add_edge(node, reader, lock->id, EdgeReason::kHoldsShared);
    if (read && lock->writer_preferring()) {
      auto it = lock_waiters_.find(lock->id);
      if (it != lock_waiters_.end())
        for (AgentId writer : it->second)
          if (writer != agent.id)
            known &= add_edge(node, writer, lock->id, EdgeReason::kQueuedWriter);
    }
    // No holder recorded: it was taken before the window, or is being handed
    // over right now. Either way the wait may end.
    if (!known || node.edges.empty()) free(node, FreeReason::kUnknownHolders);
  }

  // Semaphore: OR over agents holding units and agents that posted before.
  void semaphore_wait(const Agent& agent, WaitNode& node) {
    node.condition = Condition::kOr;
    const Resource* sem = state_.resources.find(agent.wait.resource);
    if (sem == nullptr || sem->posters.overflowed) return free(node, FreeReason::kUnknownHolders);
    bool known = true;
    for (const auto& [holder, units] : sem->unit_holders)
      if (holder != agent.id) known &= add_edge(node, holder, sem->id, EdgeReason::kHoldsUnits);
    for (AgentId poster : sem->posters.ids)
      if (poster != agent.id) known &= add_edge(node, poster, sem->id, EdgeReason::kPosted);
    if (!known || node.edges.empty()) free(node, FreeReason::kUnknownHolders);
  }

  // Condvar: OR over agents that notified it before, else agents that use its mutex.
  void condvar_wait(const Agent& agent, WaitNode& node) {
    node.condition = Condition::kOr;
    const Resource* cv = state_.resources.find(agent.wait.resource);
    if (cv == nullptr) return free(node, FreeReason::kUnknownHolders);
    const AgentSet* candidates = &cv->notifiers;
    EdgeReason reason = EdgeReason::kNotified;
    if (cv->notifiers.ids.empty() && !cv->notifiers.overflowed) {
      const Resource* mutex = state_.resources.find(agent.wait.b ? agent.wait.b : cv->cv_mutex);
      if (mutex == nullptr) return free(node, FreeReason::kUnknownHolders);
      candidates = &mutex->users;
      reason = EdgeReason::kUsesMutex;
    }
    if (candidates->overflowed) return free(node, FreeReason::kUnknownHolders);
    bool known = true;
    for (AgentId id : candidates->ids)
      if (id != agent.id) known &= add_edge(node, id, cv->id, reason);
    if (!known || node.edges.empty()) free(node, FreeReason::kUnknownHolders);
  }

  // Channel send (full) or recv (empty): OR over the holders of live endpoints
  // on the other side. No live endpoint there: nobody can ever end the wait.
  void channel_wait(const Agent& agent, WaitNode& node, format::EndpointSide other) {
    node.condition = Condition::kOr;
    const Resource* channel = state_.resources.find(agent.wait.resource);
    if (channel == nullptr || channel->closed || !channel->endpoints_known)
      return free(node, FreeReason::kUnknownHolders);
    const EdgeReason reason =
        other == format::EndpointSide::kReceiver ? EdgeReason::kReceiver : EdgeReason::kSender;
    bool any = false;
    for (EndpointId id : channel->endpoints) {
      const Endpoint* endpoint = state_.endpoints.find(id);
      if (endpoint == nullptr || endpoint->side != other) continue;
      any = true;
      // The holder must be a live agent we know; an endpoint of an ended agent
      // moved somewhere we cannot see.
      const Agent* holder = state_.agents.find(endpoint->holder);
      if (holder == nullptr || endpoint->ambiguous || holder->state == RunState::kEnded ||
          holder->state == RunState::kUnknown)
        return free(node, FreeReason::kUnknownHolders);
      add_edge(node, holder->id, channel->id, reason,
               endpoint->strength == EndpointStrength::kCreated, endpoint->id);
    }
    if (!any) {
      node.no_endpoint = true;  // blocked, with nobody able to end it
      node.edges.clear();
    }
  }

  // Join: AND on the joined agent; an unknown or ended one lets it return.
  void join_wait(const Agent& agent, WaitNode& node) {
    node.condition = Condition::kAnd;
    const Agent* joined = state_.agents.find(agent.wait.resource);
    if (joined == nullptr || joined->state == RunState::kEnded ||
        joined->state == RunState::kUnknown)
      return free(node, FreeReason::kUnknownHolders);
    add_edge(node, joined->id, 0, EdgeReason::kJoined);
  }

  // A task whose last poll returned pending: OR over who can act on the
  // resources its wakers were registered on. No live waker, no wake since its
  // poll, and a waker count we can trust: nobody will ever poll it again.
  void idle_task(const Agent& task, WaitNode& node) {
    node.status = NodeStatus::kBlocked;
    node.condition = Condition::kOr;
    node.idle_task = true;
    if (task.wakers_known && state_.wakers_instrumented && task.wakers == 0 &&
        !task.woken_since_poll) {
      node.no_waker = true;
      return;
    }
    if (task.wakers <= 0 || task.registered_on.empty())
      return free(node, FreeReason::kUnknownHolders);
    for (ResourceId id : task.registered_on) {
      const Resource* resource = state_.resources.find(id);
      if (resource == nullptr) return free(node, FreeReason::kUnknownHolders);
      if (resource->is_channel()) {
        if (!resource->endpoints_known) return free(node, FreeReason::kUnknownHolders);
        for (EndpointId ep : resource->endpoints) {
          const Endpoint* endpoint = state_.endpoints.find(ep);
          const Agent* holder = endpoint ? state_.agents.find(endpoint->holder) : nullptr;
          if (holder == nullptr || holder->state == RunState::kEnded || endpoint->ambiguous ||
              endpoint->strength == EndpointStrength::kCreated)
            return free(node, FreeReason::kUnknownHolders);
          if (holder->id != task.id) add_edge(node, holder->id, id, EdgeReason::kWaker);
        }
      } else if (resource->owner != 0 && resource->owner != task.id) {
        if (!add_edge(node, resource->owner, id, EdgeReason::kWaker))
          return free(node, FreeReason::kUnknownHolders);
      } else {
        return free(node, FreeReason::kUnknownHolders);
      }
    }
    if (node.edges.empty()) free(node, FreeReason::kUnknownHolders);
  }

  const State& state_;
  std::vector<WaitNode>& nodes_;
  std::unordered_map<AgentId, uint32_t>& index_;
  std::unordered_map<ResourceId, std::vector<AgentId>> lock_waiters_;
};

}  // namespace

const char* edge_reason_text(EdgeReason reason) {
  switch (reason) {
    case EdgeReason::kOwns:
      return "owns";
    case EdgeReason::kHoldsShared:
      return "holds shared";
    case EdgeReason::kQueuedWriter:
      return "queued writer of";
    case EdgeReason::kHoldsUnits:
      return "holds units of";
    case EdgeReason::kPosted:
      return "posted";
    case EdgeReason::kNotified:
      return "notified";
    case EdgeReason::kUsesMutex:
      return "uses the mutex of";
    case EdgeReason::kReceiver:
      return "receives from";
    case EdgeReason::kSender:
      return "sends to";
    case EdgeReason::kJoined:
      return "joined";
    case EdgeReason::kPolls:
      return "polls";
    case EdgeReason::kWaker:
      return "can wake";
    case EdgeReason::kAnyone:
      return "could act on";
  }
  return "";
}

WaitForGraph WaitForGraph::build(const State& state, uint32_t threads_at_hang) {
  WaitForGraph graph;
  std::unordered_map<AgentId, uint32_t> index;
  GraphBuilder builder(state, graph.nodes_, index);
  builder.build();
  if (threads_at_hang > 0) builder.close_world(threads_at_hang);
  graph.sorted_ids_.assign(index.begin(), index.end());
  std::sort(graph.sorted_ids_.begin(), graph.sorted_ids_.end());
  return graph;
}

std::optional<uint32_t> WaitForGraph::index_of(AgentId agent) const {
  auto it =
      std::lower_bound(sorted_ids_.begin(), sorted_ids_.end(), std::make_pair(agent, uint32_t{0}));
  if (it == sorted_ids_.end() || it->first != agent) return std::nullopt;
  return it->second;
}

const WaitEdge* edge_between(const WaitForGraph& graph, uint32_t from, uint32_t to) {
  for (const WaitEdge& edge : graph.node(from).edges)
    if (edge.to == to) return &edge;
  return nullptr;
}

}  // namespace taskscope::analyzer
