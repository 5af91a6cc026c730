// Blocking waits: blocked time by cause per agent, span and resource, and the
// run slices of the recording thread (see stats_collector.hpp).
#include "stats/stats_collector.hpp"

namespace taskscope::analyzer::stats {

using format::Event;
using format::WaitOp;

namespace {

constexpr int kRunning = static_cast<int>(AgentState::kRunning);
constexpr int kBlocked = static_cast<int>(AgentState::kBlocked);
constexpr int kIdle = static_cast<int>(AgentState::kIdle);

// Joins name an agent and sleeps name nothing: only other waits are on resources.
bool waits_on_resource(WaitOp op, uint64_t id) {
  return id != 0 && op != WaitOp::kJoin && op != WaitOp::kSleep;
}

bool is_contention(WaitOp op) {
  return op == WaitOp::kLock || op == WaitOp::kReadLock || op == WaitOp::kAcquire;
}

format::ResourceKind kind_hint(WaitOp op) {
  switch (op) {
    case WaitOp::kLock:
      return format::ResourceKind::kMutex;
    case WaitOp::kReadLock:
      return format::ResourceKind::kRwLock;
    case WaitOp::kAcquire:
      return format::ResourceKind::kSemaphore;
    case WaitOp::kCondWait:
      return format::ResourceKind::kCondvar;
    case WaitOp::kSend:
    case WaitOp::kRecv:
      return format::ResourceKind::kChannel;
    case WaitOp::kIo:
      return format::ResourceKind::kIo;
    case WaitOp::kBarrier:
      return format::ResourceKind::kBarrier;
    default:
      return format::ResourceKind::kUnknown;
  }
}

}  // namespace

void StatsCollector::on_wait_begin(const Event& event) {
  const bool snapshot = event.flags & format::kFlagSnapshot;
  const auto op = static_cast<WaitOp>(event.op);
  LiveAgent& agent = acting_agent(event);
  LiveAgent* thread = recording_thread(event);
  if (agent.waiting) end_wait(agent, event.ts_ns, nullptr);  // begin without end
  agent.waiting = true;
  agent.wait_op = op;
  agent.wait_resource = event.a;
  agent.wait_since = event.ts_ns;
  if (agent.poll_since >= 0) agent.waited_in_poll = true;
  if (waits_on_resource(op, event.a)) {
    LiveResource& res = resource(event.a, kind_hint(op), event.ts_ns);
    if (is_contention(op) && !snapshot) {
      ++res.group->contended;
      ++agent.group->contended;
    }
  }
  // A sync wait inside a poll blocks the task and its worker thread alike.
  set_state(agent, kBlocked, event.ts_ns);
  if (thread) {
    if (thread->run_since >= 0) thread->group->busy.add(span_ns(thread->run_since, event.ts_ns));
    thread->run_since = -1;
    set_state(*thread, kBlocked, event.ts_ns);
  }
}

void StatsCollector::on_wait_end(const Event& event) {
  LiveAgent& agent = acting_agent(event);
  if (!agent.waiting) return;  // the wait began before the trace did
  end_wait(agent, event.ts_ns, recording_thread(event));
}

void StatsCollector::end_wait(LiveAgent& agent, int64_t ts, LiveAgent* thread) {
  const int64_t blocked = span_ns(agent.wait_since, ts);
  const auto cause = static_cast<size_t>(block_cause_of(agent.wait_op));
  agent.group->blocked[cause].add(blocked);
  // Inclusive span time: each span on the stack counts the wait once.
  for (size_t i = 0; i < agent.spans.size(); ++i) {
    SpanStats* group = agent.spans[i].group;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = agent.spans[j].group == group;
    if (!seen) group->blocked[cause].add(blocked);
  }
  if (waits_on_resource(agent.wait_op, agent.wait_resource)) {
    if (LiveResource* res = resources_.find(agent.wait_resource))
      res->group->waits[cause].add(blocked);
  }
  agent.waiting = false;
  if (agent.is_task && agent.state == kBlocked)
    set_state(agent, agent.poll_since >= 0 ? kRunning : kIdle, ts);
  if (thread && thread->run_since < 0) {
    thread->run_since = ts;
    set_state(*thread, kRunning, ts);
  }
}

}  // namespace taskscope::analyzer::stats
