// The concurrency state of a recorded program at one instant, as replay rebuilds
// it: agents (threads and tasks), resources (locks, semaphores, condition
// variables, channels, ...) and channel endpoints.
//
// Everything here is bounded by what is live: per-agent and per-resource history
// is kept as summaries (counts, last times, small sets), never as event lists.
// Fields that replay could not establish (a window that starts mid-run, a lost
// event) are marked unknown rather than guessed; analyses treat unknown as "may
// progress".
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "taskscope/format/event.hpp"
#include "taskscope/model/event_table.hpp"
#include "taskscope/model/id_table.hpp"

namespace taskscope::model {

enum class AgentType : uint8_t { kUnknown, kThread, kTask };

enum class RunState : uint8_t {
  kUnknown,   // referenced by another agent's events only; never seen acting
  kRunning,   // a thread outside any wait, or a task inside a poll
  kBlocked,   // inside a wait (WaitBegin without its WaitEnd)
  kIdle,      // a task whose last poll returned pending and that was not woken since
  kRunnable,  // a task woken (or never polled) and waiting to be polled
  kEnded,
};
const char* agent_type_name(AgentType type);
const char* run_state_name(RunState state);

// A wait in progress.
struct Wait {
  ResourceId resource = 0;  // kJoin: the joined agent
  format::WaitOp op = format::WaitOp::kOther;
  uint64_t b = 0;  // WaitBegin.b (condvar: its mutex; io: fd; sleep: ns)
  bool timed = false;
  StringId location = 0;
  int64_t since_ns = 0;
  format::IoOp io_op = format::IoOp::kReady;  // op kIo: what it waits to do
};

// A resource an agent holds (a lock, shared lock or semaphore units).
struct Hold {
  ResourceId resource = 0;
  format::LockMode mode = format::LockMode::kExclusive;
  uint32_t count = 0;  // recursion depth, or semaphore units
  int64_t since_ns = 0;
  StringId location = 0;
  // The first acquisition's count field and try flag as recorded, so that a
  // flight-recorder snapshot can list the hold as its kAcquired events
  // (docs/event-model.md, "Snapshot events").
  uint64_t recorded_count = 0;
  bool try_op = false;
};

struct SpanFrame {
  StringId name = 0;
  StringId argument = 0;
  StringId location = 0;
  int64_t since_ns = 0;
};

// Live wakers of a task cloned by one agent while registered on one resource
// (kWakerClone's fields), kept so that a snapshot lists each live waker.
struct LiveWakers {
  ResourceId registered_on = 0;
  AgentId cloner = 0;
  uint32_t count = 0;
};

// A small set of agent ids that gives up ("overflowed") instead of growing:
// used for "who notified / who used this mutex" where only a few matter and
// many means "anyone could".
struct AgentSet {
  static constexpr size_t kCapacity = 8;
  std::vector<AgentId> ids;
  bool overflowed = false;
  void add(AgentId id);
  bool contains(AgentId id) const;
};

struct Agent {
  AgentId id = 0;
  AgentType type = AgentType::kUnknown;
  RunState state = RunState::kUnknown;
  bool observed = false;  // its own start/spawn/events were seen
  bool from_snapshot = false;
  StringId name = 0;
  uint32_t ordinal = 0;  // 1-based among agents with the same name
  AgentId parent = 0;
  StringId spawn_location = 0;
  int64_t start_ns = -1;  // -1: before the window
  int64_t end_ns = -1;
  StringId exit_location = 0;  // thread: where it called pthread_exit (0: it returned)
  bool detached = false;       // thread: detached (nobody can join it)
  StringId detach_location = 0;
  int64_t state_since_ns = 0;

  bool waiting = false;  // `wait` is valid
  Wait wait;
  std::vector<Hold> holds;
  std::vector<SpanFrame> spans;
  int64_t memory_live = 0;  // sum of its recorded memory deltas (taskscope::memory_delta)
  int64_t memory_peak = 0;

  // Thread: tasks being polled on it, innermost last.
  std::vector<AgentId> polling;
  bool worker = false;  // it has polled tasks: with none in progress it is an idle worker

  // Task.
  AgentId polled_by = 0;  // thread polling it now (0 if none)
  int64_t poll_begin_ns = -1;
  int64_t poll_begin_cpu_ns = -1;  // its thread's CPU clock then (format 1.2), -1 unknown
  int64_t last_poll_end_ns = -1;
  bool last_poll_pending = false;
  bool woken_since_poll = false;
  bool wakers_known = false;              // the waker count below is exact (spawn seen)
  int32_t wakers = 0;                     // live wakers
  std::vector<ResourceId> registered_on;  // where its wakers went during the last poll
  // The live wakers by cloner and registration, at most kMaxLiveWakers entries;
  // a drop ends the latest one.
  static constexpr size_t kMaxLiveWakers = 16;
  std::vector<LiveWakers> live_wakers;
  uint64_t polls = 0;
  uint64_t wakes = 0;
  uint64_t self_wakes = 0;

  uint32_t live_children = 0;  // children still kept in the table (keeps spawn chains)
  bool retired = false;        // ended long enough ago to be forgotten when unreferenced

  // Resets to a default record, keeping the buffers' capacity (IdTable reuse).
  void recycle();
};

enum class EndpointStrength : uint8_t {
  kCreated,  // the agent made (or copied) it; it may have moved silently since
  kHanded,   // passed to the agent as a spawn/thread argument
  kUsed,     // the agent sent or received through it
};
const char* endpoint_strength_name(EndpointStrength strength);

struct Endpoint {
  EndpointId id = 0;
  ResourceId channel = 0;
  format::EndpointSide side = format::EndpointSide::kSender;
  AgentId holder = 0;
  EndpointStrength strength = EndpointStrength::kCreated;
  bool ambiguous = false;  // a snapshot named several users: the holder is not known
  int64_t since_ns = 0;
  // Its history as a snapshot lists it: who opened it, its last hand-over, and
  // the first agents that used it.
  AgentId opener = 0;
  AgentId hander = 0;
  AgentId handed_to = 0;
  AgentSet users;
};

struct Resource {
  ResourceId id = 0;
  format::ResourceKind kind = format::ResourceKind::kUnknown;
  bool created_seen = false;  // its kResourceCreate (live or snapshot) was seen
  bool destroyed = false;     // its kResourceDestroy was seen; kept while still referenced
  AgentId creator = 0;        // the agent that created it (its kResourceCreate's acting agent)
  StringId name = 0;
  StringId first_location = 0;  // first source location it was used at
  uint64_t create_extra = 0;    // kResourceCreate.b
  int64_t first_seen_ns = 0;

  // Locks (mutex, rwlock) and semaphores.
  AgentId owner = 0;  // exclusive holder
  uint32_t owner_depth = 0;
  std::vector<AgentId> readers;                           // shared holders (one entry per agent)
  AgentSet users;                                         // agents that acquired it
  std::vector<std::pair<AgentId, int64_t>> unit_holders;  // semaphore units per agent
  AgentSet posters;
  // Semaphores: units available now, from its creation's count less
  // acquisitions plus releases and posts (exact only if created in the window).
  uint64_t units_available = 0;
  bool recursive() const {
    return kind == format::ResourceKind::kMutex && (create_extra & format::kMutexRecursive);
  }
  bool writer_preferring() const {
    return kind == format::ResourceKind::kRwLock && create_extra == 1;
  }

  // Condition variables.
  AgentSet notifiers;
  uint64_t notifies = 0;
  int64_t lonely_notify_ns = -1;  // last notify that found no waiter
  AgentId lonely_notifier = 0;
  int64_t last_notify_ns = -1;
  ResourceId cv_mutex = 0;

  // Channels.
  uint64_t capacity = 0;  // 0 = unbounded
  uint64_t depth = 0;
  bool depth_known = false;
  bool closed = false;
  bool endpoints_known = false;  // created in-window and endpoint events seen: counts exact
  // Endpoints opened on first use (kFlagEndpointsByUse): the users seen can end a
  // wait, but someone not seen yet may too, so an absent user proves nothing.
  bool endpoints_by_use = false;
  std::vector<EndpointId> endpoints;
  uint64_t sends = 0, recvs = 0;
  int64_t last_send_ns = -1, last_recv_ns = -1;
  AgentId last_sender = 0, last_receiver = 0;
  uint64_t max_depth = 0;

  uint32_t waiters = 0;  // agents inside a wait on it now
  bool is_channel() const { return kind == format::ResourceKind::kChannel; }
};

// Damaged-trace bookkeeping: where events were lost.
struct DroppedRange {
  AgentId thread = 0;
  uint64_t events = 0;
  int64_t first_ns = 0;
  int64_t last_ns = 0;
};

// All replayed state. Tables are keyed by trace id.
struct State {
  IdTable<Agent> agents;
  IdTable<Resource> resources;
  IdTable<Endpoint> endpoints;
  // Ended agents are remembered (as kEnded records: an ended notifier or lock
  // owner frees nothing) until kRememberEnded more have ended; then they are
  // forgotten unless they still hold something or have remembered children.
  static constexpr size_t kRememberEnded = 4096;
  std::deque<AgentId> recently_ended;
  // Names of destroyed named resources, for findings about their past (growth,
  // lock order); capped so that churning named resources cannot grow it forever.
  static constexpr size_t kRememberDestroyedNames = 65536;
  size_t remember_destroyed_names = kRememberDestroyedNames;  // 0: keep none (no one asks)
  std::unordered_map<ResourceId, std::pair<format::ResourceKind, StringId>> destroyed_names;
  int64_t now_ns = 0;          // time of the last applied event (or --at)
  uint64_t events = 0;         // events applied
  uint64_t ended_threads = 0;  // agents forgotten after they ended (census)
  uint64_t ended_tasks = 0;
  std::vector<DroppedRange> dropped;
  uint64_t dropped_events = 0;
  uint64_t inconsistencies = 0;      // events that contradicted the state (kept, flagged)
  bool partial = false;              // the window started mid-run (snapshot or unknown refs)
  bool wakers_instrumented = false;  // the trace records wakers at all

  // Acting agent of a thread: the innermost task it polls, else itself.
  AgentId acting_agent(AgentId thread) const;
  // Number of agents sharing `name` (for "name#N" display).
  uint32_t name_count(StringId name) const;
  std::unordered_map<StringId, uint32_t> name_counts;
};

// A poll's CPU readings (format 1.2: PollBegin/PollEnd with kFlagCpuTime; see
// docs/verdict-clocks.md). The PollBegin reading, -1 when it has none:
int64_t poll_begin_cpu_ns(const format::Event& poll_begin);
// The time a poll spent on the CPU, at least (the readings bound it from below),
// from its begin reading and its PollEnd; -1 when the trace cannot tell. A poll
// without an end reading was shorter than the recorder's probe interval, so its
// wall time bounds its CPU time; that is returned when `wall_ns` is below 1 ms.
int64_t poll_cpu_ns(int64_t begin_cpu_ns, const format::Event& poll_end, int64_t wall_ns);

}  // namespace taskscope::model
