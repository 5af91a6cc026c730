// Names of the stats vocabulary and small derived figures (see stats.hpp).
#include "taskscope/analyzer/stats.hpp"

#include "common/saturating.hpp"

namespace taskscope::analyzer {

BlockCause block_cause_of(format::WaitOp op) {
  using format::WaitOp;
  switch (op) {
    case WaitOp::kLock:
    case WaitOp::kReadLock:
    case WaitOp::kAcquire:
      return BlockCause::kLock;
    case WaitOp::kCondWait:
      return BlockCause::kCondvar;
    case WaitOp::kSend:
      return BlockCause::kSend;
    case WaitOp::kRecv:
      return BlockCause::kRecv;
    case WaitOp::kJoin:
      return BlockCause::kJoin;
    case WaitOp::kIo:
      return BlockCause::kIo;
    case WaitOp::kSleep:
      return BlockCause::kSleep;
    case WaitOp::kFutexWait:
      return BlockCause::kFutex;
    default:
      return BlockCause::kOther;
  }
}

std::string_view block_cause_name(BlockCause cause) {
  static constexpr std::string_view kNames[kBlockCauses] = {
      "lock", "channel send", "channel recv", "condvar", "join", "io", "sleep", "futex", "other"};
  return kNames[static_cast<size_t>(cause)];
}

std::string_view block_cause_key(BlockCause cause) {
  static constexpr std::string_view kKeys[kBlockCauses] = {
      "lock", "send", "recv", "condvar", "join", "io", "sleep", "futex", "other"};
  return kKeys[static_cast<size_t>(cause)];
}

std::string_view agent_state_name(AgentState state) {
  static constexpr std::string_view kNames[kAgentStates] = {"running", "runnable", "blocked",
                                                            "idle"};
  return kNames[static_cast<size_t>(state)];
}

int64_t AgentGroupStats::blocked_ns() const {
  int64_t total = 0;
  for (const Distribution& d : blocked) total = saturating_add(total, d.sum());
  return total;
}

int64_t ResourceStats::wait_ns() const {
  int64_t total = 0;
  for (const Distribution& d : waits) total = saturating_add(total, d.sum());
  return total;
}

}  // namespace taskscope::analyzer
