// How agents, resources, source locations and times read in analyze's reports:
// the naming service (name_resolver.hpp, whose rules these are) over the replay
// State. Agents are shown by name, with "#N" appended when several agents share
// that name (N is the order in which they got it); unnamed agents as
// "thread-<id>" or "task-<id>". Resources by name, else "<kind>@<first source
// location>". Every location passes through the Symbolizer ("pc:0x..." becomes
// file:line). Commands that do not replay name things with NameCatalog, by the
// same rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "taskscope/analyzer/finding.hpp"
#include "taskscope/analyzer/name_resolver.hpp"
#include "taskscope/analyzer/state.hpp"
#include "taskscope/analyzer/symbolizer.hpp"

namespace taskscope::analyzer {

// String ids to text, as format::TraceReader::strings() provides them.
using StringTable = std::unordered_map<uint32_t, std::string>;

class Names {
 public:
  Names(const State& state, const StringTable& strings, const Symbolizer& symbolizer);

  std::string_view text(StringId id) const;  // "" for 0 or unknown
  std::string agent(AgentId id) const;       // "fetch#3"
  // Display name from its parts (for agents no longer in the state).
  std::string agent(AgentType type, AgentId id, StringId name, uint32_t ordinal) const;
  AgentRef agent_ref(AgentId id) const;
  std::string resource(ResourceId id) const;  // "results", "mutex@bank.c:37"
  // What names it, from the state (a destroyed one by its remembered name).
  ResourceIdentity resource_identity(ResourceId id) const;
  // With its kind: `channel "results"`, `mutex@bank.c:37`.
  std::string resource_phrase(ResourceId id) const;
  ResourceRef resource_ref(ResourceId id) const;
  // "bank.c:41 (transfer)"; "" for 0.
  std::string location(StringId id) const;
  // How an ended agent ended: "exited at 0.42 s", or for a thread that called
  // pthread_exit "exited at 0.42 s by pthread_exit at bank.c:41 (reload)".
  std::string exit_phrase(const Agent& agent) const;
  // "sending on channel \"results\"", "locking mutex@bank.c:37", "joining fetch#3".
  std::string wait_phrase(const Wait& wait) const;

  const NameResolver& resolver() const { return resolver_; }

  static std::string duration(int64_t ns);  // "11.6 s", "240 ms", "35 us"
  static std::string time(int64_t ns);      // "0.42 s" (trace time)
  static std::string count(uint64_t n);     // "48,112"

 private:
  bool known(ResourceId id) const;

  const State& state_;
  const StringTable& strings_;
  NameResolver resolver_;
};

}  // namespace taskscope::analyzer
