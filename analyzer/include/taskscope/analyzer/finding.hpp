// A finding: one diagnosis as data — the agents it involves (with their spawn
// chains and what they hold), the resources (with their state), the wait edges
// between them (who waits on what, since when, where), times as trace
// nanoseconds — plus the summary and explanation a person reads. The text, JSON
// (taskscope.report/2, docs/report-schema.md) and dot renderings read these
// fields; detectors fill them from the replay State and the wait-for graph.
//
// Invariants: ids are trace ids (agent ids and resource ids are separate
// spaces); every time is on the trace's clock, -1 meaning "not known"; a
// location whose `text` is empty is unknown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace taskscope::analyzer {

enum class FindingKind : uint8_t {
  kDeadlock,
  kChannelFullCycle,
  kBlockedForever,
  kLostWakeup,
  kLockOrderInversion,
  kBlockingInAsync,
  kStalled,
  kChannelGrowth,
  kSelfWake,
  kEventsDropped,
};
std::string_view finding_kind_name(FindingKind kind);  // "channel_full_cycle"

enum class Severity : uint8_t { kError, kWarning, kInfo };
std::string_view severity_name(Severity severity);  // "error"
// The severity docs/wait-semantics.md ("Detectors") gives a kind when nothing lowers it.
Severity default_severity(FindingKind kind);

// A source location: file, line and function when the trace (or the
// symbolizer) knows them; `text` is how reports print it,
// "app/bank.c:41 (transfer)". A module offset without debug info keeps its
// text as `file` and has no line.
struct SourceLocation {
  std::string text;      // "" when unknown
  std::string file;      // "app/bank.c"
  uint32_t line = 0;     // 0 when unknown
  std::string function;  // "transfer"; "" when unknown
  bool known() const { return !text.empty(); }
  // Parses the printed form (the innermost frame of "a <- b <- c").
  static SourceLocation from_text(std::string text);
};

// An agent or resource named inside another record (a wait, a hold).
struct NamedId {
  uint64_t id = 0;
  std::string name;
};

// Held locks, shared locks and semaphore units.
enum class HoldMode : uint8_t { kExclusive, kShared, kUnits };
std::string_view hold_mode_name(HoldMode mode);  // "exclusive"

// Something an agent holds at the instant analyzed.
struct AgentHold {
  NamedId resource;
  HoldMode mode = HoldMode::kExclusive;
  int64_t count = 1;  // recursion depth, or semaphore units
  int64_t since_ns = -1;
  SourceLocation location;  // where it was taken
};

// One ancestor in a spawn chain, and where it was itself spawned.
struct SpawnStep {
  std::string type;  // "thread" | "task" | "unknown"
  uint64_t id = 0;
  std::string name;
  SourceLocation spawned_at;
};

struct AgentRef {
  AgentRef() = default;
  AgentRef(std::string type_, uint64_t id_, std::string name_)
      : type(std::move(type_)), id(id_), name(std::move(name_)) {}

  std::string type;  // "thread" | "task" | "unknown"
  uint64_t id = 0;
  std::string name;  // display name: "fetch#3", "transfer-1"
  // The fields below are filled from the state at the instant analyzed; an
  // agent the state no longer holds keeps them empty and `state` "forgotten".
  std::string state;                   // run_state_name(): "blocked", "idle", "ended", ...
  SourceLocation spawned_at;           // where its parent spawned or created it
  std::vector<SpawnStep> spawn_chain;  // parent first, then its parent, ...
  std::vector<AgentHold> holds;
};

// Who holds a resource.
struct ResourceHolder {
  NamedId agent;
  HoldMode mode = HoldMode::kExclusive;
  int64_t count = 1;
};

// A channel's state: capacity 0 means unbounded; depth is meaningful only
// when depth_known (a window that began mid-run may not know it).
struct ChannelState {
  uint64_t capacity = 0;
  bool depth_known = false;
  uint64_t depth = 0;
  bool closed = false;
  uint64_t sends = 0, recvs = 0;
};

struct ResourceRef {
  ResourceRef() = default;
  ResourceRef(std::string type_, uint64_t id_, std::string name_)
      : type(std::move(type_)), id(id_), name(std::move(name_)) {}

  std::string type;  // "mutex" | "rwlock" | "channel" | "condvar" | ...
  uint64_t id = 0;
  std::string name;  // "results", "mutex@bank.c:37"
  // The name is the program's (given, or a variable's), not made up from the
  // kind and the first use: reports then say `channel "results"`.
  bool named = false;
  // Filled from the state; a resource destroyed before the instant analyzed
  // has live == false and no state.
  bool live = false;
  SourceLocation first_used_at;
  std::optional<NamedId> owner;  // exclusive holder
  std::vector<ResourceHolder> holders;
  uint32_t waiters = 0;                 // agents inside a wait on it
  std::optional<ChannelState> channel;  // channels only
};

// What a waiting agent does.
enum class WaitKind : uint8_t {
  kLock,
  kReadLock,
  kSemaphore,
  kCondvar,
  kSend,
  kRecv,
  kJoin,
  kIo,
  kSleep,
  kBarrier,
  kFutex,
  kOther,
  kPending,   // a task whose last poll returned pending, not woken since
  kPollHeld,  // a worker thread held inside the poll of a blocked task
};
std::string_view wait_kind_name(WaitKind kind);  // "lock", "send", "condvar", ...

// Why the waited-for agent could end the wait (the wait-for graph's edge
// reasons, docs/wait-semantics.md "Wait kinds").
enum class WaitReason : uint8_t {
  kOwns,
  kHoldsShared,
  kQueuedWriter,
  kHoldsUnits,
  kPosted,
  kNotified,
  kUsesMutex,
  kReceiver,
  kSender,
  kJoined,
  kPolls,
  kWaker,
  kAnyone,
};
std::string_view wait_reason_name(WaitReason reason);  // "owns", "receiver", ...

// How `waits_for` of a receiver or sender edge holds the channel's other end
// (docs/wait-semantics.md, "Who holds a channel endpoint").
struct EndpointUse {
  std::string strength;  // "used" (it moved items through it), "handed" (given to it at
                         // spawn), "created" (assumed: it created the channel)
  uint64_t items = 0;    // "used": items the channel moved that way, when it moved the last
  int64_t last_ns = -1;  // and when it did; -1 when another agent moved the last
};

// An edge of the finding's wait-for story: `agent` waits (kind, resource,
// since, where) and `waits_for` could end the wait, for `reason`. A wait
// nobody can end (every unblocker gone) has no waits_for.
struct FindingWait {
  NamedId agent;
  WaitKind kind = WaitKind::kOther;
  std::optional<NamedId> resource;
  std::optional<NamedId> waits_for;
  std::optional<WaitReason> reason;
  int64_t since_ns = -1;
  SourceLocation location;
  bool in_cycle = false;  // an edge of the cycle, in cycle order
  bool assumed = false;   // rests on a channel handle attribution that may be stale
  std::optional<EndpointUse> endpoint;  // reason receiver or sender
  std::string text;       // "fetch#3 sending on channel \"results\""
};

// lock_order_inversion: one acquisition of the potential cycle — `agent` took
// `took` while holding `holding`.
struct LockOrderStep {
  NamedId agent;
  NamedId holding;
  SourceLocation held_at;
  NamedId took;
  SourceLocation taken_at;
  int64_t at_ns = -1;
};

struct Finding {
  FindingKind kind = FindingKind::kDeadlock;
  Severity severity = Severity::kError;
  std::string summary;  // one line
  std::vector<AgentRef> agents;
  std::vector<ResourceRef> resources;
  std::vector<FindingWait> wait_edges;    // cycle edges first, in order
  std::vector<LockOrderStep> lock_order;  // lock_order_inversion only
  std::vector<std::string> explanation;   // sentences and per-agent lines, in reading order
  int64_t since_ns = -1;                  // when the problem started
};

}  // namespace taskscope::analyzer
