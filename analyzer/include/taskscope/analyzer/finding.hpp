// A finding: one diagnosis, with the agents and resources it involves and an
// explanation a person can follow (docs/design.md, "Command line": the JSON schema
// taskscope.report/1 is built from exactly these fields).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace taskscope::analyzer {

enum class FindingKind : uint8_t {
  kDeadlock,
  kChannelFullCycle,
  kBlockedForever,
  kLostWakeup,
  kLockOrderInversion,
  kBlockingInAsync,
  kStalled,
  kChannelGrowth,
  kSelfWake,
  kEventsDropped,
};
std::string_view finding_kind_name(FindingKind kind);  // "channel_full_cycle"

enum class Severity : uint8_t { kError, kWarning, kInfo };
std::string_view severity_name(Severity severity);  // "error"
// The severity docs/design.md gives a kind when nothing lowers it.
Severity default_severity(FindingKind kind);

struct AgentRef {
  std::string type;  // "thread" | "task" | "agent"
  uint64_t id = 0;
  std::string name;  // display name: "fetch#3", "transfer-1"
};

struct ResourceRef {
  std::string type;  // "mutex" | "rwlock" | "channel" | "condvar" | ...
  uint64_t id = 0;
  std::string name;  // "results", "mutex@bank.c:37"
};

struct Finding {
  FindingKind kind = FindingKind::kDeadlock;
  Severity severity = Severity::kError;
  std::string summary;  // one line
  std::vector<AgentRef> agents;
  std::vector<ResourceRef> resources;
  std::vector<std::string> explanation;  // sentences and per-agent lines, in reading order
  std::vector<std::string> diagram;      // text report only: the cycle drawn step by step
  int64_t since_ns = -1;                 // when the problem started (for ordering)
};

}  // namespace taskscope::analyzer
