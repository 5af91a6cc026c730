// The shared context of the replay trackers: the State they all update and the
// few operations more than one of them needs (finding or creating records,
// forgetting ended agents). Every tracker takes a pointer to one ReplayContext,
// as the trackers of Perfetto's trace processor share a TraceProcessorContext.
#pragma once

#include "taskscope/format/event.hpp"
#include "taskscope/model/state.hpp"

namespace taskscope::model::replay {

using format::Event;
using format::EventKind;

class ReplayContext {
 public:
  explicit ReplayContext(State* state) : state_(state) {}

  State& state() { return *state_; }

  // The agent record for `id`, created in the unknown state if never seen.
  // Inline: every event looks up one or two agents, most of them cached.
  Agent& agent(AgentId id) {
    const CachedThread& cached = agent_cache_[id % kThreadCache];
    if (cached.id == id && cached.agent != nullptr) return *cached.agent;
    return agent_slow(id);
  }
  // The recording thread of a live event: known to be a running thread.
  Agent& thread(AgentId id, int64_t ts) {
    const CachedThread& cached = thread_cache_[id % kThreadCache];
    if (cached.id == id && cached.agent != nullptr && cached.agent->observed) return *cached.agent;
    return thread_slow(id, ts);
  }
  // The resource record for `id`; `hint` fills in an unknown kind.
  Resource& resource(ResourceId id, format::ResourceKind hint, int64_t ts);

  // Gives `agent` the name `name` (and its "#N" ordinal among same-named agents).
  void set_name(Agent& agent, StringId name);
  void set_state(Agent& agent, RunState state, int64_t ts);
  // Records a parent link (keeps the parent while the child is remembered).
  void set_parent(Agent& child, AgentId parent);
  // Records that `id` ended; retires the oldest remembered ended agent when
  // there are more than State::kRememberEnded.
  void ended(AgentId id);
  // Forgets a retired ended agent once nothing refers to it: it holds nothing
  // and no remembered agent names it as parent. Cascades up the spawn chain.
  void forget_if_done(AgentId id);
  // Removes a hold of `resource` from `agent` (all of it when count is 0).
  void drop_hold(Agent& agent, ResourceId resource, format::LockMode mode, uint32_t count);

  // Ends `agent`'s wait without its WaitEnd (it ended, or its poll returned).
  void clear_wait(Agent& agent);

  void flag_inconsistency() { ++state_->inconsistencies; }
  void mark_partial() { state_->partial = true; }

 private:
  Agent& agent_slow(AgentId id);
  Agent& thread_slow(AgentId id, int64_t ts);

  // The recording thread of most events is one of a few: a direct-mapped cache
  // of their records saves a hash lookup per event. Entries are cleared when
  // their agent is forgotten.
  struct CachedThread {
    AgentId id = 0;
    Agent* agent = nullptr;
  };
  static constexpr size_t kThreadCache = 64;
  CachedThread thread_cache_[kThreadCache];
  // The same for any agent (the acting task of most events is looked up by
  // several trackers and observers).
  CachedThread agent_cache_[kThreadCache];

  State* state_;
};

}  // namespace taskscope::model::replay
