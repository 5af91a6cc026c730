// Log-linear histogram and reservoir sampling (see stats_distribution.hpp).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "taskscope/analyzer/stats_distribution.hpp"

namespace taskscope::analyzer {
namespace {

constexpr uint64_t kSubBuckets = uint64_t{1} << LogHistogram::kSubBucketBits;

// splitmix64: a cheap, well-mixed hash that makes reservoir choices deterministic
// (the same trace always yields the same samples, so diffs are reproducible).
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

size_t LogHistogram::bucket_of(uint64_t value) {
  if (value < kSubBuckets) return static_cast<size_t>(value);
  const int k = std::bit_width(value) - 1;  // value in [2^k, 2^(k+1))
  const int shift = k - kSubBucketBits;
  const uint64_t sub = (value >> shift) - kSubBuckets;
  return static_cast<size_t>(kSubBuckets + static_cast<uint64_t>(shift) * kSubBuckets + sub);
}

uint64_t LogHistogram::bucket_low(size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const uint64_t shift = (bucket - kSubBuckets) / kSubBuckets;
  const uint64_t sub = (bucket - kSubBuckets) % kSubBuckets;
  return (kSubBuckets + sub) << shift;
}

uint64_t LogHistogram::bucket_high(size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const uint64_t shift = (bucket - kSubBuckets) / kSubBuckets;
  return bucket_low(bucket) + ((uint64_t{1} << shift) - 1);
}

void LogHistogram::add(uint64_t value, uint64_t times) {
  if (times == 0) return;
  const size_t bucket = bucket_of(value);
  if (bucket >= counts_.size()) counts_.resize(bucket + 1, 0);
  counts_[bucket] += times;
  count_ += times;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void LogHistogram::merge(const LogHistogram& other) {
  if (other.count_ == 0) return;
  if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size(), 0);
  for (size_t bucket = 0; bucket < other.counts_.size(); ++bucket)
    counts_[bucket] += other.counts_[bucket];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t LogHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const uint64_t rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  if (rank == 1) return min_;
  if (rank >= count_) return max_;
  uint64_t seen = 0;
  for (size_t bucket = 0; bucket < counts_.size(); ++bucket) {
    seen += counts_[bucket];
    if (seen >= rank) {
      const uint64_t low = bucket_low(bucket);
      const uint64_t mid = low + (bucket_high(bucket) - low) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

void Distribution::add(int64_t value) {
  const uint64_t v = value < 0 ? 0 : static_cast<uint64_t>(value);
  histogram_.add(v);
  // Durations and sizes past int64 in total are not real (a forged or damaged
  // trace): the sum saturates rather than wraps, and the histogram's max
  // shows the value that cannot be.
  if (__builtin_add_overflow(sum_, static_cast<int64_t>(v), &sum_)) sum_ = INT64_MAX;
  if (capacity_ == 0) return;
  // Algorithm R (Vitter 1985): the n-th value replaces a random kept one with
  // probability capacity/n, so every value is kept with equal probability.
  if (samples_.size() < capacity_) {
    samples_.push_back(static_cast<int64_t>(v));
    return;
  }
  const uint64_t n = histogram_.count();
  const uint64_t slot = mix(n ^ (static_cast<uint64_t>(capacity_) << 40)) % n;
  if (slot < capacity_) samples_[slot] = static_cast<int64_t>(v);
}

void Distribution::merge(const Distribution& other) {
  if (other.empty()) return;
  const uint64_t seen_here = count(), seen_there = other.count();
  histogram_.merge(other.histogram_);
  if (__builtin_add_overflow(sum_, other.sum_, &sum_)) sum_ = INT64_MAX;
  capacity_ = std::max(capacity_, other.capacity_);
  if (capacity_ == 0) return;
  std::vector<int64_t> here = std::move(samples_), there = other.samples_;
  samples_.clear();
  // Draw without replacement: the next kept value comes from a side with
  // probability proportional to the values that side saw and has not yet given.
  uint64_t left_here = seen_here, left_there = seen_there, draw = seen_here ^ (seen_there << 20);
  while (samples_.size() < capacity_ && (!here.empty() || !there.empty())) {
    draw = mix(draw);
    const bool from_here =
        there.empty() || (!here.empty() && draw % (left_here + left_there) < left_here);
    std::vector<int64_t>& side = from_here ? here : there;
    const size_t pick = static_cast<size_t>(mix(draw) % side.size());
    samples_.push_back(side[pick]);
    side[pick] = side.back();
    side.pop_back();
    uint64_t& left = from_here ? left_here : left_there;
    if (left > 0) --left;
  }
}

}  // namespace taskscope::analyzer
