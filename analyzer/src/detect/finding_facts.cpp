#include "finding_facts.hpp"

#include <algorithm>
#include <unordered_set>

namespace taskscope::analyzer {

namespace {

using format::WaitOp;

// Spawn chains are cut here, as the text story cuts them.
constexpr int kMaxSpawnDepth = 8;

bool names_agent(WaitOp op) { return op == WaitOp::kJoin; }

}  // namespace

WaitKind wait_kind_of(WaitOp op) {
  switch (op) {
    case WaitOp::kLock:
      return WaitKind::kLock;
    case WaitOp::kReadLock:
      return WaitKind::kReadLock;
    case WaitOp::kAcquire:
      return WaitKind::kSemaphore;
    case WaitOp::kCondWait:
      return WaitKind::kCondvar;
    case WaitOp::kSend:
      return WaitKind::kSend;
    case WaitOp::kRecv:
      return WaitKind::kRecv;
    case WaitOp::kJoin:
      return WaitKind::kJoin;
    case WaitOp::kIo:
      return WaitKind::kIo;
    case WaitOp::kSleep:
      return WaitKind::kSleep;
    case WaitOp::kBarrier:
      return WaitKind::kBarrier;
    case WaitOp::kFutexWait:
      return WaitKind::kFutex;
    case WaitOp::kOther:
      break;
  }
  return WaitKind::kOther;
}

WaitReason wait_reason_of(EdgeReason reason) {
  switch (reason) {
    case EdgeReason::kOwns:
      return WaitReason::kOwns;
    case EdgeReason::kHoldsShared:
      return WaitReason::kHoldsShared;
    case EdgeReason::kQueuedWriter:
      return WaitReason::kQueuedWriter;
    case EdgeReason::kHoldsUnits:
      return WaitReason::kHoldsUnits;
    case EdgeReason::kPosted:
      return WaitReason::kPosted;
    case EdgeReason::kNotified:
      return WaitReason::kNotified;
    case EdgeReason::kUsesMutex:
      return WaitReason::kUsesMutex;
    case EdgeReason::kReceiver:
      return WaitReason::kReceiver;
    case EdgeReason::kSender:
      return WaitReason::kSender;
    case EdgeReason::kJoined:
      return WaitReason::kJoined;
    case EdgeReason::kPolls:
      return WaitReason::kPolls;
    case EdgeReason::kWaker:
      return WaitReason::kWaker;
    case EdgeReason::kAnyone:
      break;
  }
  return WaitReason::kAnyone;
}

SourceLocation FindingFacts::location(StringId id) const {
  std::string text = names_.location(id);
  if (text.empty()) return {};
  return SourceLocation::from_text(std::move(text));
}

NamedId FindingFacts::agent(AgentId id) const { return NamedId{id, names_.agent(id)}; }

NamedId FindingFacts::resource(ResourceId id) const { return NamedId{id, names_.resource(id)}; }

FindingWait FindingFacts::wait_of(const Agent& agent) const {
  const Names& names = names_;
  FindingWait wait;
  wait.agent = this->agent(agent.id);
  if (agent.waiting) {
    wait.kind = wait_kind_of(agent.wait.op);
    if (!names_agent(agent.wait.op) && agent.wait.resource != 0 &&
        state_.resources.find(agent.wait.resource) != nullptr)
      wait.resource = resource(agent.wait.resource);
    wait.since_ns = agent.wait.since_ns;
    wait.location = location(agent.wait.location);
    wait.text = wait.agent.name + " " + names.wait_phrase(agent.wait);
  } else if (agent.state == RunState::kIdle) {
    wait.kind = WaitKind::kPending;
    wait.since_ns = agent.last_poll_end_ns;
    wait.text = wait.agent.name + " pending since its last poll returned";
  } else if (!agent.polling.empty()) {
    wait.kind = WaitKind::kPollHeld;
    wait.since_ns = agent.state_since_ns;
    wait.text = wait.agent.name + " held by the poll of " + names.agent(agent.polling.back());
  } else {
    wait.since_ns = agent.state_since_ns;
    wait.text = wait.agent.name + " " + run_state_name(agent.state);
  }
  return wait;
}

void FindingFacts::add_waits(Finding& finding, uint32_t node, std::optional<uint32_t> to,
                             bool in_cycle) const {
  const WaitNode& from = graph_.node(node);
  const Agent* agent = state_.agents.find(from.agent);
  if (agent == nullptr) return;
  const auto known = [&](AgentId target) {
    return std::any_of(finding.wait_edges.begin(), finding.wait_edges.end(),
                       [&](const FindingWait& w) {
                         return w.agent.id == from.agent &&
                                (w.waits_for ? w.waits_for->id == target : target == 0);
                       });
  };
  if (from.edges.empty()) {
    if (!known(0)) finding.wait_edges.push_back(wait_of(*agent));
    return;
  }
  for (const WaitEdge& edge : from.edges) {
    if (to && edge.to != *to) continue;
    const AgentId target = graph_.node(edge.to).agent;
    if (known(target)) continue;
    finding.wait_edges.push_back(edge_wait(*agent, edge, in_cycle));
  }
}

// How the agent at the edge's end holds the channel's other end; items and the
// last time only when it moved the channel's last item that way.
std::optional<EndpointUse> FindingFacts::endpoint_use(const WaitEdge& edge) const {
  const Endpoint* endpoint = state_.endpoints.find(edge.endpoint);
  if (endpoint == nullptr) return std::nullopt;
  EndpointUse use;
  use.strength = endpoint_strength_name(endpoint->strength);
  const Resource* channel = state_.resources.find(edge.resource);
  if (endpoint->strength == EndpointStrength::kUsed && channel != nullptr) {
    const bool receiver = edge.reason == EdgeReason::kReceiver;
    const uint64_t count = receiver ? channel->recvs : channel->sends;
    const int64_t last = receiver ? channel->last_recv_ns : channel->last_send_ns;
    const AgentId last_agent = receiver ? channel->last_receiver : channel->last_sender;
    if (count > 0 && last >= 0 && last_agent == graph_.node(edge.to).agent) {
      use.items = count;
      use.last_ns = last;
    }
  }
  return use;
}

FindingWait FindingFacts::edge_wait(const Agent& agent, const WaitEdge& edge, bool in_cycle) const {
  FindingWait wait = wait_of(agent);
  wait.waits_for = this->agent(graph_.node(edge.to).agent);
  wait.reason = wait_reason_of(edge.reason);
  if (edge.resource != 0 && state_.resources.find(edge.resource) != nullptr)
    wait.resource = resource(edge.resource);
  wait.in_cycle = in_cycle;
  wait.assumed = edge.assumed;
  if (edge.reason == EdgeReason::kReceiver || edge.reason == EdgeReason::kSender)
    wait.endpoint = endpoint_use(edge);
  return wait;
}

std::vector<FindingWait> FindingFacts::graph_waits() const {
  std::vector<FindingWait> waits;
  for (const WaitNode& node : graph_.nodes()) {
    if (node.edges.empty()) continue;
    const Agent* agent = state_.agents.find(node.agent);
    if (agent == nullptr) continue;
    for (const WaitEdge& edge : node.edges) waits.push_back(edge_wait(*agent, edge, false));
  }
  return waits;
}

void FindingFacts::complete(AgentRef& ref) const {
  const State& state = state_;
  const Agent* agent = state.agents.find(ref.id);
  if (agent == nullptr) {
    ref.state = "forgotten";
    return;
  }
  ref.type = agent_type_name(agent->type);
  ref.state = run_state_name(agent->state);
  ref.spawned_at = location(agent->spawn_location);
  ref.spawn_chain.clear();
  std::unordered_set<AgentId> seen{agent->id};
  const Agent* child = agent;
  for (int depth = 0; child->parent != 0 && depth < kMaxSpawnDepth; ++depth) {
    if (!seen.insert(child->parent).second) break;
    const Agent* parent = state.agents.find(child->parent);
    SpawnStep step;
    step.id = child->parent;
    step.name = names_.agent(child->parent);
    step.type = agent_type_name(parent ? parent->type : AgentType::kUnknown);
    if (parent != nullptr) step.spawned_at = location(parent->spawn_location);
    ref.spawn_chain.push_back(std::move(step));
    if (parent == nullptr) break;
    child = parent;
  }
  ref.holds.clear();
  for (const Hold& hold : agent->holds) {
    const Resource* held = state.resources.find(hold.resource);
    AgentHold out;
    out.resource = resource(hold.resource);
    out.mode = held && held->kind == format::ResourceKind::kSemaphore ? HoldMode::kUnits
               : hold.mode == format::LockMode::kShared               ? HoldMode::kShared
                                                                      : HoldMode::kExclusive;
    out.count = hold.count;
    out.since_ns = hold.since_ns;
    out.location = location(hold.location);
    ref.holds.push_back(std::move(out));
  }
}

void FindingFacts::complete(ResourceRef& ref) const {
  const Resource* resource = state_.resources.find(ref.id);
  if (resource == nullptr) {
    ref.live = false;
    return;
  }
  ref.live = true;
  ref.first_used_at = location(resource->first_location);
  ref.owner.reset();
  ref.holders.clear();
  if (resource->owner != 0) {
    ref.owner = agent(resource->owner);
    ref.holders.push_back(ResourceHolder{*ref.owner, HoldMode::kExclusive,
                                         std::max<int64_t>(1, resource->owner_depth)});
  }
  for (AgentId reader : resource->readers)
    ref.holders.push_back(ResourceHolder{agent(reader), HoldMode::kShared, 1});
  for (const auto& [holder, units] : resource->unit_holders)
    ref.holders.push_back(ResourceHolder{agent(holder), HoldMode::kUnits, units});
  ref.waiters = resource->waiters;
  if (resource->is_channel()) {
    ChannelState channel;
    channel.capacity = resource->capacity;
    channel.depth_known = resource->depth_known;
    channel.depth = resource->depth;
    channel.closed = resource->closed;
    channel.sends = resource->sends;
    channel.recvs = resource->recvs;
    ref.channel = channel;
  } else {
    ref.channel.reset();
  }
}

void FindingFacts::complete(Finding& finding) const {
  for (AgentRef& ref : finding.agents) complete(ref);
  for (ResourceRef& ref : finding.resources) complete(ref);
}

}  // namespace taskscope::analyzer
