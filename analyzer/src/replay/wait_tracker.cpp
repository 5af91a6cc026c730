#include "trackers.hpp"

namespace taskscope::analyzer::replay {

namespace {

using format::ResourceKind;
using format::WaitOp;

ResourceKind kind_waited_on(WaitOp op) {
  switch (op) {
    case WaitOp::kLock:
      return ResourceKind::kMutex;
    case WaitOp::kReadLock:
      return ResourceKind::kRwLock;
    case WaitOp::kAcquire:
      return ResourceKind::kSemaphore;
    case WaitOp::kCondWait:
      return ResourceKind::kCondvar;
    case WaitOp::kSend:
    case WaitOp::kRecv:
      return ResourceKind::kChannel;
    case WaitOp::kIo:
      return ResourceKind::kIo;
    case WaitOp::kSleep:
      return ResourceKind::kTimer;
    case WaitOp::kBarrier:
      return ResourceKind::kBarrier;
    case WaitOp::kJoin:
    case WaitOp::kOther:
      break;
  }
  return ResourceKind::kUnknown;
}

}  // namespace

void WaitTracker::wait_begin(const Event& e, AgentId acting) {
  Agent& agent = context_->agent(acting);
  if (agent.waiting) {
    context_->flag_inconsistency();  // the previous wait's end was lost
    context_->clear_wait(agent);
  }
  const auto op =
      e.op <= static_cast<uint8_t>(WaitOp::kOther) ? static_cast<WaitOp>(e.op) : WaitOp::kOther;
  agent.waiting = true;
  agent.wait = Wait{e.a, op, e.b, (e.flags & format::kFlagTimed) != 0, e.str, e.ts_ns};
  if (op == WaitOp::kIo) agent.wait.io_op = format::io_op_of(e.flags);
  context_->set_state(agent, RunState::kBlocked, e.ts_ns);
  if (op == WaitOp::kJoin || e.a == 0) return;
  Resource& resource = context_->resource(e.a, kind_waited_on(op), e.ts_ns);
  if (resource.first_location == 0) resource.first_location = e.str;
  ++resource.waiters;
  if (op == WaitOp::kCondWait && e.b != 0) resource.cv_mutex = e.b;
}

void WaitTracker::wait_end(const Event& e, AgentId acting) {
  Agent& agent = context_->agent(acting);
  if (!agent.waiting) {
    context_->mark_partial();  // the wait began before the window
    return;
  }
  if (agent.wait.resource != e.a) context_->flag_inconsistency();
  context_->clear_wait(agent);
  context_->set_state(agent, RunState::kRunning, e.ts_ns);
}

}  // namespace taskscope::analyzer::replay
