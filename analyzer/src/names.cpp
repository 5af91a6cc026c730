#include "taskscope/analyzer/names.hpp"

#include <cinttypes>
#include <cstdio>

namespace taskscope::analyzer {

namespace {

using format::ResourceKind;
using format::WaitOp;

// "void ns::fetch(int)" -> "fetch"; "main::{lambda()#1}::operator()() const" and
// "int main()::<lambda()>" -> "lambda in main".
std::string short_function(std::string function) {
  auto lambda = function.find("::<lambda");
  if (lambda == std::string::npos) lambda = function.find("::{lambda");
  if (lambda != std::string::npos) function.resize(lambda);
  if (auto paren = function.find('('); paren != std::string::npos) function.resize(paren);
  if (auto last = function.rfind(' '); last != std::string::npos) function.erase(0, last + 1);
  if (lambda != std::string::npos) function = "lambda in " + function;
  return function;
}

// One frame: "/work/app/src/fetch.cpp:88 void fetch(int)" (a recorded source
// location) or "/work/app/src/fetch.cpp:88 (fetch)" (the symbolizer's form)
// -> "src/fetch.cpp:88 (fetch)".
std::string tidy_frame(std::string text) {
  std::string function;
  if (auto space = text.find(' '); space != std::string::npos && text.rfind("pc:", 0) != 0) {
    function = text.substr(space + 1);
    text.resize(space);
    if (function.size() >= 2 && function.front() == '(' && function.back() == ')')
      function = function.substr(1, function.size() - 2);
    function = short_function(function);
  }
  // Keep the last two path components: enough to find the file, short to read.
  size_t cut = std::string::npos;
  int slashes = 0;
  for (size_t i = text.size(); i-- > 0;) {
    if (text[i] == '/' && ++slashes == 2) {
      cut = i;
      break;
    }
  }
  if (cut != std::string::npos && text.rfind("pc:", 0) != 0) text.erase(0, cut + 1);
  if (!function.empty()) text += " (" + function + ")";
  return text;
}

// A location, possibly a short stack "a <- b <- c" from the symbolizer.
std::string tidy_location(const std::string& text) {
  std::string out;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(" <- ", begin);
    if (end == std::string::npos) end = text.size();
    if (!out.empty()) out += " <- ";
    out += tidy_frame(text.substr(begin, end - begin));
    begin = end + 4;
  }
  return out;
}

}  // namespace

Names::Names(const State& state, const StringTable& strings, const Symbolizer& symbolizer)
    : state_(state), strings_(strings), symbolizer_(symbolizer) {}

std::string_view Names::text(StringId id) const {
  if (id == 0) return {};
  auto it = strings_.find(id);
  return it == strings_.end() ? std::string_view{} : std::string_view{it->second};
}

std::string Names::symbolic(std::string_view raw) const {
  if (raw.substr(0, 4) != "sym:") return std::string(raw);
  std::string described = symbolizer_.describe(raw);
  return described.rfind("sym:", 0) == 0 ? std::string() : described;
}

std::string Names::agent(AgentType type, AgentId id, StringId name, uint32_t ordinal) const {
  // Threads the preload shim saw start are named by their start routine
  // ("sym:0x..."): the symbolizer turns that into the function's name.
  std::string out = symbolic(text(name));
  if (out.empty()) return std::string(agent_type_name(type)) + "-" + std::to_string(id);
  if (state_.name_count(name) > 1 && ordinal > 0) out += "#" + std::to_string(ordinal);
  return out;
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

Names::Identity Names::identity(ResourceId id) const {
  if (const Resource* record = state_.resources.find(id))
    return {true, record->kind, record->name, record->first_location};
  if (const auto gone = state_.destroyed_names.find(id); gone != state_.destroyed_names.end())
    return {true, gone->second.first, gone->second.second, 0};
  return {};
}

std::string Names::kind_word(ResourceKind kind) {
  return kind == ResourceKind::kUnknown ? "resource" : std::string(resource_kind_name(kind));
}

std::string Names::resource(ResourceId id) const {
  const Identity who = identity(id);
  if (!who.known) return "resource-" + std::to_string(id);
  // Resources in static storage are named by their address ("sym:0x..."):
  // the variable's name when the symbolizer knows it, else the kind and where.
  if (std::string name = symbolic(text(who.name)); !name.empty()) return name;
  const std::string kind = kind_word(who.kind);
  if (who.first_location != 0) {
    std::string where = location(who.first_location);
    if (auto paren = where.find(" ("); paren != std::string::npos) where.resize(paren);
    return kind + "@" + where;
  }
  return kind + "-" + std::to_string(id);
}

std::string Names::resource_phrase(ResourceId id) const {
  const Identity who = identity(id);
  if (!who.known || symbolic(text(who.name)).empty()) return resource(id);
  return kind_word(who.kind) + " \"" + resource(id) + "\"";
}

ResourceRef Names::resource_ref(ResourceId id) const {
  return ResourceRef{kind_word(identity(id).kind), id, resource(id)};
}

std::string Names::location(StringId id) const {
  const std::string_view raw = text(id);
  if (raw.empty()) return {};
  return tidy_location(symbolizer_.describe(raw));
}

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
