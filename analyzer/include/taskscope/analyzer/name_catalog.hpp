// The identities a command's own pass over the events meets (agents with their
// names and "#N" ordinals, resources with their kind, name and first use, the
// module map), named by the naming service's rules (name_resolver.hpp). For the
// commands that do not replay the trace (dump, info): they name things exactly as
// `analyze` does, without paying for a replay.
//
// Feed every event, in time order, to learn(); ask for names once the events
// that introduce them have been learnt (names are resolved when asked, so module
// paths written late in the trace are found). An agent's ordinal is the order in
// which it got its name, as the replay gives it (analyzer/src/replay/context.cpp);
// "#N" shows when more agents got that name by the time of asking.
//
// Memory grows with the agents and resources of the trace, not with its events;
// a consumer that forgets ended agents (forget_agent) keeps it to the live ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "taskscope/analyzer/name_resolver.hpp"
#include "taskscope/format/event.hpp"

namespace taskscope::analyzer {

class NameCatalog {
 public:
  explicit NameCatalog(NameResolver::Lookup strings);

  void learn(const format::Event& event);

  std::string agent(AgentId id) const;     // "fetch#3", "thread-7"; "agent-<id>" if never met
  std::string resource(ResourceId id) const;         // "results", "mutex@bank.c:37"
  std::string resource_phrase(ResourceId id) const;  // `channel "results"`, `mutex@bank.c:37`
  std::string location(StringId id) const { return resolver_.location(id); }
  const NameResolver& resolver() const { return resolver_; }

  bool knows_agent(AgentId id) const { return agents_.count(id) != 0; }
  AgentType agent_type(AgentId id) const;
  // The agents met, by id.
  std::vector<AgentId> agent_ids() const;

  // True when agent(id) can no longer change as more events are learnt, for an
  // agent that gets no new name: it has no name (named by its id), or others
  // share its name, so its "#N" shows. An ended agent whose name is settled can
  // be named, then forgotten.
  bool name_settled(AgentId id) const;
  // Drops what is known of the agent (asked for again, it reads "agent-<id>").
  void forget_agent(AgentId id) { agents_.erase(id); }

 private:
  struct AgentEntry {
    AgentType type = AgentType::kUnknown;
    StringId name = 0;
    uint32_t ordinal = 0;
  };
  AgentEntry& agent_entry(AgentId id, AgentType type);
  void name_agent(AgentId id, AgentType type, StringId name);
  ResourceIdentity& resource_entry(ResourceId id, format::ResourceKind hint);
  void used_at(ResourceId id, format::ResourceKind hint, StringId location);

  NameResolver resolver_;
  std::unordered_map<AgentId, AgentEntry> agents_;
  std::unordered_map<StringId, uint32_t> name_counts_;
  std::unordered_map<ResourceId, ResourceIdentity> resources_;
};

}  // namespace taskscope::analyzer
