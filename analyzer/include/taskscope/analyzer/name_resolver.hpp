// The naming service: how a trace's agents, resources and source locations read,
// in every command (docs/architecture.md, "Names").
//
//   agent     its name, a start routine's "sym:0x..." read as the function
//             ("worker", "main::{lambda()#1}"); "#N" appended when several agents
//             got that name (N: the order they got it in); else "thread-<id>"
//   resource  its name, a static object's "sym:0x..." read as the variable
//             ("account_lock", "accounts+0x28"); else "<kind>@<file:line of its
//             first use>"; else "<kind>-<id>"
//   location  "pc:0x..." read as "file:line (function)", a short stack as
//             "a <- b"; recorded source locations tidied the same way
//
// Addresses move with every run of a PIE binary; these names do not, which is
// what lets `diff` match the agents and resources of two runs. With no debug
// info or symbol for an address, a name falls back as above, never to the
// address. The replay State (Names) and the streaming consumers (NameCatalog,
// the stats pass) give the identities; the rules live here only.
//
// Invariant: modules given to add_module() reach the symbolizer before any
// name is resolved; their paths are strings, which may arrive in the trace
// after the kModuleMap event, so they are looked up then.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "taskscope/analyzer/state.hpp"
#include "taskscope/analyzer/symbolizer.hpp"
#include "taskscope/format/event.hpp"

namespace taskscope::analyzer {

// What names an agent, wherever it is known from.
struct AgentIdentity {
  AgentType type = AgentType::kUnknown;
  AgentId id = 0;
  StringId name = 0;
  uint32_t ordinal = 0;  // 1-based among the agents that got `name`
  uint32_t sharing = 0;  // how many agents got `name`: the ordinal shows when > 1
};

// What names a resource, wherever it is known from.
struct ResourceIdentity {
  format::ResourceKind kind = format::ResourceKind::kUnknown;
  ResourceId id = 0;
  StringId name = 0;
  StringId first_location = 0;  // first source location it was used at
};

class NameResolver {
 public:
  // String ids to text: format::TraceReader::string, or a StringTable.
  using Lookup = std::function<std::string_view(StringId)>;

  // With a symbolizer of its own, fed by add_module().
  explicit NameResolver(Lookup strings);
  // With a symbolizer that already knows the trace's modules (analyze's).
  NameResolver(Lookup strings, const Symbolizer& symbolizer);
  ~NameResolver();
  NameResolver(const NameResolver&) = delete;
  NameResolver& operator=(const NameResolver&) = delete;

  // A module of the recorded process (a kModuleMap event).
  void add_module(uint64_t load_address, uint64_t size, StringId path);
  // Its build id (a kModuleBuildId event).
  void add_build_id(uint64_t load_address, StringId build_id);

  std::string_view text(StringId id) const;  // "" for 0 or unknown
  // A recorded name as a person reads it: "sym:0x..." becomes the function or
  // variable; "" when it stays an address (no module or symbol covers it).
  std::string symbolic(StringId name) const;
  // "src/bank.c:41 (transfer)"; "" for 0.
  std::string location(StringId id) const;
  // The file:line of a location without its function: "src/bank.c:41".
  std::string place(StringId id) const;

  std::string agent(const AgentIdentity& who) const;        // "fetch#3", "thread-7"
  std::string resource(const ResourceIdentity& what) const;  // "results", "mutex@bank.c:37"
  // With its kind: `channel "results"`, `mutex@bank.c:37`.
  std::string resource_phrase(const ResourceIdentity& what) const;
  // The resource's name is the program's (given, or a static variable's), not
  // made up from its kind and first use.
  bool resource_named(const ResourceIdentity& what) const { return !symbolic(what.name).empty(); }
  // The phrase rule: a program's name quoted after the kind word, a made-up one
  // (which holds its kind) alone. For renderers that have only a finding's data.
  static std::string phrase(std::string_view kind_word, const std::string& name, bool named) {
    return named ? std::string(kind_word) + " \"" + name + "\"" : name;
  }
  static std::string kind_word(format::ResourceKind kind);  // "resource" when unknown

 private:
  struct PendingModule {
    uint64_t load_address, size;
    StringId path;
    bool is_build_id;  // a kModuleBuildId: `path` is the build id
  };
  // The symbolizer, with every pending module added. Call with mutex_ held.
  const Symbolizer& symbolizer() const;

  Lookup strings_;
  std::unique_ptr<Symbolizer> own_;
  const Symbolizer* symbolizer_;
  // Names are asked for many times (dump: every event); resolved once each.
  mutable std::mutex mutex_;
  mutable std::vector<PendingModule> pending_;
  mutable std::unordered_map<StringId, std::string> symbolic_, locations_;
};

}  // namespace taskscope::analyzer
