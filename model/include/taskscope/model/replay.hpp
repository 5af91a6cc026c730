// Replay: applies events, one at a time and in time order, to a State.
//
// The Replayer owns one small tracker per concern (agents, locks, waits,
// channels, condition variables, wakers, spans, drops) that share one context
// (Perfetto's trace processor is organised the same way). Events reach the
// trackers as the event model's typed views (model::visit), and the acting agent
// of each comes from the model's one resolver, model::ActingAgents
// (docs/event-model.md, "The acting agent"). Observers — the
// streaming halves of detectors, such as the lock-order graph — see each event
// of the kinds they ask for just before the state applies it, so they can read
// the state as it was (e.g. which locks were held before an acquisition).
//
// Invariants: replay never throws on event content; an event that refers to
// state it has not seen (a window that starts mid-run) is accepted, and what it
// cannot establish stays unknown. Memory is bounded by live agents, resources and
// endpoints: ended agents are forgotten once nothing refers to them.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "taskscope/format/event.hpp"
#include "taskscope/model/state.hpp"

namespace taskscope::model {

class EventObserver {
 public:
  virtual ~EventObserver() = default;
  // Bit mask of the EventKinds (1 << kind) this observer wants.
  virtual uint64_t kinds() const = 0;
  // Called before `state` applies `event`; `acting` is its acting agent.
  virtual void observe(const format::Event& event, AgentId acting, const State& state) = 0;
};

constexpr uint64_t kind_bit(format::EventKind kind) {
  return uint64_t{1} << static_cast<unsigned>(kind);
}

class Replayer {
 public:
  Replayer();
  ~Replayer();
  Replayer(const Replayer&) = delete;
  Replayer& operator=(const Replayer&) = delete;

  // The observer must outlive the replayer.
  void add_observer(EventObserver* observer);
  // Applies one event. Events must come in non-decreasing time order.
  void apply(const format::Event& event);
  // Moves the clock to `ns` without an event (the instant --at asks about, or
  // the end of the trace when it is later than the last event).
  void advance_to(int64_t ns);

  const State& state() const { return state_; }
  State& state() { return state_; }

 private:
  struct Trackers;
  State state_;
  std::unique_ptr<Trackers> trackers_;
  std::vector<EventObserver*> observers_by_kind_[64];
};

}  // namespace taskscope::model
