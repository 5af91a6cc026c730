// Names of event kinds and enums, for dumps, filters and JSON.
#include "taskscope/format/event.hpp"

#include <array>

namespace taskscope::format {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(EventKind::kKindCount)> kKindNames = {
    "invalid",       "thread_start",    "thread_end",       "agent_name",     "task_spawn",
    "poll_begin",    "poll_end",        "task_end",         "waker_clone",    "waker_drop",
    "wake",          "wait_begin",      "wait_end",         "acquired",       "released",
    "sem_post",      "resource_create", "resource_destroy", "channel_send",   "channel_recv",
    "channel_close", "endpoint_open",   "endpoint_close",   "endpoint_use",   "endpoint_hand",
    "notify",        "span_enter",      "span_exit",        "mark",           "counter",
    "memory",        "dropped",         "module_map",       "thread_detach",
    "thread_create", "module_build_id",
};

template <size_t N>
std::string_view name_at(const std::array<std::string_view, N>& names, size_t index) {
  return index < N ? names[index] : std::string_view("unknown");
}

}  // namespace

std::string_view kind_name(EventKind kind) {
  return name_at(kKindNames, static_cast<size_t>(kind));
}

EventKind kind_from_name(std::string_view name) {
  for (size_t i = 1; i < kKindNames.size(); ++i)
    if (kKindNames[i] == name) return static_cast<EventKind>(i);
  return EventKind::kInvalid;
}

Family family_of(EventKind kind) {
  switch (kind) {
    case EventKind::kThreadStart:
    case EventKind::kThreadEnd:
    case EventKind::kAgentName:
    case EventKind::kTaskSpawn:
    case EventKind::kPollBegin:
    case EventKind::kPollEnd:
    case EventKind::kTaskEnd:
    case EventKind::kThreadDetach:
    case EventKind::kThreadCreate:
      return Family::kLifecycle;
    case EventKind::kWakerClone:
    case EventKind::kWakerDrop:
    case EventKind::kWake:
      return Family::kWaker;
    case EventKind::kWaitBegin:
    case EventKind::kWaitEnd:
      return Family::kWait;
    case EventKind::kAcquired:
    case EventKind::kReleased:
    case EventKind::kSemPost:
      return Family::kOwnership;
    case EventKind::kResourceCreate:
    case EventKind::kResourceDestroy:
      return Family::kResource;
    case EventKind::kChannelSend:
    case EventKind::kChannelRecv:
    case EventKind::kChannelClose:
    case EventKind::kEndpointOpen:
    case EventKind::kEndpointClose:
    case EventKind::kEndpointUse:
    case EventKind::kEndpointHand:
      return Family::kChannel;
    case EventKind::kNotify:
      return Family::kCondvar;
    case EventKind::kSpanEnter:
    case EventKind::kSpanExit:
    case EventKind::kMark:
    case EventKind::kCounter:
    case EventKind::kMemory:
      return Family::kUser;
    default:
      return Family::kMeta;
  }
}

std::string_view family_name(Family family) {
  static constexpr std::array<std::string_view, static_cast<size_t>(Family::kCount)> kNames = {
      "lifecycle", "waker", "wait", "ownership", "resource", "channel", "condvar", "user", "meta"};
  return name_at(kNames, static_cast<size_t>(family));
}

std::string_view io_op_name(IoOp op) {
  static constexpr std::array<std::string_view, 5> kNames = {"ready", "read", "write", "accept",
                                                             "connect"};
  const auto index = static_cast<size_t>(op);
  return index < kNames.size() ? kNames[index] : "io";
}

std::string_view wait_op_name(WaitOp op) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "lock", "read_lock", "acquire", "cond_wait", "send",  "recv",
      "join", "io",        "sleep",   "barrier",   "other", "futex_wait"};
  return name_at(kNames, static_cast<size_t>(op));
}

std::string_view wait_outcome_name(WaitOutcome outcome) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "acquired", "notified", "timed_out", "closed", "cancelled", "completed", "error"};
  return name_at(kNames, static_cast<size_t>(outcome));
}

std::string_view resource_kind_name(ResourceKind kind) {
  static constexpr std::array<std::string_view, 10> kNames = {
      "unknown", "mutex", "rwlock", "semaphore", "condvar",
      "channel", "io",    "timer",  "barrier",   "futex"};
  return name_at(kNames, static_cast<size_t>(kind));
}

}  // namespace taskscope::format
