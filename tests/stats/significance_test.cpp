// Mann-Whitney U and the Poisson count test (analyzer/src/stats/significance.cpp).
// Reference values from exhaustive enumeration of all rank assignments; error
// rates on many samples of known distributions.
#include <catch2/catch.hpp>
#include <vector>

#include "known_samples.hpp"
#include "taskscope/analyzer/stats_significance.hpp"

namespace taskscope::analyzer {
namespace {

using stats_test::KnownSamples;

// Trials per error-rate check. Where the null hypothesis holds, a calibrated
// test gives p < 0.05 in 5 % of trials: 100 of 2000, standard deviation ~10.
// The seeds are fixed, so each count below is the same on every run; the
// bounds say how far from 100 a count may be (3 standard deviations) and
// still be the work of a test whose p-values mean what they say.
constexpr int kTrials = 2000;
constexpr int kFewestAlarms = 70, kMostAlarms = 130;

// In how many of kTrials pairs of samples, `n` values each drawn by `first`
// and `second`, the rank test finds a difference at p < 0.05.
template <class First, class Second>
int rank_alarms(size_t n, First first, Second second, int trials = kTrials) {
  int alarms = 0;
  for (int trial = 0; trial < trials; ++trial) {
    KnownSamples samples(static_cast<uint64_t>(trial) + 1);
    std::vector<int64_t> x(n), y(n);
    for (auto& v : x) v = first(samples);
    for (auto& v : y) v = second(samples);
    alarms += mann_whitney_u(x, y).p < 0.05;
  }
  return alarms;
}

template <class Draw>
int rank_alarms(size_t n, Draw draw) {
  return rank_alarms(n, draw, draw);
}

TEST_CASE("exact Mann-Whitney p-values match enumeration") {
  const std::vector<int64_t> low{1, 2, 3, 4, 5}, high{6, 7, 8, 9, 10};
  RankTest test = mann_whitney_u(low, high);
  CHECK(test.exact);
  CHECK(test.u == 0);
  CHECK(test.p == Approx(2.0 / 252));  // 2 of C(10, 5) orderings are this extreme

  const std::vector<int64_t> x{19, 22, 16, 29, 24}, y{20, 11, 17, 12};
  test = mann_whitney_u(x, y);
  CHECK(test.u == 17);
  CHECK(test.p == Approx(1.0 / 9));
  CHECK(mann_whitney_u(y, x).p == Approx(test.p));  // symmetric
}

TEST_CASE("large or tied samples use the normal approximation") {
  std::vector<int64_t> a, b, c;
  for (int i = 0; i < 1000; ++i) {
    a.push_back(i % 100);
    b.push_back(i % 100);
    c.push_back(i % 100 + 30);
  }
  const RankTest same = mann_whitney_u(a, b);
  CHECK_FALSE(same.exact);
  CHECK(same.p > 0.9);
  CHECK(mann_whitney_u(a, c).p < 1e-6);
  const std::vector<int64_t> constant(50, 7);
  CHECK(mann_whitney_u(constant, constant).p == 1.0);
  CHECK(mann_whitney_u({}, constant).p == 1.0);
}

TEST_CASE("one-versus-one samples can never be significant") {
  const std::vector<int64_t> one{10}, other{1000000};
  CHECK(mann_whitney_u(one, other).p == 1.0);
}

TEST_CASE("Poisson count test") {
  CHECK(poisson_counts_p(5, 5) == 1.0);
  CHECK(poisson_counts_p(10, 30) == Approx(0.0022214337732293643));
  CHECK(poisson_counts_p(0, 8) == Approx(0.0078125));
  CHECK(poisson_counts_p(100000, 100100) > 0.05);
  CHECK(poisson_counts_p(100000, 110000) < 1e-6);
}

TEST_CASE("samples of one long-tailed distribution differ at p < 0.05 once in twenty") {
  const auto latency = [](KnownSamples& s) { return s.latency(10000); };
  // Few values and no ties: the exact null distribution, whose p-values are
  // discrete, so slightly fewer alarms than 5 %.
  const int exact = rank_alarms(12, latency);
  CHECK(exact >= kFewestAlarms);
  CHECK(exact <= kMostAlarms);
  // Many values: the normal approximation.
  const int approximate = rank_alarms(400, latency);
  CHECK(approximate >= kFewestAlarms);
  CHECK(approximate <= kMostAlarms);
}

TEST_CASE("samples full of ties differ at p < 0.05 once in twenty") {
  // Latencies of about 2 us read from a clock that ticks every microsecond:
  // a handful of distinct values shared by all samples. Without the tie
  // correction the variance is overstated and real differences go unseen
  // (about half the alarms here).
  const auto coarse = [](KnownSamples& s) { return s.latency(2000) / 1000; };
  const int alarms = rank_alarms(200, coarse);
  CHECK(alarms >= kFewestAlarms);
  CHECK(alarms <= kMostAlarms);
}

TEST_CASE("a known shift of the median is found nearly every time") {
  // Medians 10 % apart, each latency spread by 25 % around its median, outliers
  // on both sides: at 400 values a side the shift is about 5 standard errors.
  const int found = rank_alarms(
      400, [](KnownSamples& s) { return s.latency(10000); },
      [](KnownSamples& s) { return s.latency(11000); }, 200);
  CHECK(found >= 198);
}

TEST_CASE("counts of one Poisson rate differ at p < 0.05 once in twenty") {
  for (const double mean : {400.0, 3000.0}) {  // exact binomial tail, normal approximation
    int alarms = 0;
    for (int trial = 0; trial < kTrials; ++trial) {
      KnownSamples samples(static_cast<uint64_t>(trial) + 1);
      const uint64_t first = samples.poisson(mean), second = samples.poisson(mean);
      alarms += poisson_counts_p(first, second) < 0.05;
    }
    INFO("mean count " << mean);
    CHECK(alarms >= kFewestAlarms);
    CHECK(alarms <= kMostAlarms);
  }
}

}  // namespace
}  // namespace taskscope::analyzer
