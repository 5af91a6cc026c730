#include "taskscope/analyzer/replay.hpp"

#include <algorithm>
#include <cstdint>

#include "trackers.hpp"

namespace taskscope::analyzer {

using format::EventKind;

struct Replayer::Trackers {
  explicit Trackers(State* state)
      : context(state),
        agents(&context),
        waits(&context),
        locks(&context),
        resources(&context),
        channels(&context),
        condvars(&context),
        wakers(&context),
        spans(&context),
        drops(&context) {}
  replay::ReplayContext context;
  replay::AgentTracker agents;
  replay::WaitTracker waits;
  replay::LockTracker locks;
  replay::ResourceTracker resources;
  replay::ChannelTracker channels;
  replay::CondvarTracker condvars;
  replay::WakerTracker wakers;
  replay::SpanTracker spans;
  replay::DropTracker drops;
};

Replayer::Replayer() : trackers_(std::make_unique<Trackers>(&state_)) {}
Replayer::~Replayer() = default;

void Replayer::add_observer(EventObserver* observer) {
  const uint64_t mask = observer->kinds();
  for (unsigned kind = 0; kind < 64; ++kind)
    if (mask & (uint64_t{1} << kind)) observers_by_kind_[kind].push_back(observer);
}

void Replayer::advance_to(int64_t ns) {
  if (ns > state_.now_ns) state_.now_ns = ns;
}

void Replayer::apply(const format::Event& e) {
  if (e.ts_ns > state_.now_ns) state_.now_ns = e.ts_ns;
  ++state_.events;
  replay::ReplayContext& context = trackers_->context;

  // The acting agent: named directly by snapshot events, else the task polled
  // on the recording thread, else the thread.
  Agent* thread = nullptr;
  AgentId acting = e.thread;
  if (e.flags & format::kFlagSnapshot) {
    if (e.thread != 0) context.agent(e.thread).observed = true;
  } else if (e.thread != 0) {
    thread = &context.thread(e.thread, e.ts_ns);
    if (!thread->polling.empty()) acting = thread->polling.back();
  }

  const auto kind_index = static_cast<unsigned>(e.kind);
  if (kind_index < 64)
    for (EventObserver* observer : observers_by_kind_[kind_index])
      observer->observe(e, acting, state_);

  Trackers& t = *trackers_;
  switch (e.kind) {
    case EventKind::kThreadStart:
      t.agents.thread_start(e);
      break;
    case EventKind::kThreadEnd:
      t.agents.thread_end(e);
      break;
    case EventKind::kThreadDetach:
      t.agents.thread_detach(e);
      break;
    case EventKind::kThreadCreate:
      t.agents.thread_create(e, acting);
      break;
    case EventKind::kAgentName:
      t.agents.agent_name(e);
      break;
    case EventKind::kTaskSpawn:
      t.agents.task_spawn(e, acting);
      break;
    case EventKind::kPollBegin:
      // A snapshot names the polling thread directly.
      t.agents.poll_begin(e, thread ? *thread : context.thread(e.thread, e.ts_ns));
      break;
    case EventKind::kPollEnd:
      t.agents.poll_end(e, thread ? *thread : context.thread(e.thread, e.ts_ns));
      break;
    case EventKind::kTaskEnd:
      t.agents.task_end(e);
      break;
    case EventKind::kWakerClone:
      t.wakers.clone(e);
      break;
    case EventKind::kWakerDrop:
      t.wakers.drop(e);
      break;
    case EventKind::kWake:
      t.wakers.wake(e, acting);
      break;
    case EventKind::kWaitBegin:
      t.waits.wait_begin(e, acting);
      break;
    case EventKind::kWaitEnd:
      t.waits.wait_end(e, acting);
      break;
    case EventKind::kAcquired:
      t.locks.acquired(e, acting);
      break;
    case EventKind::kReleased:
      t.locks.released(e, acting);
      break;
    case EventKind::kSemPost:
      t.locks.sem_post(e, acting);
      break;
    case EventKind::kResourceCreate:
      t.resources.create(e);
      break;
    case EventKind::kResourceDestroy:
      t.resources.destroy(e);
      break;
    case EventKind::kChannelSend:
      t.channels.send(e, acting);
      break;
    case EventKind::kChannelRecv:
      t.channels.recv(e, acting);
      break;
    case EventKind::kChannelClose:
      t.channels.close(e);
      break;
    case EventKind::kEndpointOpen:
      t.channels.endpoint_open(e, acting);
      break;
    case EventKind::kEndpointClose:
      t.channels.endpoint_close(e);
      break;
    case EventKind::kEndpointUse:
      t.channels.endpoint_use(e, acting);
      break;
    case EventKind::kEndpointHand:
      t.channels.endpoint_hand(e);
      break;
    case EventKind::kNotify:
      t.condvars.notify(e, acting);
      break;
    case EventKind::kSpanEnter:
      t.spans.enter(e, acting);
      break;
    case EventKind::kSpanExit:
      t.spans.exit(e, acting);
      break;
    case EventKind::kDropped:
      t.drops.dropped(e);
      break;
    case EventKind::kMemory:
      if (Agent* owner = state_.agents.find(e.a ? e.a : acting)) {
        // e.b is a signed byte delta. A sum past int64 is no real program's
        // memory but a damaged or forged trace: saturate, and count the event
        // as contradicting the state.
        const auto delta = static_cast<int64_t>(e.b);
        if (__builtin_add_overflow(owner->memory_live, delta, &owner->memory_live)) {
          owner->memory_live = delta < 0 ? INT64_MIN : INT64_MAX;
          context.flag_inconsistency();
        }
        owner->memory_peak = std::max(owner->memory_peak, owner->memory_live);
      }
      break;
    case EventKind::kMark:
    case EventKind::kCounter:
    case EventKind::kModuleMap:
    case EventKind::kInvalid:
    case EventKind::kKindCount:
      break;
  }
}

}  // namespace taskscope::analyzer
