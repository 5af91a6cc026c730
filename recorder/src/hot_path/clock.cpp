#include "hot_path/clock.hpp"

#include <time.h>

namespace taskscope::detail {
namespace {

constexpr int64_t kMinBaselineNs = 20'000'000;

// A (counter, monotonic clock) pair taken as close together as we can: the
// counter read is bracketed by two clock reads and the tightest of a few tries
// wins, so the pairing error is a few tens of nanoseconds.
struct ClockSample {
  uint64_t ticks = 0;
  int64_t mono_ns = 0;
};

ClockSample sample() noexcept {
  ClockSample best;
  int64_t best_width = INT64_MAX;
  for (int i = 0; i < 5; ++i) {
    const int64_t before = monotonic_ns();
    const uint64_t ticks = read_ticks();
    const int64_t after = monotonic_ns();
    if (after - before < best_width) {
      best_width = after - before;
      best.ticks = ticks;
      best.mono_ns = before + (after - before) / 2;
    }
  }
  return best;
}

// Taken when the library is loaded, so that a session started later gets a long
// calibration baseline without waiting.
ClockSample g_load_sample;

__attribute__((constructor(101))) void take_load_sample() { g_load_sample = sample(); }

}  // namespace

constinit std::atomic<uint64_t> g_ticks_per_ms{0};

uint64_t thread_cpu_ns() noexcept {
  timespec now;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0) return 0;
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
}

int64_t monotonic_ns() noexcept {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

int64_t realtime_ns() noexcept {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

Calibration calibrate() noexcept {
  Calibration result;
  ClockSample now = sample();
  const int64_t elapsed = now.mono_ns - g_load_sample.mono_ns;
  if (elapsed < kMinBaselineNs) {
    const int64_t rest = kMinBaselineNs - elapsed;
    timespec pause{static_cast<time_t>(rest / 1'000'000'000),
                   static_cast<long>(rest % 1'000'000'000)};
    while (nanosleep(&pause, &pause) != 0) {
    }
    now = sample();
  }
  const double span_ns = static_cast<double>(now.mono_ns - g_load_sample.mono_ns);
  const double span_ticks = static_cast<double>(now.ticks - g_load_sample.ticks);
  result.ticks_per_ns = span_ns > 0 && span_ticks > 0 ? span_ticks / span_ns : 1.0;
  result.start_ticks = now.ticks;
  result.start_mono_ns = now.mono_ns;
  result.start_unix_ns = realtime_ns() - (monotonic_ns() - now.mono_ns);
  return result;
}

}  // namespace taskscope::detail
