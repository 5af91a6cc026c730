#include "taskscope/analyzer/names.hpp"

#include <cinttypes>
#include <cstdio>

namespace taskscope::analyzer {

using format::ResourceKind;
using format::WaitOp;

Names::Names(const State& state, const StringTable& strings, const Symbolizer& symbolizer)
    : state_(state),
      strings_(strings),
      resolver_(
          [this](StringId id) {
            auto it = strings_.find(id);
            return it == strings_.end() ? std::string_view{} : std::string_view{it->second};
          },
          symbolizer) {}

std::string_view Names::text(StringId id) const { return resolver_.text(id); }

std::string Names::agent(AgentType type, AgentId id, StringId name, uint32_t ordinal) const {
  return resolver_.agent(AgentIdentity{type, id, name, ordinal, state_.name_count(name)});
}

std::string Names::agent(AgentId id) const {
  if (const Agent* record = state_.agents.find(id))
    return agent(record->type, id, record->name, record->ordinal);
  return "agent-" + std::to_string(id);
}

AgentRef Names::agent_ref(AgentId id) const {
  const Agent* record = state_.agents.find(id);
  return AgentRef{agent_type_name(record ? record->type : AgentType::kUnknown), id, agent(id)};
}

ResourceIdentity Names::resource_identity(ResourceId id) const {
  if (const Resource* record = state_.resources.find(id))
    return {record->kind, id, record->name, record->first_location};
  if (const auto gone = state_.destroyed_names.find(id); gone != state_.destroyed_names.end())
    return {gone->second.first, id, gone->second.second, 0};
  return {ResourceKind::kUnknown, id, 0, 0};
}

bool Names::known(ResourceId id) const {
  return state_.resources.find(id) != nullptr || state_.destroyed_names.count(id) != 0;
}

std::string Names::resource(ResourceId id) const {
  if (!known(id)) return "resource-" + std::to_string(id);
  return resolver_.resource(resource_identity(id));
}

std::string Names::resource_phrase(ResourceId id) const {
  if (!known(id)) return resource(id);
  return resolver_.resource_phrase(resource_identity(id));
}

ResourceRef Names::resource_ref(ResourceId id) const {
  ResourceRef ref{NameResolver::kind_word(resource_identity(id).kind), id, resource(id)};
  ref.named = known(id) && resolver_.resource_named(resource_identity(id));
  return ref;
}

std::string Names::location(StringId id) const { return resolver_.location(id); }

std::string Names::exit_phrase(const Agent& agent) const {
  std::string phrase = "exited at " + time(agent.end_ns);
  const std::string where = location(agent.exit_location);
  if (!where.empty()) phrase += " by pthread_exit at " + where;
  return phrase;
}

std::string Names::wait_phrase(const Wait& wait) const {
  switch (wait.op) {
    case WaitOp::kLock:
      return "locking " + resource_phrase(wait.resource);
    case WaitOp::kReadLock:
      return "read-locking " + resource_phrase(wait.resource);
    case WaitOp::kAcquire:
      return "acquiring " + resource_phrase(wait.resource);
    case WaitOp::kCondWait:
      return "waiting on " + resource_phrase(wait.resource) +
             (wait.b ? " with " + resource_phrase(static_cast<ResourceId>(wait.b)) : "");
    case WaitOp::kSend:
      return "sending on " + resource_phrase(wait.resource);
    case WaitOp::kRecv:
      return "receiving from " + resource_phrase(wait.resource);
    case WaitOp::kJoin:
      return "joining " + agent(wait.resource);
    case WaitOp::kIo: {
      std::string fd = "fd " + std::to_string(static_cast<int64_t>(wait.b));
      if (wait.resource != 0 && state_.resources.find(wait.resource) != nullptr)
        fd = resource_phrase(wait.resource) + " (" + fd + ")";
      switch (wait.io_op) {
        case format::IoOp::kRead:
          return "waiting to read from " + fd;
        case format::IoOp::kWrite:
          return "waiting to write to " + fd;
        case format::IoOp::kAccept:
          return "waiting to accept a connection on " + fd;
        case format::IoOp::kConnect:
          return "waiting to connect " + fd;
        case format::IoOp::kReady:
          break;
      }
      return "waiting for I/O on " + fd;
    }
    case WaitOp::kSleep:
      return "sleeping " + duration(static_cast<int64_t>(wait.b));
    case WaitOp::kBarrier:
      return "at barrier " + resource_phrase(wait.resource);
    case WaitOp::kFutexWait:
      return "waiting on " + resource_phrase(wait.resource);
    case WaitOp::kOther:
      break;
  }
  return wait.resource ? "waiting on " + resource_phrase(wait.resource) : "waiting";
}

std::string Names::duration(int64_t ns) {
  char buffer[32];
  const double value = static_cast<double>(ns);
  if (ns >= 100'000'000'000)
    std::snprintf(buffer, sizeof buffer, "%.0f s", value / 1e9);
  else if (ns >= 1'000'000'000)
    std::snprintf(buffer, sizeof buffer, "%.1f s", value / 1e9);
  else if (ns >= 1'000'000)
    std::snprintf(buffer, sizeof buffer, "%.0f ms", value / 1e6);
  else if (ns >= 1'000)
    std::snprintf(buffer, sizeof buffer, "%.0f us", value / 1e3);
  else
    std::snprintf(buffer, sizeof buffer, "%" PRId64 " ns", ns);
  return buffer;
}

std::string Names::time(int64_t ns) {
  char buffer[32];
  const double seconds = static_cast<double>(ns) / 1e9;
  if (ns < 0) return "before the trace";
  if (ns >= 10'000'000'000)
    std::snprintf(buffer, sizeof buffer, "%.1f s", seconds);
  else if (ns >= 100'000'000 || ns == 0)
    std::snprintf(buffer, sizeof buffer, "%.2f s", seconds);
  else
    std::snprintf(buffer, sizeof buffer, "%.4f s", seconds);
  return buffer;
}

std::string Names::count(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace taskscope::analyzer
