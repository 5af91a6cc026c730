#include "taskscope/analyzer/finding.hpp"

namespace taskscope::analyzer {

std::string_view finding_kind_name(FindingKind kind) {
  switch (kind) {
    case FindingKind::kDeadlock:
      return "deadlock";
    case FindingKind::kChannelFullCycle:
      return "channel_full_cycle";
    case FindingKind::kBlockedForever:
      return "blocked_forever";
    case FindingKind::kLostWakeup:
      return "lost_wakeup";
    case FindingKind::kLockOrderInversion:
      return "lock_order_inversion";
    case FindingKind::kBlockingInAsync:
      return "blocking_in_async";
    case FindingKind::kStalled:
      return "stalled";
    case FindingKind::kChannelGrowth:
      return "channel_growth";
    case FindingKind::kSelfWake:
      return "self_wake";
    case FindingKind::kEventsDropped:
      return "events_dropped";
  }
  return "unknown";
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

Severity default_severity(FindingKind kind) {
  switch (kind) {
    case FindingKind::kDeadlock:
    case FindingKind::kChannelFullCycle:
    case FindingKind::kBlockedForever:
    case FindingKind::kLostWakeup:
      return Severity::kError;
    case FindingKind::kEventsDropped:
      return Severity::kInfo;
    default:
      return Severity::kWarning;
  }
}

}  // namespace taskscope::analyzer
