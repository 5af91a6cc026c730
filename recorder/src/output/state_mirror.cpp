#include "output/state_mirror.hpp"

#include <algorithm>

#include "taskscope/model/event_views.hpp"

namespace taskscope::detail {
namespace {

using format::Event;
using format::ResourceKind;
using format::WaitOp;

// Caps on per-object lists (see the class invariant).
constexpr size_t kMaxHolders = 64;
constexpr size_t kMaxEndpointUsers = 8;
constexpr size_t kMaxSpanDepth = 64;
constexpr size_t kMaxWakersPerTask = 16;

// The event as recorded, re-attributed to its acting agent: what the snapshot
// lists for holds, spans and waits.
Event attributed(const model::ViewBase& view, uint64_t actor) {
  Event event = view.event;
  event.thread = actor;
  return event;
}

}  // namespace

// One overload per kind that changes the live state; `actor` is the event's
// acting agent. Wakes, notifies, marks, counters, memory and meta events have
// none and fall to the last one.
struct StateMirror::Apply {
  StateMirror& m;
  uint64_t actor;

  void operator()(const model::ThreadStart& v) const {
    Agent& agent = m.agents_[v.agent()];
    agent = Agent{};
    agent.parent = v.spawner();
    agent.name = v.name();
  }
  void operator()(const model::ThreadEnd& v) const { m.end_agent(v.agent()); }
  void operator()(const model::TaskEnd& v) const { m.end_agent(v.task()); }
  void operator()(const model::AgentName& v) const {
    if (auto it = m.agents_.find(v.agent()); it != m.agents_.end()) it->second.name = v.name();
  }
  void operator()(const model::TaskSpawn& v) const {
    Agent& agent = m.agents_[v.task()];
    agent = Agent{};
    agent.task = true;
    agent.parent = actor;
    agent.name = v.name();
    agent.location = v.location();
  }
  // Which tasks are polled where is the resolver's; only the time is kept here.
  void operator()(const model::PollBegin& v) const {
    if (v.task() != 0) m.poll_since_[v.task()] = v.ts_ns();
  }
  void operator()(const model::WakerClone& v) const {
    auto& wakers = m.wakers_[v.task()];
    auto it = std::find_if(wakers.begin(), wakers.end(), [&](const Waker& w) {
      return w.registered_on == v.resource() && w.cloner == actor;
    });
    if (it != wakers.end()) {
      ++it->count;
    } else if (wakers.size() < kMaxWakersPerTask) {
      wakers.push_back(Waker{v.resource(), actor, 1});
    }
  }
  void operator()(const model::WakerDrop& v) const {
    auto it = m.wakers_.find(v.task());
    if (it == m.wakers_.end()) return;
    auto& wakers = it->second;
    if (!wakers.empty() && --wakers.back().count == 0) wakers.pop_back();
    if (wakers.empty()) m.wakers_.erase(it);
  }
  void operator()(const model::WaitBegin& v) const { m.waits_[actor] = attributed(v, actor); }
  void operator()(const model::WaitEnd&) const { m.waits_.erase(actor); }
  void operator()(const model::Acquired& v) const {
    auto resource = m.resources_.find(v.resource());
    if (resource != m.resources_.end() && resource->second.kind == ResourceKind::kSemaphore) {
      // Semaphore units are consumed, not owned: they come back through
      // kSemPost from anyone, so track the count instead of holders.
      const uint64_t units = v.count() == 0 ? 1 : v.count();
      resource->second.extra -= std::min(resource->second.extra, units);
      return;
    }
    auto& holds = m.holds_[v.resource()];
    if (holds.size() < kMaxHolders) holds.push_back(attributed(v, actor));
  }
  void operator()(const model::Released& v) const {
    auto resource = m.resources_.find(v.resource());
    if (resource != m.resources_.end() && resource->second.kind == ResourceKind::kSemaphore) {
      resource->second.extra += v.units();
      return;
    }
    m.release(v.resource(), actor, v.mode());
  }
  void operator()(const model::SemPost& v) const {
    if (auto it = m.resources_.find(v.semaphore()); it != m.resources_.end())
      it->second.extra += v.units();
  }
  void operator()(const model::ResourceCreate& v) const {
    Resource& resource = m.resources_[v.resource()];
    resource = Resource{};
    resource.kind = v.resource_kind();
    resource.extra = v.detail();
    resource.name = v.name();
    resource.creator = actor;
    m.holds_.erase(v.resource());
  }
  void operator()(const model::ResourceDestroy& v) const {
    m.resources_.erase(v.resource());
    m.holds_.erase(v.resource());
  }
  void operator()(const model::ChannelSend& v) const { set_depth(v.channel(), v.depth()); }
  void operator()(const model::ChannelRecv& v) const { set_depth(v.channel(), v.depth()); }
  void operator()(const model::ChannelClose& v) const {
    if (auto it = m.resources_.find(v.channel()); it != m.resources_.end())
      it->second.closed = true;
  }
  void operator()(const model::EndpointOpen& v) const {
    Endpoint& endpoint = m.endpoints_[v.endpoint()];
    endpoint = Endpoint{};
    endpoint.channel = v.channel();
    endpoint.side = v.side();
    endpoint.opener = actor;
  }
  void operator()(const model::EndpointClose& v) const { m.endpoints_.erase(v.endpoint()); }
  void operator()(const model::EndpointUse& v) const {
    auto it = m.endpoints_.find(v.endpoint());
    if (it == m.endpoints_.end()) return;
    auto& users = it->second.users;
    if (std::find(users.begin(), users.end(), actor) == users.end() &&
        users.size() < kMaxEndpointUsers)
      users.push_back(actor);
  }
  void operator()(const model::EndpointHand& v) const {
    if (auto it = m.endpoints_.find(v.endpoint()); it != m.endpoints_.end()) {
      it->second.hander = actor;
      it->second.handed_to = v.to();
    }
  }
  void operator()(const model::SpanEnter& v) const {
    auto& stack = m.spans_[actor];
    if (stack.size() < kMaxSpanDepth) stack.push_back(attributed(v, actor));
  }
  void operator()(const model::SpanExit& v) const {
    auto it = m.spans_.find(actor);
    if (it == m.spans_.end()) return;
    auto& stack = it->second;
    auto span = std::find_if(stack.rbegin(), stack.rend(), [&](const Event& entered) {
      return model::SpanEnter{{entered}}.name() == v.name();
    });
    if (span != stack.rend()) stack.erase(std::next(span).base(), stack.end());
    if (stack.empty()) m.spans_.erase(it);
  }
  template <class View>
  void operator()(const View&) const {}

  void set_depth(uint64_t channel, uint64_t depth) const {
    if (auto it = m.resources_.find(channel); it != m.resources_.end()) it->second.depth = depth;
  }
};

bool StateMirror::holds_anything(uint64_t agent) const {
  for (const auto& [resource, holds] : holds_) {
    for (const Event& hold : holds)
      if (hold.thread == agent) return true;
  }
  return false;
}

void StateMirror::end_agent(uint64_t agent) {
  waits_.erase(agent);
  spans_.erase(agent);
  poll_since_.erase(agent);
  wakers_.erase(agent);
  auto it = agents_.find(agent);
  if (it == agents_.end()) return;
  if (holds_anything(agent)) {
    it->second.ended = true;
  } else {
    agents_.erase(it);
  }
}

void StateMirror::release(uint64_t resource, uint64_t agent, format::LockMode mode) {
  auto it = holds_.find(resource);
  if (it == holds_.end()) return;
  std::vector<Event>& holds = it->second;
  auto mode_of = [](const Event& hold) { return model::Acquired{{hold}}.mode(); };
  // The releasing agent's latest hold in that mode; failing that, anyone's in
  // that mode (a lock may legally be released by another thread in some APIs).
  auto match = std::find_if(holds.rbegin(), holds.rend(), [&](const Event& hold) {
    return hold.thread == agent && mode_of(hold) == mode;
  });
  if (match == holds.rend())
    match = std::find_if(holds.rbegin(), holds.rend(),
                         [&](const Event& hold) { return mode_of(hold) == mode; });
  if (match == holds.rend()) return;
  const uint64_t owner = match->thread;
  holds.erase(std::next(match).base());
  if (holds.empty()) holds_.erase(it);
  auto owner_it = agents_.find(owner);
  if (owner_it != agents_.end() && owner_it->second.ended && !holds_anything(owner))
    agents_.erase(owner_it);
}

void StateMirror::apply(uint64_t thread, const Event& event) {
  // The ring implies the recording thread; the resolver reads it from the record.
  Event recorded = event;
  recorded.thread = thread;
  model::visit(recorded, Apply{*this, acting_.acting(recorded)});
  acting_.apply(recorded);
}

size_t StateMirror::blocked_waits() const {
  size_t blocked = 0;
  for (const auto& [agent, event] : waits_) {
    const model::WaitBegin wait{{event}};
    if (wait.timed() || wait.op() == WaitOp::kIo || wait.op() == WaitOp::kSleep) continue;
    ++blocked;
  }
  return blocked;
}

}  // namespace taskscope::detail
