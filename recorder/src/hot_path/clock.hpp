// Event timestamps: the CPU's time-stamp counter on the hot path, converted to
// nanoseconds since the session start by the flusher.
#pragma once

#include <atomic>
#include <cstdint>

#include "taskscope/format/ticks.hpp"

namespace taskscope::detail {

// One counter read (taskscope/format/ticks.hpp): no fence, ordering against the
// record's other stores comes from the ring's release store.
using format::read_ticks;

// How counter ticks map to trace time. Trace time 0 is `start_ticks`.
struct Calibration {
  double ticks_per_ns = 1.0;
  uint64_t start_ticks = 0;
  int64_t start_unix_ns = 0;  // wall clock at trace time 0
  int64_t start_mono_ns = 0;  // CLOCK_MONOTONIC at trace time 0

  // Signed: ticks older than the session start (stale records) come out negative.
  int64_t to_ns(uint64_t ticks) const noexcept {
    const auto delta = static_cast<int64_t>(ticks - start_ticks);
    return static_cast<int64_t>(static_cast<double>(delta) / ticks_per_ns);
  }
};

// Measures the counter's rate against CLOCK_MONOTONIC over the time since the
// library was loaded (at least 20 ms: the first session of a process may sleep
// for the remainder) and fixes trace time 0 at the call.
Calibration calibrate() noexcept;

// Counter ticks in one millisecond, for the hot path's own interval checks (poll
// CPU probes, events.cpp). Set at session start from the calibration; 0 before.
extern std::atomic<uint64_t> g_ticks_per_ms;

// The calling thread's CPU time in ns (CLOCK_THREAD_CPUTIME_ID). A system call,
// ~0.7 us on the machines we measured: never on every event.
uint64_t thread_cpu_ns() noexcept;

int64_t monotonic_ns() noexcept;
int64_t realtime_ns() noexcept;

}  // namespace taskscope::detail
