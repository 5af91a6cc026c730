// Who holds which lock, for the export's hold slices (private to the analyzer).
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "taskscope/format/event.hpp"
#include "taskscope/model/event_table.hpp"

namespace taskscope::analyzer {

// A hold runs from an agent's first acquisition of a lock in one mode to the
// release that undoes its last one, so recursive acquisitions make one hold and
// each reader of a shared lock has its own. The rules for a lost release follow
// replay's LockTracker (docs/event-model.md, "Ownership"): an exclusive
// acquisition of a lock another agent holds exclusively, or an exclusive release
// by an agent that does not hold it, ends the owner's hold.
// Invariant: holders_[lock] lists the agents holding it, each with depth >= 1. A
// lock keeps its (then empty) entry until it is destroyed, so that taking it
// again costs no allocation; memory is bounded by the live locks. holds_of_
// counts each agent's holds, so forgetting an agent that holds nothing is free.
class LockHolds {
 public:
  using AgentId = model::AgentId;
  using ResourceId = model::ResourceId;
  using LockMode = format::LockMode;

  // Returns true when this acquisition starts a hold (it is not a recursive one).
  // `displaced` is set to the agent whose hold it ends (a lost release), else 0.
  bool acquire(AgentId agent, ResourceId lock, LockMode mode, AgentId& displaced) {
    displaced = 0;
    std::vector<Holder>& holders = holders_[lock];
    if (Holder* held = find(holders, agent, mode)) {
      ++held->depth;
      return false;
    }
    if (mode == LockMode::kExclusive) {
      auto owner = std::find_if(holders.begin(), holders.end(),
                                [](const Holder& h) { return h.mode == LockMode::kExclusive; });
      if (owner != holders.end()) {
        displaced = owner->agent;
        holders.erase(owner);
        dropped(displaced);
      }
    }
    holders.push_back({agent, mode, 1});
    ++holds_of_[agent];
    return true;
  }

  // Returns the agent whose hold this release ends, or 0 when none does (a
  // recursive level, or a lock acquired before the trace began).
  AgentId release(AgentId agent, ResourceId lock, LockMode mode) {
    auto found = holders_.find(lock);
    if (found == holders_.end()) return 0;
    std::vector<Holder>& holders = found->second;
    Holder* held = find(holders, agent, mode);
    if (held == nullptr && mode == LockMode::kExclusive) held = find_mode(holders, mode);
    if (held == nullptr || --held->depth > 0) return 0;
    const AgentId ended = held->agent;
    holders.erase(holders.begin() + (held - holders.data()));
    dropped(ended);
    return ended;
  }

  // An agent that ended holds nothing any more (its track closed its slices).
  void forget(AgentId agent) {
    if (holds_of_.erase(agent) == 0) return;
    for (auto& [lock, holders] : holders_)
      std::erase_if(holders, [agent](const Holder& h) { return h.agent == agent; });
  }
  void destroyed(ResourceId lock) { holders_.erase(lock); }

 private:
  struct Holder {
    AgentId agent;
    LockMode mode;
    uint32_t depth;
  };
  void dropped(AgentId agent) {
    auto it = holds_of_.find(agent);
    if (it != holds_of_.end() && --it->second == 0) holds_of_.erase(it);
  }
  static Holder* find(std::vector<Holder>& holders, AgentId agent, LockMode mode) {
    for (Holder& h : holders)
      if (h.agent == agent && h.mode == mode) return &h;
    return nullptr;
  }
  static Holder* find_mode(std::vector<Holder>& holders, LockMode mode) {
    for (Holder& h : holders)
      if (h.mode == mode) return &h;
    return nullptr;
  }

  std::unordered_map<ResourceId, std::vector<Holder>> holders_;
  std::unordered_map<AgentId, uint32_t> holds_of_;  // holds per agent, only agents with some
};

}  // namespace taskscope::analyzer
