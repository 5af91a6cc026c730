#include "context.hpp"

#include <algorithm>

namespace taskscope::model::replay {

Agent& ReplayContext::agent_slow(AgentId id) {
  bool created = false;
  Agent& record = state_->agents.insert(id, &created);  // id 0: a scratch record
  if (created) record.state_since_ns = state_->now_ns;
  if (id != 0) agent_cache_[id % kThreadCache] = CachedThread{id, &record};
  return record;
}

Agent& ReplayContext::thread_slow(AgentId id, int64_t ts) {
  Agent& record = agent(id);
  if (id != 0) thread_cache_[id % kThreadCache] = CachedThread{id, &record};
  if (!record.observed) {
    record.observed = true;
    if (record.type == AgentType::kUnknown) record.type = AgentType::kThread;
    if (record.state == RunState::kUnknown) set_state(record, RunState::kRunning, ts);
  }
  return record;
}

Resource& ReplayContext::resource(ResourceId id, format::ResourceKind hint, int64_t ts) {
  bool created = false;
  Resource& record = state_->resources.insert(id, &created);
  if (created) record.first_seen_ns = ts;
  if (record.kind == format::ResourceKind::kUnknown) record.kind = hint;
  return record;
}

void ReplayContext::set_name(Agent& agent, StringId name) {
  if (name == 0 || name == agent.name) return;
  agent.name = name;
  agent.ordinal = ++state_->name_counts[name];
}

void ReplayContext::set_state(Agent& agent, RunState state, int64_t ts) {
  if (agent.state == state) return;
  agent.state = state;
  agent.state_since_ns = ts;
}

void ReplayContext::set_parent(Agent& child, AgentId parent) {
  if (parent == 0 || parent == child.id || child.parent == parent) return;
  if (Agent* old = state_->agents.find(child.parent)) {
    if (old->live_children > 0) --old->live_children;
  }
  child.parent = parent;
  agent(parent).live_children++;
}

void ReplayContext::ended(AgentId id) {
  state_->recently_ended.push_back(id);
  while (state_->recently_ended.size() > State::kRememberEnded) {
    const AgentId oldest = state_->recently_ended.front();
    state_->recently_ended.pop_front();
    if (Agent* record = state_->agents.find(oldest)) {
      if (record->state != RunState::kEnded) continue;  // id reused by a live agent
      record->retired = true;
      forget_if_done(oldest);
    }
  }
}

void ReplayContext::forget_if_done(AgentId id) {
  // Walks up the spawn chain: forgetting a child may make its ended parent free.
  for (int guard = 0; guard < 1 << 16 && id != 0; ++guard) {
    Agent* record = state_->agents.find(id);
    if (record == nullptr || record->state != RunState::kEnded || !record->retired) return;
    if (!record->holds.empty() || record->live_children > 0) return;
    const AgentId parent = record->parent;
    CachedThread& cached = thread_cache_[id % kThreadCache];
    if (cached.id == id) cached = CachedThread{};
    CachedThread& any = agent_cache_[id % kThreadCache];
    if (any.id == id) any = CachedThread{};
    state_->agents.erase(id);
    Agent* up = state_->agents.find(parent);
    if (up == nullptr) return;
    if (up->live_children > 0) --up->live_children;
    id = parent;
  }
}

void ReplayContext::clear_wait(Agent& agent) {
  if (!agent.waiting) return;
  agent.waiting = false;
  if (agent.wait.op == format::WaitOp::kJoin) return;
  if (Resource* resource = state_->resources.find(agent.wait.resource))
    if (resource->waiters > 0) --resource->waiters;
}

void ReplayContext::drop_hold(Agent& agent, ResourceId resource, format::LockMode mode,
                              uint32_t count) {
  auto it = std::find_if(agent.holds.begin(), agent.holds.end(), [&](const Hold& hold) {
    return hold.resource == resource && hold.mode == mode;
  });
  if (it == agent.holds.end()) return;
  if (count != 0 && it->count > count) {
    it->count -= count;
    return;
  }
  agent.holds.erase(it);
}

}  // namespace taskscope::model::replay
