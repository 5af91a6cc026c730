// Timing short operations with the time-stamp counter, in bursts of batches, as
// the recorder and LTTng benchmarks do (bench/recorder_bench.cpp,
// bench/lttng_bench.cpp): the counter's rate, and medians and 99th percentiles
// of ns per call.
#pragma once

#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace taskscope::bench {

// Counter ticks per nanosecond, over a 100 ms sleep.
inline double measure_ticks_per_ns() {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const uint64_t c0 = __rdtsc();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const uint64_t c1 = __rdtsc();
  const auto t1 = Clock::now();
  return static_cast<double>(c1 - c0) /
         static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
}

struct Distribution {
  double median = 0;
  double p99 = 0;
};

inline Distribution summarize(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2],
          samples[std::min(samples.size() - 1, samples.size() * 99 / 100)]};
}

// How a measurement is cut: `batch` calls per sample, `samples_per_burst`
// samples per burst, `bursts` bursts with between_bursts() after each.
struct Bursts {
  int batch, samples_per_burst, bursts;
  double ticks_per_ns;
};

// ns per call of op(n) (n counts the calls made so far), one sample per batch.
template <class Op, class BetweenBursts>
std::vector<double> sample_batches(const Bursts& shape, Op&& op, BetweenBursts&& between_bursts) {
  std::vector<double> samples;
  samples.reserve(static_cast<size_t>(shape.bursts) * static_cast<size_t>(shape.samples_per_burst));
  uint64_t calls = 0;
  for (int burst = 0; burst < shape.bursts; ++burst) {
    for (int s = 0; s < shape.samples_per_burst; ++s) {
      const uint64_t start = __rdtsc();
      for (int i = 0; i < shape.batch; ++i) op(calls++);
      const uint64_t end = __rdtsc();
      samples.push_back(static_cast<double>(end - start) / shape.ticks_per_ns / shape.batch);
    }
    between_bursts();
  }
  return samples;
}

}  // namespace taskscope::bench
