// Process-wide flags and counters shared by the session, the flusher, the hot
// path and the signal handlers. All are constant-initialised atomics that are
// never destroyed, so any thread or handler may touch them at any time.
#pragma once

#include <atomic>
#include <cstdint>

namespace taskscope::detail {

// Config::lossless of the running session (read on the ring-full slow path).
extern std::atomic<bool> g_lossless;

// Counters of the running (or last) session; written by the flusher.
struct SessionCounters {
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> dropped{0};
  std::atomic<uint64_t> frames{0};
  std::atomic<uint64_t> bytes{0};
};
extern SessionCounters g_counters;

// Requests from signal handlers to the flusher.
extern std::atomic<int> g_dump_signal_pending;  // signal number, 0 = none
extern std::atomic<int> g_crash_signal;         // fatal signal being handled, 0 = none
extern std::atomic<bool> g_crash_handled;       // the flusher wrote its crash dump

// Tests: while set, the flusher skips its rounds (stop() still drains everything).
extern std::atomic<bool> g_flusher_paused;

// True on the flusher thread itself.
extern constinit thread_local bool t_is_flusher __attribute__((tls_model("initial-exec")));

}  // namespace taskscope::detail
