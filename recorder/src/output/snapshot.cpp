// The state snapshot that starts every flight-recorder generation.
//
// A dump's window begins mid-run, so the reader needs, before the window's
// first live event, everything that was true at that moment. The snapshot is a
// list of ordinary events (the encoder sets kFlagSnapshot on each) whose
// `thread` is the ACTING agent of each event (not a recording thread), written
// from the event model's replay State (StateMirror). The exact set, in this order:
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
//                    recursive acquisition, at most 64 per hold, each at the
//                    time and site of the outermost; semaphores are in step 4
//                    instead).
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
using format::LockMode;
using format::ResourceKind;
using model::Agent;
using model::AgentType;
using model::Hold;
using model::RunState;
using model::State;

// Per-object caps on what one snapshot lists (see the StateMirror invariant).
constexpr uint32_t kMaxEventsPerHold = 64;
constexpr uint32_t kMaxClonesPerWakers = 16;

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

// The records of `table` that `keep` accepts, by id.
template <class Record, class Keep>
std::vector<const Record*> sorted(const model::IdTable<Record>& table, Keep&& keep) {
  std::vector<const Record*> records;
  table.for_each([&](const Record& record) {
    if (keep(record)) records.push_back(&record);
  });
  std::sort(records.begin(), records.end(),
            [](const Record* x, const Record* y) { return x->id < y->id; });
  return records;
}

// A hold the snapshot lists: semaphore units are listed as the semaphore's
// available units instead, and a destroyed resource is no longer held.
bool listed(const State& state, const Hold& hold) {
  const model::Resource* resource = state.resources.find(hold.resource);
  return resource == nullptr ||
         (resource->kind != ResourceKind::kSemaphore && !resource->destroyed);
}

bool holds_listed(const State& state, const Agent& agent) {
  return std::any_of(agent.holds.begin(), agent.holds.end(),
                     [&](const Hold& hold) { return listed(state, hold); });
}

// An agent the snapshot lists: its start or spawn was seen, and it is live or
// ended still holding a resource.
bool listed(const State& state, const Agent& agent) {
  if (agent.type == AgentType::kUnknown || (agent.start_ns < 0 && !agent.from_snapshot))
    return false;
  return agent.state != RunState::kEnded || holds_listed(state, agent);
}

// The kAcquired events of a hold, one per acquisition it counts.
void push_acquisitions(uint64_t holder, const Hold& hold, std::vector<Event>& out) {
  const uint32_t events = std::min(std::max(hold.count, 1u), kMaxEventsPerHold);
  for (uint32_t i = 1; i <= events; ++i) {
    // An exclusive hold's count field is the recursion depth after each acquisition.
    uint64_t count = hold.recorded_count;
    if (count != 0 && hold.mode == LockMode::kExclusive) count = i;
    Event event = make(EventKind::kAcquired, holder, hold.resource, count, hold.location,
                       static_cast<uint8_t>(hold.mode));
    event.flags = hold.try_op ? format::kFlagTry : 0;
    event.ts_ns = hold.since_ns;
    out.push_back(event);
  }
}

Event wait_begin(const Agent& agent) {
  const model::Wait& wait = agent.wait;
  Event event = make(EventKind::kWaitBegin, agent.id, wait.resource, wait.b, wait.location,
                     static_cast<uint8_t>(wait.op));
  event.flags = wait.timed ? format::kFlagTimed : 0;
  if (wait.op == format::WaitOp::kIo) event.flags |= format::io_op_flags(wait.io_op);
  event.ts_ns = wait.since_ns;
  return event;
}

}  // namespace

void StateMirror::snapshot(int64_t time_ns, const std::vector<ModuleInfo>& modules,
                           std::vector<Event>& out) const {
  const State& state = replay_.state();
  out.clear();
  // Part B first, into its own list, to know T0.
  std::vector<Event> timed;
  // Ended agents that hold nothing have no polls, spans, waits or wakers left:
  // skip the many that replay still remembers (State::kRememberEnded).
  const auto all_agents = sorted(state.agents, [](const Agent& agent) {
    return agent.state != RunState::kEnded || !agent.holds.empty();
  });
  for (const Agent* thread : all_agents) {
    for (const uint64_t task : thread->polling) {
      Event poll = make(EventKind::kPollBegin, thread->id, task);
      const Agent* polled = state.agents.find(task);
      poll.ts_ns =
          polled != nullptr && polled->poll_begin_ns >= 0 ? polled->poll_begin_ns : time_ns;
      timed.push_back(poll);
    }
  }
  for (const Agent* agent : all_agents) {
    for (const model::SpanFrame& span : agent->spans) {
      Event enter = make(EventKind::kSpanEnter, agent->id, span.name, span.argument, span.location);
      enter.ts_ns = span.since_ns;
      timed.push_back(enter);
    }
  }
  std::vector<std::pair<uint64_t, Event>> holds;  // by resource, then time
  for (const Agent* agent : all_agents) {
    for (const Hold& hold : agent->holds) {
      if (!listed(state, hold)) continue;
      std::vector<Event> acquisitions;
      push_acquisitions(agent->id, hold, acquisitions);
      for (const Event& event : acquisitions) holds.emplace_back(hold.resource, event);
    }
  }
  std::stable_sort(holds.begin(), holds.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first < y.first : x.second.ts_ns < y.second.ts_ns;
  });
  for (const auto& [resource, event] : holds) timed.push_back(event);
  for (const Agent* agent : all_agents)
    if (agent->waiting) timed.push_back(wait_begin(*agent));
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
  std::vector<const Agent*> agents;
  for (const Agent* agent : all_agents)
    if (listed(state, *agent)) agents.push_back(agent);
  for (const Agent* agent : agents) {
    if (agent->type == AgentType::kThread)
      push(make(EventKind::kThreadStart, agent->id, agent->id, agent->parent, agent->name));
  }
  for (const Agent* agent : agents) {
    if (agent->type == AgentType::kTask)
      push(make(EventKind::kTaskSpawn, agent->parent, agent->id, agent->name,
                agent->spawn_location));
  }
  const auto resources = sorted(state.resources, [](const model::Resource& resource) {
    return resource.created_seen && !resource.destroyed;
  });
  for (const model::Resource* resource : resources) {
    const uint64_t b = resource->kind == ResourceKind::kSemaphore ? resource->units_available
                                                                  : resource->create_extra;
    push(make(EventKind::kResourceCreate, resource->creator, resource->id, b, resource->name,
              static_cast<uint8_t>(resource->kind)));
  }
  for (const model::Resource* resource : resources) {
    if (resource->closed) push(make(EventKind::kChannelClose, 0, resource->id));
  }
  for (const model::Resource* resource : resources) {
    if (resource->depth > 0) push(make(EventKind::kChannelSend, 0, resource->id, resource->depth));
  }
  for (const model::Endpoint* endpoint :
       sorted(state.endpoints, [](const model::Endpoint&) { return true; })) {
    const auto side = static_cast<uint8_t>(endpoint->side);
    push(
        make(EventKind::kEndpointOpen, endpoint->opener, endpoint->id, endpoint->channel, 0, side));
    if (endpoint->handed_to != 0)
      push(make(EventKind::kEndpointHand, endpoint->hander, endpoint->id, endpoint->handed_to));
    for (const uint64_t user : endpoint->users.ids)
      push(make(EventKind::kEndpointUse, user, endpoint->id, 0, 0, side));
  }
  for (const Agent* task : all_agents) {
    for (const model::LiveWakers& wakers : task->live_wakers) {
      for (uint32_t i = 0; i < wakers.count && i < kMaxClonesPerWakers; ++i)
        push(make(EventKind::kWakerClone, wakers.cloner, task->id, wakers.registered_on));
    }
  }
  // Part B.
  for (Event& event : timed) event.ts_ns = std::max(event.ts_ns, t0);
  out.insert(out.end(), timed.begin(), timed.end());
  // Part C.
  const int64_t last = out.empty() ? t0 : out.back().ts_ns;
  for (const Agent* agent : agents) {
    if (agent->state != RunState::kEnded) continue;
    Event end = make(agent->type == AgentType::kTask ? EventKind::kTaskEnd : EventKind::kThreadEnd,
                     agent->id, agent->id);
    end.ts_ns = last;
    out.push_back(end);
  }
}

}  // namespace taskscope::detail
