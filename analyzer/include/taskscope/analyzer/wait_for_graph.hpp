// The wait-for graph at one instant, its reduction, and the explanation of what
// remains.
//
// Nodes are agents; an edge points from a blocked agent to an agent that could
// unblock it, labelled by the resource. Each blocked agent's condition is AND
// (every target must progress: a lock's holders, a joined agent) or OR (any
// target suffices: a channel's live receivers, a condvar's notifiers), with the
// semantics of docs/wait-semantics.md's table. Agents that wait on the outside world (I/O,
// sleep, timers, timed waits), and waits whose possible unblockers are not known
// from the trace, "may progress": they are free, never stuck. Ended agents are
// nodes too, but free nothing.
//
// The reduction is the grant phase of Bracha–Toueg's generalised AND-OR deadlock
// detection (Bracha & Toueg, "A distributed algorithm for generalized deadlock
// detection", 1984), O(V + E): free agents grant their waiters until nothing
// changes; the blocked agents never granted form the StuckSet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "taskscope/analyzer/state.hpp"

namespace taskscope::analyzer {

enum class Condition : uint8_t { kAnd, kOr };

enum class NodeStatus : uint8_t {
  kFree,     // running, runnable, or may progress by itself
  kBlocked,  // needs its condition over other agents (possibly an empty one: no unblocker)
  kEnded,
};

// Why a free node is free (for the census and the dot output).
enum class FreeReason : uint8_t {
  kRunning,
  kRunnable,
  kOutsideWorld,    // io, sleep, timer, barrier, other
  kTimed,           // a wait with a deadline
  kUnknownHolders,  // the possible unblockers are not known from the trace
  kUnknownAgent,
};

// Why a blocked node waits for an edge's target.
enum class EdgeReason : uint8_t {
  kOwns,          // target owns the lock exclusively
  kHoldsShared,   // target holds the rwlock shared
  kQueuedWriter,  // target waits to write a writer-preferring rwlock
  kHoldsUnits,    // target holds semaphore units
  kPosted,        // target posted this semaphore before
  kNotified,      // target notified this condvar before
  kUsesMutex,     // target uses the condvar's mutex
  kReceiver,      // target holds a live receiver of the full channel
  kSender,        // target holds a live sender of the empty channel
  kJoined,        // target is the joined agent
  kPolls,         // the thread polls the target task, which is blocked
  kWaker,         // target can act on the resource the task's waker is registered on
  kAnyone,        // anyone could end the wait, and target is one of the (all blocked) agents
};
const char* edge_reason_text(EdgeReason reason);

struct WaitEdge {
  uint32_t to = 0;  // node index
  ResourceId resource = 0;
  EdgeReason reason = EdgeReason::kOwns;
  bool assumed = false;     // rests on a created/copied endpoint attribution
  EndpointId endpoint = 0;  // kReceiver/kSender: the endpoint it rests on
};

struct WaitNode {
  AgentId agent = 0;
  NodeStatus status = NodeStatus::kFree;
  FreeReason free_reason = FreeReason::kRunning;
  Condition condition = Condition::kAnd;
  bool idle_task = false;       // blocked as a pending task, not in a wait
  bool no_waker = false;        // idle task with no live waker and no wake since its poll
  bool no_endpoint = false;     // channel wait with no live endpoint on the other side
  bool whole_process = false;   // an OR wait anyone could end, in a process where nobody can
  std::vector<WaitEdge> edges;  // distinct targets
};

class WaitForGraph {
 public:
  // Builds the graph from the state (at state.now_ns). `threads_at_hang`: the
  // program's live threads when the hang watchdog wrote the trace, when the
  // state is the trace's end and the trace is whole (0 otherwise). If every one
  // of them is a recorded thread and every live agent is inside a recorded wait
  // that cannot end by itself, nobody can signal, post or send: a condvar,
  // semaphore or channel wait whose unblockers are unknown ("anyone") then waits
  // on all the other agents (Go's "all goroutines are asleep").
  static WaitForGraph build(const State& state, uint32_t threads_at_hang = 0);

  const std::vector<WaitNode>& nodes() const { return nodes_; }
  const WaitNode& node(uint32_t index) const { return nodes_[index]; }
  std::optional<uint32_t> index_of(AgentId agent) const;

 private:
  std::vector<WaitNode> nodes_;
  std::vector<std::pair<AgentId, uint32_t>> sorted_ids_;  // for index_of
};

// The result of the reduction.
struct StuckSet {
  std::vector<bool> stuck;        // by node index
  std::vector<uint32_t> members;  // stuck node indices, in node order
  bool contains(uint32_t node) const { return node < stuck.size() && stuck[node]; }
  bool empty() const { return members.empty(); }
};

// Bracha–Toueg grant phase over the AND-OR graph.
StuckSet reduce(const WaitForGraph& graph);

// A root cause in the stuck set: a cycle (a strongly connected component with a
// cycle in it) or a dead end (a stuck agent none of whose unblockers is stuck:
// they ended, or there are none), and the other stuck agents that wait on it.
struct StuckGroup {
  enum class Kind : uint8_t { kCycle, kDeadEnd };
  Kind kind = Kind::kCycle;
  std::vector<uint32_t> component;  // kCycle: the SCC's members
  std::vector<uint32_t> cycle;      // kCycle: a shortest cycle, each waiting for the next
  uint32_t dead_end = 0;            // kDeadEnd
  std::vector<uint32_t> attached;   // stuck agents outside it that wait on it
};

// Strongly connected components of the stuck subgraph and a shortest cycle in
// each (Boost.Graph), and the root cause each other stuck agent waits on.
std::vector<StuckGroup> explain(const WaitForGraph& graph, const StuckSet& stuck);

// The edge from `from` to `to` (nullptr if none).
const WaitEdge* edge_between(const WaitForGraph& graph, uint32_t from, uint32_t to);

}  // namespace taskscope::analyzer
