// Per-agent measures for the live view that the replay State does not keep:
// time spent in polls and in waits (for busy %), poll scheduling latency (from
// woken to polled) and the last few finished waits. It watches the replay as an
// observer, so it reads each agent's state as it was before the event.
//
// Invariant: holds an entry only for agents the State still holds; forget()
// drops the others at each frame, so memory follows the live agents.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "taskscope/analyzer/live.hpp"
#include "taskscope/analyzer/replay.hpp"
#include "taskscope/analyzer/stats_distribution.hpp"

namespace taskscope::analyzer {

// Poll scheduling latencies of one agent. Most tasks are polled a few times:
// their values are kept as they are (exact quantiles, nothing sized by the
// largest value to allocate per task); past kExact values they move into a
// LogHistogram (quantiles within its relative error).
class LatencyQuantiles {
 public:
  void add(uint64_t value);
  uint64_t count() const { return exact_.size() + histogram_.count(); }
  uint64_t quantile(double q) const;  // nearest rank, as LogHistogram's; 0 when empty

 private:
  static constexpr size_t kExact = 16;
  std::vector<uint64_t> exact_;  // until histogram_ takes over
  LogHistogram histogram_;
};

class LiveSession::Meter : public EventObserver {
 public:
  struct FinishedWait {
    Wait wait;
    int64_t end_ns = 0;
  };
  struct Measures {
    int64_t poll_ns = 0;  // completed polls (a worker thread: the polls it ran)
    int64_t poll_begin_ns = -1;  // a worker thread: start of its outermost poll now
    int64_t wait_ns = 0;  // completed waits
    LatencyQuantiles sched_latency;
    std::vector<FinishedWait> recent;  // newest first, at most recent_waits
    int64_t busy_at_frame_ns = -1;    // busy time at the previous frame
  };

  explicit Meter(size_t recent_waits) : recent_waits_(recent_waits) {}

  uint64_t kinds() const override;
  void observe(const format::Event& event, AgentId acting, const State& state) override;

  // Busy time of `agent` up to `now_ns`: a task's time in polls, a worker
  // thread's time running polls, another thread's time outside recorded waits.
  int64_t busy_ns(const Agent& agent, int64_t now_ns) const;
  Measures* find(AgentId id);
  Measures& add(AgentId id) { return agents_[id]; }
  // Drops the measures of agents the state no longer holds.
  void forget(const State& state);

 private:
  size_t recent_waits_;
  std::unordered_map<AgentId, Measures> agents_;
};

}  // namespace taskscope::analyzer
