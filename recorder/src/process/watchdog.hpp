// The hang watchdog's decision: has the program stopped making progress while
// someone is blocked?
#pragma once

#include <cstddef>
#include <cstdint>

namespace taskscope::detail {

// Exit status of a process ended by the watchdog (Config::abort_on_hang), the
// one `timeout(1)` uses, so scripts can tell "hung" from "failed".
inline constexpr int kHangExitStatus = 124;

// Progress means any event recorded by any thread: a program whose agents all
// stopped recording cannot be doing anything we can see. The watchdog fires
// when there was no progress for `timeout_ns` while at least one wait that
// cannot end by itself (no deadline, not I/O, not sleep) is in progress.
// Invariant: it fires at most once per stall; any new event re-arms it.
// Evaluated by the flusher once per round, so it needs no thread of its own
// and sees exactly the events that reach the trace.
//
// Quiet is not stuck when the program computes: a lock holder in a long
// calculation records nothing while its waiters are blocked. So the program's
// CPU time (the process's, less the recorder's own threads) re-arms it too,
// when it grew by more than a quarter of a core over the timeout. On a loaded
// machine a computing thread still gets its share of a core, so load alone
// makes no hang (docs/verdict-clocks.md).
class HangWatchdog {
 public:
  explicit HangWatchdog(int64_t timeout_ns) : timeout_ns_(timeout_ns) {}
  bool enabled() const { return timeout_ns_ > 0; }
  // `last_event_ns`: time of the newest event drained this round (< 0: none);
  // `program_cpu_ns`: the CPU time the program's own threads used so far
  // (< 0: unknown, then only events count). Returns true when the program is
  // now considered hung.
  bool observe(int64_t now_ns, int64_t last_event_ns, size_t blocked_waits,
               int64_t program_cpu_ns = -1);

 private:
  int64_t timeout_ns_;
  int64_t last_progress_ns_ = 0;
  int64_t cpu_at_progress_ns_ = -1;
  bool fired_ = false;
};

}  // namespace taskscope::detail
