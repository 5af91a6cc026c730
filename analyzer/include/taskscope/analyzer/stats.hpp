// `taskscope stats`: where the time went in one trace.
//
// One streaming pass over format::TraceReader aggregates, per task or thread
// name, per span name and per resource: counts, busy time, scheduling latency,
// blocked time by cause, contention, channel depth, memory, agents by state over
// time and worker-thread utilisation. Memory is bounded by the number of distinct
// names and resources (plus live agents), never by the number of events. Names
// are the naming service's (name_resolver.hpp), resolved once at the end of the
// pass: the same in every command and in two runs of one binary.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "taskscope/analyzer/stats_distribution.hpp"
#include "taskscope/format/event.hpp"

namespace taskscope::format {
class TraceReader;
}

namespace taskscope::analyzer {

// Why an agent was blocked, as a user asks it ("waiting on a lock? a channel?").
enum class BlockCause : uint8_t {
  kLock, kSend, kRecv, kCondvar, kJoin, kIo, kSleep, kFutex, kOther
};
inline constexpr size_t kBlockCauses = 9;
BlockCause block_cause_of(format::WaitOp op);
std::string_view block_cause_name(BlockCause cause);  // "lock", "channel send", ...
std::string_view block_cause_key(BlockCause cause);   // "lock", "send", ... (JSON keys)

// What an agent is doing. Threads are running or blocked; tasks are runnable
// (woken or spawned, not yet polled), running (being polled), blocked (in a sync
// wait inside a poll) or idle (pending with no wake yet).
enum class AgentState : uint8_t { kRunning, kRunnable, kBlocked, kIdle };
inline constexpr size_t kAgentStates = 4;
std::string_view agent_state_name(AgentState state);

using CauseDistributions = std::array<Distribution, kBlockCauses>;

// Everything recorded for the agents (threads or tasks) that share one name.
struct AgentGroupStats {
  std::string name;
  bool is_task = false;
  uint64_t agents = 0;           // agents that carried this name
  uint64_t polls = 0;            // task: times polled; thread: polls it ran (worker)
  Distribution busy;             // task: poll durations; thread: run slices between waits
  Distribution sched_latency;    // task: wake (or spawn) to the next poll begin
  CauseDistributions blocked;    // wait durations by cause
  uint64_t contended = 0;        // lock/semaphore acquisitions that had to wait
  Distribution memory_peak;      // per agent peak of its memory deltas (bytes)
  int64_t memory_allocated = 0;  // sum of positive memory deltas
  int64_t memory_live = 0;       // bytes still accounted at the agent's end
  // Worker threads (threads that polled tasks): time spent polling of lifetime.
  int64_t lifetime_ns = 0;
  int64_t poll_ns = 0;
  // Polls it ran that were off the CPU for over 10 ms with no recorded wait
  // (the thread descheduled, or blocked where nothing is recorded): info only.
  uint64_t descheduled_polls = 0;
  int64_t descheduled_max_ns = 0;

  int64_t blocked_ns() const;
  bool has_memory() const { return !memory_peak.empty(); }
  double utilisation() const {
    return lifetime_ns > 0 ? static_cast<double>(poll_ns) / lifetime_ns : 0.0;
  }
};

// A user span (taskscope::Span) by name: inclusive durations and the blocked
// time of waits made while the span was open on the waiting agent.
struct SpanStats {
  std::string name;
  Distribution duration;
  CauseDistributions blocked;
};

// One resource, or all resources of a kind that share a name.
struct ResourceStats {
  std::string name;
  format::ResourceKind kind = format::ResourceKind::kUnknown;
  uint64_t instances = 0;     // creations seen
  uint64_t acquisitions = 0;  // kAcquired events
  uint64_t contended = 0;     // acquisitions that waited first
  Distribution hold;          // acquisition to release, per holder
  CauseDistributions waits;   // waits on this resource by cause
  // Channels.
  uint64_t capacity = 0;  // 0 = unbounded
  uint64_t sends = 0, recvs = 0;
  Distribution depth;     // depth after each send/recv
  double depth_area = 0;  // integral of depth over time (items * ns)
  int64_t depth_time_ns = 0;
  // Condition variables.
  uint64_t notifies = 0;

  int64_t wait_ns() const;
  double depth_mean() const {  // time-weighted
    return depth_time_ns > 0 ? depth_area / static_cast<double>(depth_time_ns) : 0.0;
  }
  bool is_channel() const { return kind == format::ResourceKind::kChannel; }
};

// Time-weighted mean number of agents in each state over one interval.
struct StateInterval {
  int64_t start_ns = 0, end_ns = 0;
  std::array<double, kAgentStates> mean{};
};

struct TraceSummary {
  std::string path;
  std::string process;  // the recorded program's name (the header's)
  std::string holds;    // the header's: "needed" when uncontended holds were left out
  uint64_t events = 0;
  int64_t first_ns = 0, last_ns = 0;
  uint64_t dropped_events = 0;
  bool truncated = false;
  std::string status;  // ReadStatus::summary()
  // Saturates, as format::ReadStatus::duration_ns does.
  int64_t duration_ns() const {
    int64_t duration;
    return __builtin_sub_overflow(last_ns, first_ns, &duration) ? INT64_MAX : duration;
  }
};

struct TraceStats {
  TraceSummary trace;
  std::vector<AgentGroupStats> agents;   // by busy + blocked time, largest first
  std::vector<SpanStats> spans;          // by total duration, largest first
  std::vector<ResourceStats> resources;  // by hold + wait time, largest first
  std::vector<StateInterval> timeline;   // consecutive, covering the trace
};

struct StatsOptions {
  // Raw samples kept per name and metric for rank tests (0: none; diff uses 4096).
  uint32_t reservoir_size = 0;
  // Upper bound on timeline intervals; the interval width doubles to stay under it.
  size_t timeline_intervals = 64;
};

// Reads every event of `reader` and aggregates it. Throws format::TraceError only
// from the reader; any event sequence (missing begins, unknown ids) is tolerated.
TraceStats compute_stats(format::TraceReader& reader, const StatsOptions& options = {});
TraceStats compute_stats(const std::string& path, const StatsOptions& options = {});

// Human-readable report; `timeline_rows` caps the printed timeline (merged).
void write_stats_text(const TraceStats& stats, std::ostream& out, size_t timeline_rows = 12);
// {"schema": "taskscope.stats/1", ...}; durations in ns, quantiles p50/p90/p99/max.
void write_stats_json(const TraceStats& stats, std::ostream& out);

}  // namespace taskscope::analyzer
