#include <cstdint>

#include "taskscope/model/acting_agents.hpp"
#include "taskscope/model/event_views.hpp"
#include "taskscope/model/replay.hpp"
#include "trackers.hpp"

namespace taskscope::model {

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

  // Routes each kind's view to the tracker that owns it. `acting` is the event's
  // acting agent; `thread` its recording thread's record (null for a snapshot
  // event, whose `thread` names the acting agent instead).
  void on(const model::ThreadStart& v, AgentId, Agent*) { agents.thread_start(v); }
  void on(const model::ThreadEnd& v, AgentId, Agent*) { agents.thread_end(v); }
  void on(const model::ThreadDetach& v, AgentId, Agent*) { agents.thread_detach(v); }
  void on(const model::ThreadCreate& v, AgentId acting, Agent*) { agents.thread_create(v, acting); }
  void on(const model::AgentName& v, AgentId, Agent*) { agents.agent_name(v); }
  void on(const model::TaskSpawn& v, AgentId acting, Agent*) { agents.task_spawn(v, acting); }
  // A snapshot's poll names the polling thread in `thread` too.
  void on(const model::PollBegin& v, AgentId, Agent* thread) {
    agents.poll_begin(v, thread ? *thread : context.thread(v.thread(), v.ts_ns()));
  }
  void on(const model::PollEnd& v, AgentId, Agent* thread) {
    agents.poll_end(v, thread ? *thread : context.thread(v.thread(), v.ts_ns()));
  }
  void on(const model::TaskEnd& v, AgentId, Agent*) { agents.task_end(v); }
  void on(const model::Memory& v, AgentId acting, Agent*) { agents.memory(v, acting); }
  void on(const model::WakerClone& v, AgentId acting, Agent*) { wakers.clone(v, acting); }
  void on(const model::WakerDrop& v, AgentId, Agent*) { wakers.drop(v); }
  void on(const model::Wake& v, AgentId acting, Agent*) { wakers.wake(v, acting); }
  void on(const model::WaitBegin& v, AgentId acting, Agent*) { waits.wait_begin(v, acting); }
  void on(const model::WaitEnd& v, AgentId acting, Agent*) { waits.wait_end(v, acting); }
  void on(const model::Acquired& v, AgentId acting, Agent*) { locks.acquired(v, acting); }
  void on(const model::Released& v, AgentId acting, Agent*) { locks.released(v, acting); }
  void on(const model::SemPost& v, AgentId acting, Agent*) { locks.sem_post(v, acting); }
  void on(const model::ResourceCreate& v, AgentId acting, Agent*) { resources.create(v, acting); }
  void on(const model::ResourceDestroy& v, AgentId, Agent*) { resources.destroy(v); }
  void on(const model::ChannelSend& v, AgentId acting, Agent*) { channels.send(v, acting); }
  void on(const model::ChannelRecv& v, AgentId acting, Agent*) { channels.recv(v, acting); }
  void on(const model::ChannelClose& v, AgentId, Agent*) { channels.close(v); }
  void on(const model::EndpointOpen& v, AgentId acting, Agent*) {
    channels.endpoint_open(v, acting);
  }
  void on(const model::EndpointClose& v, AgentId, Agent*) { channels.endpoint_close(v); }
  void on(const model::EndpointUse& v, AgentId acting, Agent*) { channels.endpoint_use(v, acting); }
  void on(const model::EndpointHand& v, AgentId acting, Agent*) {
    channels.endpoint_hand(v, acting);
  }
  void on(const model::Notify& v, AgentId acting, Agent*) { condvars.notify(v, acting); }
  void on(const model::SpanEnter& v, AgentId acting, Agent*) { spans.enter(v, acting); }
  void on(const model::SpanExit& v, AgentId acting, Agent*) { spans.exit(v, acting); }
  void on(const model::Dropped& v, AgentId, Agent*) { drops.dropped(v); }
  // Marks, counters, module maps and kinds this build does not know change no
  // replayed state (observers may still see them).
  template <class View>
  void on(const View&, AgentId, Agent*) {}

  replay::ReplayContext context;
  model::ActingAgents acting;
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
  const model::ViewBase event{e};
  if (event.ts_ns() > state_.now_ns) state_.now_ns = event.ts_ns();
  ++state_.events;
  Trackers& t = *trackers_;

  // A live event's recording thread is a running thread; a snapshot event's
  // `thread` is its acting agent, seen to exist.
  Agent* thread = nullptr;
  if (event.snapshot()) {
    if (event.thread() != 0) t.context.agent(event.thread()).observed = true;
  } else if (event.thread() != 0) {
    thread = &t.context.thread(event.thread(), event.ts_ns());
  }
  const AgentId acting = t.acting.acting(e);

  const auto kind_index = static_cast<unsigned>(e.kind);
  if (kind_index < 64)
    for (EventObserver* observer : observers_by_kind_[kind_index])
      observer->observe(e, acting, state_);

  model::visit(e, [&](const auto& view) {
    t.on(view, acting, thread);
    t.acting.apply(view);  // after the trackers: they see the polls as they were
  });
}

}  // namespace taskscope::model
