// What the recorder keeps per OS thread, and the registry the flusher walks.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "hot_path/hold_ledger.hpp"
#include "hot_path/ring.hpp"
#include "hot_path/spill.hpp"
#include "hot_path/string_caches.hpp"
#include "taskscope/events.hpp"
#include "taskscope/format/event.hpp"

namespace taskscope::detail {

// The flusher's private view of one thread, kept across rounds.
struct FlushCursor {
  AgentId agent = 0;                     // agent of the record at the ring's read position
  int64_t last_ns = 0;                   // last timestamp written for this thread (kept monotonic)
  std::vector<format::Event> synthetic;  // to put before the ring's events next round
  // Deferred holds the flusher read from the ledger (hold_ledger.hpp), to put
  // after the ring's events next round, unless the thread wrote them itself.
  std::vector<format::Event> deferred;
};

// One OS thread's recording state. The thread reaches it through plain
// thread-local pointers (see record.cpp); the registry owns it.
//
// Who touches what: `ring` and `spill` producer side, `acting`, `caches` and
// `ledger` belong to the owning thread (the flusher only copies the ledger's
// deferred holds); `flush` and the consumer sides of `ring` and `spill` to the
// flusher; `announced_epoch` is guarded by the registry lock. The atomics are written by
// the owner and read by session start (to re-announce a thread that outlived an
// earlier session). Invariant: once `retired` is set the owner never touches
// the context again, so whoever drains it last may free it.
struct ThreadContext {
  ThreadContext(uint64_t ring_records, AgentId agent_id, AgentId parent_id, StringId name_id)
      : ring(ring_records), agent(agent_id), parent(parent_id), name(name_id) {
    flush.agent = agent_id;
  }

  EventRing ring;
  SpillChain spill;  // where events go while `ring` is full (spill.hpp)
  std::atomic<AgentId> agent;
  std::atomic<AgentId> parent;
  std::atomic<StringId> name;
  AgentId acting = 0;  // the task being polled on this thread, 0 = the thread itself
  StringId exit_site = 0;  // where the thread called pthread_exit (kThreadEnd's str), 0 = none
  // The last reading of this thread's CPU clock and the counter ticks it was
  // taken at (0: none yet); see cpu_time_at_most in events.cpp.
  uint64_t cpu_probe_ticks = 0;
  uint64_t cpu_probe_ns = 0;
  StringCaches caches;
  std::atomic<bool> retired{false};
  uint64_t announced_epoch = 0;
  FlushCursor flush;
  // The locks the thread holds, deferred holds included: the owner's, read by
  // the flusher through its seqlock (hold_ledger.hpp).
  HoldLedger ledger;
};

// Every live (and retired but not yet drained) ThreadContext of the process.
// Invariant: while a session is active only the flusher frees contexts (after
// draining a retired one); otherwise a thread frees its own context at exit and
// deactivate() frees the retired ones, so a context is never freed while someone
// may still read it. The lock is held only for list edits, never while draining
// or encoding, and never by a thread that could block inside it.
class ThreadRegistry {
 public:
  static ThreadRegistry& instance() noexcept;

  // Creates and registers the calling thread's context. `announce` is set when a
  // session is active: the caller then records kThreadStart itself.
  ThreadContext* create(AgentId agent, AgentId parent, StringId name, bool* announce);
  // The owning thread is exiting.
  void retire(ThreadContext* context) noexcept;

  // Session start: new contexts get `ring_records` slots; every existing context
  // gets a synthetic kThreadStart so the new trace knows its thread.
  void activate(uint64_t ring_records);
  // Session end, after the flusher's last round: frees the retired contexts.
  void deactivate() noexcept;

  // Flusher: the contexts to drain this round.
  void list(std::vector<ThreadContext*>& out);
  // Flusher: removes and frees contexts that were retired and are now drained.
  void release(const std::vector<ThreadContext*>& drained) noexcept;

  // fork(): the child keeps only the forking thread's context.
  void lock_for_fork() noexcept { mutex_.lock(); }
  void unlock_after_fork() noexcept { mutex_.unlock(); }
  void reset_in_child(ThreadContext* survivor) noexcept;

 private:
  std::mutex mutex_;
  std::vector<ThreadContext*> contexts_;
  uint64_t epoch_ = 0;
  bool active_ = false;
  uint64_t ring_records_ = (uint64_t{1} << 20) / sizeof(Record);
};

// The hot path's view of the calling thread: plain pointers (NanoLog: a
// thread_local with a destructor costs a call per access; the destructor lives
// in a separate thread_local, see thread_context.cpp). Initial-exec TLS, so an
// access is one %fs-relative load even though we are a shared library.
extern constinit thread_local EventRing* t_ring __attribute__((tls_model("initial-exec")));
extern constinit thread_local ThreadContext* t_context __attribute__((tls_model("initial-exec")));

// Creates the calling thread's context under a fresh agent id (nullptr while
// the thread is exiting or if memory ran out).
ThreadContext* create_this_thread_context_fresh() noexcept;
// The calling thread's context, created on first use (nullptr while the thread
// is exiting or if memory ran out). Inline: once it exists, one TLS load.
inline ThreadContext* this_thread_context() noexcept {
  if (ThreadContext* context = t_context) [[likely]]
    return context;
  return create_this_thread_context_fresh();
}
// Creates the calling thread's context with a given agent id (adopt_thread_agent).
ThreadContext* create_this_thread_context(AgentId agent, AgentId parent, StringId name) noexcept;
// The calling thread's context if it exists, without creating it.
ThreadContext* this_thread_context_if_any() noexcept;
// Ends the calling thread: records kThreadEnd (with its exit site) and retires
// its context. Later events of the thread are ignored. No-op the second time.
void end_this_thread() noexcept;

}  // namespace taskscope::detail
