// Log-linear histograms and reservoirs (analyzer/src/stats/distribution.cpp).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "taskscope/analyzer/stats_distribution.hpp"

namespace taskscope::analyzer {
namespace {

TEST_CASE("small values have exact buckets, larger ones 32 per power of two") {
  for (uint64_t v = 0; v < 32; ++v) CHECK(LogHistogram::bucket_of(v) == v);
  CHECK(LogHistogram::bucket_of(32) == 32);
  CHECK(LogHistogram::bucket_of(63) == 63);
  CHECK(LogHistogram::bucket_of(64) == 64);  // [64, 66) is the first 2-wide bucket
  CHECK(LogHistogram::bucket_of(65) == 64);
  for (uint64_t v : {uint64_t{1000}, uint64_t{123456789}, uint64_t{1} << 62, UINT64_MAX}) {
    const size_t bucket = LogHistogram::bucket_of(v);
    CHECK(LogHistogram::bucket_low(bucket) <= v);
    CHECK(v <= LogHistogram::bucket_high(bucket));
    const double width = static_cast<double>(LogHistogram::bucket_high(bucket) -
                                             LogHistogram::bucket_low(bucket) + 1);
    CHECK(width <= static_cast<double>(LogHistogram::bucket_low(bucket)) / 32);
  }
}

TEST_CASE("quantiles are within the stated relative error of the exact ones") {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> latency(10.0, 1.5);
  std::vector<uint64_t> values;
  LogHistogram histogram;
  for (int i = 0; i < 20000; ++i) {
    const auto v = static_cast<uint64_t>(latency(random));
    values.push_back(v);
    histogram.add(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 1.0}) {
    const uint64_t exact = values[static_cast<size_t>(std::ceil(q * values.size())) - 1];
    const auto estimate = static_cast<double>(histogram.quantile(q));
    CHECK(std::fabs(estimate - exact) <= LogHistogram::kRelativeError * exact + 0.5);
  }
  CHECK(histogram.quantile(1.0) == values.back());  // max is exact
  CHECK(histogram.count() == values.size());
}

TEST_CASE("a distribution keeps exact totals and a bounded uniform reservoir") {
  Distribution d;
  d.keep_samples(100);
  int64_t sum = 0;
  for (int64_t v = 1; v <= 10000; ++v) {
    d.add(v);
    sum += v;
  }
  CHECK(d.count() == 10000);
  CHECK(d.sum() == sum);
  CHECK(d.min() == 1);
  CHECK(d.max() == 10000);
  REQUIRE(d.samples().size() == 100);
  // A uniform sample of 1..10000 has its mean near 5000 (sd of the mean ~ 290).
  double mean = 0;
  for (int64_t v : d.samples()) mean += static_cast<double>(v) / 100;
  CHECK(mean > 3500);
  CHECK(mean < 6500);
  d.add(-5);  // negative durations (clamped clocks) count as zero
  CHECK(d.min() == 0);

  Distribution plain;
  plain.add(3);
  CHECK(plain.samples().empty());
}

TEST_CASE("the sum of durations past int64 saturates instead of wrapping") {
  Distribution d;
  d.keep_samples(4);
  d.add(INT64_MAX);
  d.add(INT64_MAX);
  d.add(INT64_MAX - 1);
  CHECK(d.count() == 3);
  CHECK(d.sum() == INT64_MAX);
  CHECK(d.max() == INT64_MAX);
  CHECK(d.mean() > 0);
  // Negative values (INT64_MIN: a timestamp pair in the wrong order) count as 0.
  d.add(INT64_MIN);
  CHECK(d.min() == 0);
  CHECK(d.sum() == INT64_MAX);
  CHECK(d.samples().size() == 4);
}

}  // namespace
}  // namespace taskscope::analyzer
