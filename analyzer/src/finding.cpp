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

std::string_view hold_mode_name(HoldMode mode) {
  switch (mode) {
    case HoldMode::kExclusive:
      return "exclusive";
    case HoldMode::kShared:
      return "shared";
    case HoldMode::kUnits:
      return "units";
  }
  return "exclusive";
}

std::string_view wait_kind_name(WaitKind kind) {
  switch (kind) {
    case WaitKind::kLock:
      return "lock";
    case WaitKind::kReadLock:
      return "read_lock";
    case WaitKind::kSemaphore:
      return "semaphore";
    case WaitKind::kCondvar:
      return "condvar";
    case WaitKind::kSend:
      return "send";
    case WaitKind::kRecv:
      return "recv";
    case WaitKind::kJoin:
      return "join";
    case WaitKind::kIo:
      return "io";
    case WaitKind::kSleep:
      return "sleep";
    case WaitKind::kBarrier:
      return "barrier";
    case WaitKind::kFutex:
      return "futex";
    case WaitKind::kOther:
      return "other";
    case WaitKind::kPending:
      return "pending";
    case WaitKind::kPollHeld:
      return "poll_held";
  }
  return "other";
}

std::string_view wait_reason_name(WaitReason reason) {
  switch (reason) {
    case WaitReason::kOwns:
      return "owns";
    case WaitReason::kHoldsShared:
      return "holds_shared";
    case WaitReason::kQueuedWriter:
      return "queued_writer";
    case WaitReason::kHoldsUnits:
      return "holds_units";
    case WaitReason::kPosted:
      return "posted";
    case WaitReason::kNotified:
      return "notified";
    case WaitReason::kUsesMutex:
      return "uses_mutex";
    case WaitReason::kReceiver:
      return "receiver";
    case WaitReason::kSender:
      return "sender";
    case WaitReason::kJoined:
      return "joined";
    case WaitReason::kPolls:
      return "polls";
    case WaitReason::kWaker:
      return "waker";
    case WaitReason::kAnyone:
      return "anyone";
  }
  return "anyone";
}

SourceLocation SourceLocation::from_text(std::string text) {
  SourceLocation location;
  location.text = text;
  // Innermost frame of a short stack "a <- b <- c".
  if (auto arrow = text.find(" <- "); arrow != std::string::npos) text.resize(arrow);
  if (!text.empty() && text.back() == ')') {
    if (auto open = text.rfind(" ("); open != std::string::npos) {
      location.function = text.substr(open + 2, text.size() - open - 3);
      text.resize(open);
    }
  }
  if (auto colon = text.rfind(':');
      colon != std::string::npos && colon + 1 < text.size() &&
      text.find_first_not_of("0123456789", colon + 1) == std::string::npos &&
      text.size() - colon - 1 <= 9) {
    location.line = static_cast<uint32_t>(std::stoul(text.substr(colon + 1)));
    text.resize(colon);
  }
  location.file = std::move(text);
  return location;
}

}  // namespace taskscope::analyzer
