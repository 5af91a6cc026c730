// The flusher's model of the recorded program's live state, kept so that each
// flight-recorder generation can start with a snapshot and the hang watchdog
// can tell whether anyone is blocked.
#pragma once

#include <cstdint>
#include <vector>

#include "process/modules.hpp"
#include "taskscope/format/event.hpp"
#include "taskscope/model/replay.hpp"

namespace taskscope::detail {

// The event model's replay State (taskscope/model/state.hpp), fed only with
// events the flusher drained (never on the hot path), in time order within a
// round: the analyzer replays a trace into the same State, so a snapshot taken
// from it is what the analyzer would have rebuilt at that instant
// (docs/architecture.md). Tolerant by design, as replay is: events about objects
// it never saw created (they predate the session, or were dropped) leave what
// they cannot establish unknown. Bounded as the State is: per-object lists are
// capped (span depth, endpoint users, live wakers per task) and ended agents
// are forgotten once State::kRememberEnded more have ended, unless they still
// hold a resource (a thread that exited holding a lock keeps blocking others).
// Names of destroyed resources, which only the analyzer's findings read, are
// not kept.
class StateMirror {
 public:
  StateMirror();
  // `thread` is the agent of the OS thread that recorded `event`.
  void apply(uint64_t thread, const format::Event& event);
  // Waits in progress that cannot end by themselves: no deadline, and not I/O or
  // sleep (which wait on the outside world).
  size_t blocked_waits() const;
  // The snapshot at `time_ns` (see snapshot.cpp for the exact event set).
  void snapshot(int64_t time_ns, const std::vector<ModuleInfo>& modules,
                std::vector<format::Event>& out) const;

 private:
  model::Replayer replay_;
};

}  // namespace taskscope::detail
