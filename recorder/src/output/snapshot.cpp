// The state snapshot that starts every flight-recorder generation.
//
// A dump's window begins mid-run, so the reader needs, before the window's
// first live event, everything that was true at that moment. The snapshot is a
// list of ordinary events (the encoder sets kFlagSnapshot on each) whose
// `thread` is the ACTING agent of each event (not a recording thread). The
// exact set, in this order:
//
//  Part A, all at time T0 (see below):
//   1. kModuleMap    thread=0, a=load address, b=size, str=path: every loaded module,
//      each followed by its kModuleBuildId (a=load address, str=build id) when it has one.
//   2. kThreadStart  thread=agent, a=agent, b=parent agent, str=current name:
//                    every live thread (and every ended thread that still holds
//                    a resource, see part C).
//   3. kTaskSpawn    thread=spawning agent, a=task, b=current name string id,
//                    str=spawn location: every live task (and ended holders).
//   4. kResourceCreate thread=creating agent, a=resource, op=ResourceKind,
//                    b=as recorded (capacity, flags...) except semaphores:
//                    b=units available at T, str=name: every live resource.
//   5. kChannelClose thread=0, a=channel: live channels closed explicitly.
//   6. kChannelSend  thread=0, a=channel, b=depth: live channels whose queue is
//                    not empty (a synthetic send that only sets the depth).
//   7. per live endpoint, by id:
//      kEndpointOpen thread=opening agent, a=endpoint, b=channel, op=side;
//      kEndpointHand thread=handing agent, a=endpoint, b=agent handed to
//                    (only if it was handed);
//      kEndpointUse  thread=user, a=endpoint, op=side, once per agent that used
//                    it (at most 8), so attribution strengths survive the window.
//   8. kWakerClone   thread=cloning agent, a=task, b=resource registered on: one
//                    per live (cloned, not dropped) waker.
//  Part B, each at its ORIGINAL time, sorted by time (stable):
//   9. kPollBegin    thread=OS thread agent, a=task: tasks being polled at T,
//                    outermost first.
//  10. kSpanEnter    thread=agent, a=span name, b=argument, str=location: open
//                    spans, outermost first.
//  11. kAcquired     thread=holder, a=resource, op=LockMode, b, str, flags as
//                    recorded: every lock hold not released at T (one per
//                    recursive acquisition; semaphores are in step 4 instead).
//  12. kWaitBegin    thread=waiting agent, all fields as recorded: every wait
//                    in progress at T.
//  Part C, at the time of the last part-B event (or T0):
//  13. kThreadEnd / kTaskEnd thread=agent, a=agent: agents that ended while
//                    holding a resource (their holds are in step 11).
//
// T0 = min(T, earliest part-B time), so the snapshot's times never decrease.
// T is the generation's start: the watermark of its first round, so every live
// event after the snapshot is at or after T. Resources, endpoints and agents
// created before the session started are unknown to the mirror and absent.
#include <algorithm>
#include <utility>

#include "output/state_mirror.hpp"

namespace taskscope::detail {
namespace {

using format::Event;
using format::EventKind;

template <class Map>
std::vector<uint64_t> sorted_keys(const Map& map) {
  std::vector<uint64_t> keys;
  keys.reserve(map.size());
  for (const auto& entry : map) keys.push_back(entry.first);
  std::sort(keys.begin(), keys.end());
  return keys;
}

Event make(EventKind kind, uint64_t thread, uint64_t a, uint64_t b = 0, uint32_t str = 0,
           uint8_t op = 0) {
  Event event;
  event.kind = kind;
  event.thread = thread;
  event.a = a;
  event.b = b;
  event.str = str;
  event.op = op;
  return event;
}

}  // namespace

void StateMirror::snapshot(int64_t time_ns, const std::vector<ModuleInfo>& modules,
                           std::vector<Event>& out) const {
  out.clear();
  // Part B first, into its own list, to know T0.
  std::vector<Event> timed;
  std::vector<std::pair<uint64_t, uint64_t>> polls;  // (thread, task), outermost first
  acting_.for_each_poll([&](uint64_t thread, uint64_t task) { polls.emplace_back(thread, task); });
  std::stable_sort(polls.begin(), polls.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  for (const auto& [thread, task] : polls) {
    Event poll = make(EventKind::kPollBegin, thread, task);
    const auto since = poll_since_.find(task);
    poll.ts_ns = since != poll_since_.end() ? since->second : time_ns;
    timed.push_back(poll);
  }
  for (const uint64_t agent : sorted_keys(spans_)) {
    for (const Event& span : spans_.at(agent)) timed.push_back(span);
  }
  for (const uint64_t resource : sorted_keys(holds_)) {
    for (const Event& hold : holds_.at(resource)) timed.push_back(hold);
  }
  for (const uint64_t agent : sorted_keys(waits_)) timed.push_back(waits_.at(agent));
  std::stable_sort(timed.begin(), timed.end(),
                   [](const Event& x, const Event& y) { return x.ts_ns < y.ts_ns; });
  const int64_t t0 = timed.empty() ? time_ns : std::min(time_ns, timed.front().ts_ns);

  auto push = [&](Event event) {
    event.ts_ns = t0;
    out.push_back(event);
  };
  // Part A.
  for (const ModuleInfo& module : modules) {
    push(make(EventKind::kModuleMap, 0, module.address, module.size, module.path_id));
    if (module.build_id_id != 0)
      push(make(EventKind::kModuleBuildId, 0, module.address, 0, module.build_id_id));
  }
  for (const uint64_t id : sorted_keys(agents_)) {
    const Agent& agent = agents_.at(id);
    if (agent.task) continue;
    push(make(EventKind::kThreadStart, id, id, agent.parent, agent.name));
  }
  for (const uint64_t id : sorted_keys(agents_)) {
    const Agent& agent = agents_.at(id);
    if (!agent.task) continue;
    push(make(EventKind::kTaskSpawn, agent.parent, id, agent.name, agent.location));
  }
  const std::vector<uint64_t> resource_ids = sorted_keys(resources_);
  for (const uint64_t id : resource_ids) {
    const Resource& resource = resources_.at(id);
    push(make(EventKind::kResourceCreate, resource.creator, id, resource.extra, resource.name,
              static_cast<uint8_t>(resource.kind)));
  }
  for (const uint64_t id : resource_ids) {
    if (resources_.at(id).closed) push(make(EventKind::kChannelClose, 0, id));
  }
  for (const uint64_t id : resource_ids) {
    const Resource& resource = resources_.at(id);
    if (resource.depth > 0) push(make(EventKind::kChannelSend, 0, id, resource.depth));
  }
  for (const uint64_t id : sorted_keys(endpoints_)) {
    const Endpoint& endpoint = endpoints_.at(id);
    const auto side = static_cast<uint8_t>(endpoint.side);
    push(make(EventKind::kEndpointOpen, endpoint.opener, id, endpoint.channel, 0, side));
    if (endpoint.handed_to != 0)
      push(make(EventKind::kEndpointHand, endpoint.hander, id, endpoint.handed_to));
    for (const uint64_t user : endpoint.users)
      push(make(EventKind::kEndpointUse, user, id, 0, 0, side));
  }
  for (const uint64_t task : sorted_keys(wakers_)) {
    for (const Waker& waker : wakers_.at(task)) {
      for (uint32_t i = 0; i < waker.count && i < 16; ++i)
        push(make(EventKind::kWakerClone, waker.cloner, task, waker.registered_on));
    }
  }
  // Part B.
  for (Event& event : timed) event.ts_ns = std::max(event.ts_ns, t0);
  out.insert(out.end(), timed.begin(), timed.end());
  // Part C.
  const int64_t last = out.empty() ? t0 : out.back().ts_ns;
  for (const uint64_t id : sorted_keys(agents_)) {
    const Agent& agent = agents_.at(id);
    if (!agent.ended) continue;
    Event end = make(agent.task ? EventKind::kTaskEnd : EventKind::kThreadEnd, id, id);
    end.ts_ns = last;
    out.push_back(end);
  }
}

}  // namespace taskscope::detail
