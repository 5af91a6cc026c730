// Identities met in a command's own pass, named by the naming service (see
// name_catalog.hpp).
#include "taskscope/analyzer/name_catalog.hpp"

#include <algorithm>

#include "taskscope/model/event_views.hpp"
#include "taskscope/model/wait_kinds.hpp"

namespace taskscope::analyzer {

using format::ResourceKind;

NameCatalog::NameCatalog(NameResolver::Lookup strings) : resolver_(std::move(strings)) {}

NameCatalog::AgentEntry& NameCatalog::agent_entry(AgentId id, AgentType type) {
  AgentEntry& entry = agents_[id];
  if (type != AgentType::kUnknown) entry.type = type;
  return entry;
}

// The replay's rule (ReplayContext::set_name): each new name an agent gets
// counts it among that name's agents.
void NameCatalog::name_agent(AgentId id, AgentType type, StringId name) {
  AgentEntry& entry = agent_entry(id, type);
  if (name == 0 || name == entry.name) return;
  entry.name = name;
  entry.ordinal = ++name_counts_[name];
}

ResourceIdentity& NameCatalog::resource_entry(ResourceId id, ResourceKind hint) {
  ResourceIdentity& entry = resources_[id];
  entry.id = id;
  if (entry.kind == ResourceKind::kUnknown) entry.kind = hint;
  return entry;
}

void NameCatalog::used_at(ResourceId id, ResourceKind hint, StringId location) {
  if (id == 0) return;
  ResourceIdentity& entry = resource_entry(id, hint);
  if (entry.first_location == 0) entry.first_location = location;
}

void NameCatalog::learn(const format::Event& event) {
  // A live event's recording thread is a thread (a snapshot's names the acting
  // agent, of whatever type it is).
  if (!(event.flags & format::kFlagSnapshot) && event.thread != 0)
    agent_entry(event.thread, AgentType::kThread);
  model::visit(event, model::overloaded{
      [&](const model::ThreadStart& v) { name_agent(v.agent(), AgentType::kThread, v.name()); },
      [&](const model::ThreadEnd& v) { agent_entry(v.agent(), AgentType::kThread); },
      [&](const model::ThreadCreate& v) { agent_entry(v.agent(), AgentType::kThread); },
      [&](const model::ThreadDetach& v) { agent_entry(v.agent(), AgentType::kThread); },
      [&](const model::AgentName& v) { name_agent(v.agent(), AgentType::kUnknown, v.name()); },
      [&](const model::TaskSpawn& v) { name_agent(v.task(), AgentType::kTask, v.name()); },
      [&](const model::ResourceCreate& v) {
        if (v.resource() == 0) return;
        ResourceIdentity& entry = resources_[v.resource()];
        entry.id = v.resource();
        if (v.resource_kind() != ResourceKind::kUnknown) entry.kind = v.resource_kind();
        if (v.name() != 0) entry.name = v.name();
      },
      [&](const model::WaitBegin& v) {
        if (v.op() == format::WaitOp::kJoin) return;
        used_at(v.resource(), model::resource_kind_waited_on(v.op()), v.location());
      },
      [&](const model::Acquired& v) {
        used_at(v.resource(),
                v.mode() == format::LockMode::kShared ? ResourceKind::kRwLock : ResourceKind::kMutex,
                v.location());
      },
      [&](const model::ChannelSend& v) {
        // A snapshot only restates the depth: it is no use of the channel.
        used_at(v.channel(), ResourceKind::kChannel, v.snapshot() ? 0 : v.location());
      },
      [&](const model::ChannelRecv& v) {
        used_at(v.channel(), ResourceKind::kChannel, v.location());
      },
      [&](const model::ModuleMap& v) {
        resolver_.add_module(v.load_address(), v.size(), v.path());
      },
      [&](const model::ModuleBuildId& v) {
        resolver_.add_build_id(v.load_address(), v.build_id());
      },
      [](const auto&) {}});
}

std::string NameCatalog::agent(AgentId id) const {
  auto it = agents_.find(id);
  if (it == agents_.end()) return "agent-" + std::to_string(id);
  const AgentEntry& entry = it->second;
  auto count = name_counts_.find(entry.name);
  return resolver_.agent(AgentIdentity{entry.type, id, entry.name, entry.ordinal,
                                       count == name_counts_.end() ? 0 : count->second});
}

bool NameCatalog::name_settled(AgentId id) const {
  auto it = agents_.find(id);
  if (it == agents_.end() || it->second.name == 0) return true;
  auto count = name_counts_.find(it->second.name);
  return count != name_counts_.end() && count->second > 1;
}

AgentType NameCatalog::agent_type(AgentId id) const {
  auto it = agents_.find(id);
  return it == agents_.end() ? AgentType::kUnknown : it->second.type;
}

std::vector<AgentId> NameCatalog::agent_ids() const {
  std::vector<AgentId> ids;
  ids.reserve(agents_.size());
  for (const auto& [id, entry] : agents_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string NameCatalog::resource(ResourceId id) const {
  auto it = resources_.find(id);
  if (it == resources_.end()) return "resource-" + std::to_string(id);
  return resolver_.resource(it->second);
}

std::string NameCatalog::resource_phrase(ResourceId id) const {
  auto it = resources_.find(id);
  if (it == resources_.end()) return resource(id);
  return resolver_.resource_phrase(it->second);
}

}  // namespace taskscope::analyzer
