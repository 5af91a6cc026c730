#include "output/state_mirror.hpp"

#include <algorithm>

namespace taskscope::detail {
namespace {

using format::Event;
using format::EventKind;
using format::ResourceKind;
using format::WaitOp;

// Caps on per-object lists (see the class invariant).
constexpr size_t kMaxHolders = 64;
constexpr size_t kMaxEndpointUsers = 8;
constexpr size_t kMaxSpanDepth = 64;
constexpr size_t kMaxWakersPerTask = 16;

}  // namespace

uint64_t StateMirror::acting(uint64_t thread) const {
  auto it = polls_.find(thread);
  if (it == polls_.end() || it->second.empty()) return thread;
  return it->second.back().task;
}

bool StateMirror::holds_anything(uint64_t agent) const {
  for (const auto& [resource, holds] : holds_) {
    for (const Hold& hold : holds)
      if (hold.agent == agent) return true;
  }
  return false;
}

void StateMirror::end_agent(uint64_t agent) {
  waits_.erase(agent);
  spans_.erase(agent);
  polls_.erase(agent);
  wakers_.erase(agent);
  auto it = agents_.find(agent);
  if (it == agents_.end()) return;
  if (holds_anything(agent)) {
    it->second.ended = true;
  } else {
    agents_.erase(it);
  }
}

void StateMirror::release(uint64_t resource, uint64_t agent, uint8_t mode) {
  auto it = holds_.find(resource);
  if (it == holds_.end()) return;
  std::vector<Hold>& holds = it->second;
  // The releasing agent's latest hold in that mode; failing that, anyone's in
  // that mode (a lock may legally be released by another thread in some APIs).
  auto match = std::find_if(holds.rbegin(), holds.rend(), [&](const Hold& hold) {
    return hold.agent == agent && hold.mode == mode;
  });
  if (match == holds.rend())
    match = std::find_if(holds.rbegin(), holds.rend(),
                         [&](const Hold& hold) { return hold.mode == mode; });
  if (match == holds.rend()) return;
  const uint64_t owner = match->agent;
  holds.erase(std::next(match).base());
  if (holds.empty()) holds_.erase(it);
  auto owner_it = agents_.find(owner);
  if (owner_it != agents_.end() && owner_it->second.ended && !holds_anything(owner))
    agents_.erase(owner_it);
}

void StateMirror::apply(uint64_t thread, const Event& event) {
  const uint64_t actor = acting(thread);
  switch (event.kind) {
    case EventKind::kThreadStart: {
      Agent& agent = agents_[event.a];
      agent = Agent{};
      agent.parent = event.b;
      agent.name = event.str;
      break;
    }
    case EventKind::kThreadEnd:
    case EventKind::kTaskEnd:
      end_agent(event.a);
      break;
    case EventKind::kAgentName:
      if (auto it = agents_.find(event.a); it != agents_.end()) it->second.name = event.str;
      break;
    case EventKind::kTaskSpawn: {
      Agent& agent = agents_[event.a];
      agent = Agent{};
      agent.task = true;
      agent.parent = actor;
      agent.name = static_cast<uint32_t>(event.b);
      agent.location = event.str;
      break;
    }
    case EventKind::kPollBegin:
      polls_[thread].push_back(PollFrame{event.a, event.ts_ns});
      break;
    case EventKind::kPollEnd: {
      auto it = polls_.find(thread);
      if (it == polls_.end()) break;
      auto& stack = it->second;
      auto frame = std::find_if(stack.rbegin(), stack.rend(),
                                [&](const PollFrame& f) { return f.task == event.a; });
      if (frame != stack.rend()) stack.erase(std::next(frame).base());
      if (stack.empty()) polls_.erase(it);
      break;
    }
    case EventKind::kWakerClone: {
      auto& wakers = wakers_[event.a];
      auto it = std::find_if(wakers.begin(), wakers.end(), [&](const Waker& w) {
        return w.registered_on == event.b && w.cloner == actor;
      });
      if (it != wakers.end()) {
        ++it->count;
      } else if (wakers.size() < kMaxWakersPerTask) {
        wakers.push_back(Waker{event.b, actor, 1});
      }
      break;
    }
    case EventKind::kWakerDrop: {
      auto it = wakers_.find(event.a);
      if (it == wakers_.end()) break;
      auto& wakers = it->second;
      if (!wakers.empty() && --wakers.back().count == 0) wakers.pop_back();
      if (wakers.empty()) wakers_.erase(it);
      break;
    }
    case EventKind::kWaitBegin: {
      Event wait = event;
      wait.thread = actor;
      waits_[actor] = wait;
      break;
    }
    case EventKind::kWaitEnd:
      waits_.erase(actor);
      break;
    case EventKind::kAcquired: {
      auto resource = resources_.find(event.a);
      if (resource != resources_.end() &&
          resource->second.kind == static_cast<uint8_t>(ResourceKind::kSemaphore)) {
        // Semaphore units are consumed, not owned: they come back through
        // kSemPost from anyone, so track the count instead of holders.
        const uint64_t units = event.b == 0 ? 1 : event.b;
        resource->second.extra -= std::min(resource->second.extra, units);
        break;
      }
      auto& holds = holds_[event.a];
      if (holds.size() < kMaxHolders)
        holds.push_back(Hold{actor, event.op, event.flags, event.str, event.b, event.ts_ns});
      break;
    }
    case EventKind::kReleased: {
      auto resource = resources_.find(event.a);
      if (resource != resources_.end() &&
          resource->second.kind == static_cast<uint8_t>(ResourceKind::kSemaphore)) {
        resource->second.extra += event.b;
        break;
      }
      release(event.a, actor, event.op);
      break;
    }
    case EventKind::kSemPost:
      if (auto it = resources_.find(event.a); it != resources_.end()) it->second.extra += event.b;
      break;
    case EventKind::kResourceCreate: {
      Resource& resource = resources_[event.a];
      resource = Resource{};
      resource.kind = event.op;
      resource.extra = event.b;
      resource.name = event.str;
      resource.creator = actor;
      holds_.erase(event.a);
      break;
    }
    case EventKind::kResourceDestroy:
      resources_.erase(event.a);
      holds_.erase(event.a);
      break;
    case EventKind::kChannelSend:
    case EventKind::kChannelRecv:
      if (auto it = resources_.find(event.a); it != resources_.end()) it->second.depth = event.b;
      break;
    case EventKind::kChannelClose:
      if (auto it = resources_.find(event.a); it != resources_.end()) it->second.closed = true;
      break;
    case EventKind::kEndpointOpen: {
      Endpoint& endpoint = endpoints_[event.a];
      endpoint = Endpoint{};
      endpoint.channel = event.b;
      endpoint.side = event.op;
      endpoint.opener = actor;
      break;
    }
    case EventKind::kEndpointClose:
      endpoints_.erase(event.a);
      break;
    case EventKind::kEndpointUse: {
      auto it = endpoints_.find(event.a);
      if (it == endpoints_.end()) break;
      auto& users = it->second.users;
      if (std::find(users.begin(), users.end(), actor) == users.end() &&
          users.size() < kMaxEndpointUsers)
        users.push_back(actor);
      break;
    }
    case EventKind::kEndpointHand:
      if (auto it = endpoints_.find(event.a); it != endpoints_.end()) {
        it->second.hander = actor;
        it->second.handed_to = event.b;
      }
      break;
    case EventKind::kSpanEnter: {
      auto& stack = spans_[actor];
      if (stack.size() < kMaxSpanDepth) {
        Event span = event;
        span.thread = actor;
        stack.push_back(span);
      }
      break;
    }
    case EventKind::kSpanExit: {
      auto it = spans_.find(actor);
      if (it == spans_.end()) break;
      auto& stack = it->second;
      auto span = std::find_if(stack.rbegin(), stack.rend(),
                               [&](const Event& e) { return e.a == event.a; });
      if (span != stack.rend()) stack.erase(std::next(span).base(), stack.end());
      if (stack.empty()) spans_.erase(it);
      break;
    }
    default:
      break;  // wakes, notifies, marks, counters, memory, meta: no live state
  }
}

size_t StateMirror::blocked_waits() const {
  size_t blocked = 0;
  for (const auto& [agent, wait] : waits_) {
    const auto op = static_cast<WaitOp>(wait.op);
    if ((wait.flags & format::kFlagTimed) != 0 || op == WaitOp::kIo || op == WaitOp::kSleep)
      continue;
    ++blocked;
  }
  return blocked;
}

}  // namespace taskscope::detail
