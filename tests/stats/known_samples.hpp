// Samples from distributions whose shape the tests know, so that what the
// significance tests should conclude is known too. Reproducible from a seed on
// any platform: splitmix64 and textbook transforms, not <random>'s
// distributions, whose algorithms the standard leaves to the library.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

namespace taskscope::stats_test {

class KnownSamples {
 public:
  explicit KnownSamples(uint64_t seed) : state_(seed) {}

  // Uniform in (0, 1), never 0 (a logarithm is taken of it).
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1p-53; }

  // Standard normal (Box-Muller).
  double normal() {
    const double radius = std::sqrt(-2 * std::log(uniform()));
    return radius * std::cos(2 * std::numbers::pi * uniform());
  }

  // Exponential with the given mean: the gaps between Poisson arrivals.
  double exponential(double mean) { return -mean * std::log(uniform()); }

  // Log-normal with the given median and spread of the logarithm: the long
  // right tail of latencies.
  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

  // A latency as a loaded machine measures one, in ns: log-normal around
  // `median`, and once in `outlier_every` draws 20 times that (the thread was
  // preempted while the clock ran).
  int64_t latency(double median, int outlier_every = 100) {
    double value = lognormal(median, 0.25);
    if (next() % static_cast<uint64_t>(outlier_every) == 0) value *= 20;
    return static_cast<int64_t>(std::llround(value));
  }

  // How many arrivals of a Poisson process fall in a window where `mean` are
  // expected.
  uint64_t poisson(double mean) {
    uint64_t count = 0;
    for (double t = exponential(1.0); t < mean; t += exponential(1.0)) ++count;
    return count;
  }

 private:
  uint64_t next() {  // splitmix64
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t state_;
};

}  // namespace taskscope::stats_test
