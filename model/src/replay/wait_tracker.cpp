#include "taskscope/model/wait_kinds.hpp"
#include "trackers.hpp"

namespace taskscope::model::replay {

using format::WaitOp;

void WaitTracker::wait_begin(const model::WaitBegin& v, AgentId acting) {
  Agent& agent = context_->agent(acting);
  if (agent.waiting) {
    context_->flag_inconsistency();  // the previous wait's end was lost
    context_->clear_wait(agent);
  }
  // An op this build does not know is some other wait.
  const WaitOp op = v.op() <= WaitOp::kFutexWait ? v.op() : WaitOp::kOther;
  agent.waiting = true;
  agent.wait = Wait{v.resource(), op, v.detail(), v.timed(), v.location(), v.ts_ns()};
  if (op == WaitOp::kIo) agent.wait.io_op = v.io_op();
  context_->set_state(agent, RunState::kBlocked, v.ts_ns());
  if (op == WaitOp::kJoin || v.resource() == 0) return;
  Resource& resource =
      context_->resource(v.resource(), model::resource_kind_waited_on(op), v.ts_ns());
  if (resource.first_location == 0) resource.first_location = v.location();
  ++resource.waiters;
  if (op == WaitOp::kCondWait && v.condvar_mutex() != 0) resource.cv_mutex = v.condvar_mutex();
}

void WaitTracker::wait_end(const model::WaitEnd& v, AgentId acting) {
  Agent& agent = context_->agent(acting);
  if (!agent.waiting) {
    context_->mark_partial();  // the wait began before the window
    return;
  }
  if (agent.wait.resource != v.resource()) context_->flag_inconsistency();
  context_->clear_wait(agent);
  context_->set_state(agent, RunState::kRunning, v.ts_ns());
}

}  // namespace taskscope::model::replay
