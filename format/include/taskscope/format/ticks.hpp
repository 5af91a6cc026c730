// The timestamp counter events are stamped with: rdtsc on x86 (no fence), else
// CLOCK_MONOTONIC in ns. A trace's header maps it to trace time (ticks_per_ns,
// start_ticks). The recorder stamps events with it; `taskscope record` reads it
// to close a stopped program's trace at the right instant.
#pragma once

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#else
#include <time.h>
#endif

namespace taskscope::format {

inline uint64_t read_ticks() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  return __rdtsc();
#else
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
#endif
}

}  // namespace taskscope::format
