// The flusher's model of the recorded program's live state, kept so that each
// flight-recorder generation can start with a snapshot and the hang watchdog
// can tell whether anyone is blocked.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "process/modules.hpp"
#include "taskscope/format/event.hpp"
#include "taskscope/model/acting_agents.hpp"

namespace taskscope::detail {

// Built only from events the flusher drained (never on the hot path), applied
// in time order within a round. Events are read through the event model's views
// and attributed by its acting-agent resolver, model::ActingAgents
// (docs/event-model.md), as the analyzer replays them. Tolerant by design:
// events about objects it never saw created (they predate the session, or were
// dropped) are ignored or kept minimal, never trusted to be consistent.
// Invariants: an agent is in `agents_` while live, or after its end while it
// still holds a resource (a thread that exited holding a lock keeps blocking
// others); a resource's holders list only agents that acquired and did not
// release it; sizes of the per-object lists are capped so a misbehaving program
// cannot grow it without bound.
class StateMirror {
 public:
  // `thread` is the agent of the OS thread that recorded `event`.
  void apply(uint64_t thread, const format::Event& event);
  // Waits in progress that cannot end by themselves: no deadline, and not I/O or
  // sleep (which wait on the outside world).
  size_t blocked_waits() const;
  // The snapshot at `time_ns` (see snapshot.cpp for the exact event set).
  void snapshot(int64_t time_ns, const std::vector<ModuleInfo>& modules,
                std::vector<format::Event>& out) const;

 private:
  struct Agent {
    bool task = false;
    bool ended = false;
    uint64_t parent = 0;
    uint32_t name = 0;
    uint32_t location = 0;  // tasks: where they were spawned
  };
  struct Resource {
    format::ResourceKind kind = format::ResourceKind::kUnknown;
    uint64_t extra = 0;  // as kResourceCreate.b; semaphores: units available now
    uint32_t name = 0;
    uint64_t creator = 0;
    uint64_t depth = 0;  // channels
    bool closed = false;
  };
  struct Endpoint {
    uint64_t channel = 0;
    format::EndpointSide side = format::EndpointSide::kSender;
    uint64_t opener = 0;
    uint64_t hander = 0;
    uint64_t handed_to = 0;
    std::vector<uint64_t> users;
  };
  struct Waker {
    uint64_t registered_on = 0;
    uint64_t cloner = 0;
    uint32_t count = 0;
  };
  // Applies one kind's view (state_mirror.cpp).
  struct Apply;

  void end_agent(uint64_t agent);
  void release(uint64_t resource, uint64_t agent, format::LockMode mode);
  bool holds_anything(uint64_t agent) const;

  std::unordered_map<uint64_t, Agent> agents_;
  std::unordered_map<uint64_t, Resource> resources_;
  // Each acquisition not released, as recorded, with `thread` = the holder.
  std::unordered_map<uint64_t, std::vector<format::Event>> holds_;  // by resource
  std::unordered_map<uint64_t, Endpoint> endpoints_;
  std::unordered_map<uint64_t, format::Event> waits_;  // by waiting agent, `thread` = it
  model::ActingAgents acting_;                         // and the polls in progress
  std::unordered_map<uint64_t, int64_t> poll_since_;   // by task: its latest poll's begin
  std::unordered_map<uint64_t, std::vector<format::Event>> spans_;  // by agent
  std::unordered_map<uint64_t, std::vector<Waker>> wakers_;         // by task woken
};

}  // namespace taskscope::detail
