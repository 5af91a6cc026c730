// Bounded-memory distributions for `taskscope stats` and `taskscope diff`.
//
// A trace may hold billions of waits, polls and holds; the aggregates must stay
// bounded by the number of distinct names and resources, not by the trace length.
// Each distribution therefore keeps a log-linear histogram (the HdrHistogram bucket
// layout: 2^kSubBucketBits linear sub-buckets per power of two) for quantiles, exact
// count/sum/min/max, and optionally a fixed-size uniform reservoir of raw samples
// (Vitter's Algorithm R) that the diff's rank test runs on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace taskscope::analyzer {

// Counts of non-negative integers in log-linear buckets.
//
// Values below 2^kSubBucketBits have a bucket each (exact). Above, a power-of-two
// range [2^k, 2^(k+1)) is split into 2^kSubBucketBits equal buckets, so a bucket's
// width is at most 1/32 of its lower bound. A quantile is reported as its bucket's
// midpoint, clamped to the exact min and max, hence within kRelativeError (1/64,
// about 1.6 %) of the true sample value. Memory grows with the largest value seen:
// about 32 counters per power of two (under 8 KiB for durations up to 10 s).
class LogHistogram {
 public:
  static constexpr int kSubBucketBits = 5;
  static constexpr double kRelativeError = 1.0 / 64;

  void add(uint64_t value, uint64_t times = 1);
  void merge(const LogHistogram& other);  // as if other's values were added here

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  // Nearest-rank quantile, q in [0, 1]: the smallest recorded value v such that at
  // least q of all values are <= v, within kRelativeError. 0 when empty.
  uint64_t quantile(double q) const;

  static size_t bucket_of(uint64_t value);
  static uint64_t bucket_low(size_t bucket);
  static uint64_t bucket_high(size_t bucket);  // inclusive

 private:
  std::vector<uint64_t> counts_;  // indexed by bucket_of(); grown on demand
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

// A distribution of per-event values (durations in ns, bytes, queue depths).
// Invariant: histogram().count() == count(); samples() holds min(count(),
// reservoir capacity) values, each recorded value equally likely to be kept.
class Distribution {
 public:
  Distribution() = default;
  // Keep up to `capacity` raw samples for rank tests (0 = none, the default).
  void keep_samples(uint32_t capacity) { capacity_ = capacity; }

  void add(int64_t value);  // negative values count as 0
  // Adds the values of `other` (two groups that turn out to share a name). The
  // reservoir stays a uniform sample of both: each side contributes in
  // proportion to how many values it saw.
  void merge(const Distribution& other);

  uint64_t count() const { return histogram_.count(); }
  bool empty() const { return count() == 0; }
  int64_t sum() const { return sum_; }
  double mean() const { return count() ? static_cast<double>(sum_) / count() : 0.0; }
  int64_t min() const { return static_cast<int64_t>(histogram_.min()); }
  int64_t max() const { return static_cast<int64_t>(histogram_.max()); }
  int64_t quantile(double q) const { return static_cast<int64_t>(histogram_.quantile(q)); }
  const LogHistogram& histogram() const { return histogram_; }
  const std::vector<int64_t>& samples() const { return samples_; }

 private:
  LogHistogram histogram_;
  int64_t sum_ = 0;
  uint32_t capacity_ = 0;
  std::vector<int64_t> samples_;
};

}  // namespace taskscope::analyzer
