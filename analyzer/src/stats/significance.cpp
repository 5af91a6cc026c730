// Mann-Whitney U and the Poisson count test (see stats_significance.hpp).
#include <algorithm>
#include <cmath>
#include <vector>

#include "taskscope/analyzer/stats_significance.hpp"

namespace taskscope::analyzer {
namespace {

constexpr size_t kExactLimit = 50;

// P(U <= u) under the null hypothesis for sample sizes m and n, from the
// recurrence p(m, n, u) = m/(m+n) p(m-1, n, u-n) + n/(m+n) p(m, n-1, u) (the
// largest of all m+n values belongs to the first sample with probability
// m/(m+n)). Only additions of probabilities: no cancellation. O(m^2 n^2).
double exact_cdf(size_t m, size_t n, double u) {
  // row[j] holds the distribution for (j, k) while sweeping k = 0..n.
  std::vector<std::vector<double>> row(m + 1);
  for (size_t j = 0; j <= m; ++j) row[j] = {1.0};  // k = 0: U is always 0
  for (size_t k = 1; k <= n; ++k) {
    std::vector<std::vector<double>> next(m + 1);
    next[0] = {1.0};  // j = 0: U is always 0
    for (size_t j = 1; j <= m; ++j) {
      std::vector<double> dist(j * k + 1, 0.0);
      const double first = static_cast<double>(j) / static_cast<double>(j + k);
      // The largest value is in sample 1 (size j): it beats all k values of sample 2.
      for (size_t v = 0; v < next[j - 1].size(); ++v) dist[v + k] += first * next[j - 1][v];
      for (size_t v = 0; v < row[j].size(); ++v) dist[v] += (1 - first) * row[j][v];
      next[j] = std::move(dist);
    }
    row = std::move(next);
  }
  double cdf = 0;
  const auto& dist = row[m];
  for (size_t v = 0; v < dist.size() && static_cast<double>(v) <= u + 1e-9; ++v) cdf += dist[v];
  return std::min(cdf, 1.0);
}

}  // namespace

RankTest mann_whitney_u(std::span<const int64_t> x, std::span<const int64_t> y) {
  RankTest result;
  const size_t n1 = x.size(), n2 = y.size();
  if (n1 == 0 || n2 == 0) return result;
  struct Value {
    int64_t v;
    bool first;
  };
  std::vector<Value> all;
  all.reserve(n1 + n2);
  for (int64_t v : x) all.push_back({v, true});
  for (int64_t v : y) all.push_back({v, false});
  std::sort(all.begin(), all.end(), [](const Value& a, const Value& b) { return a.v < b.v; });
  // Mid-ranks for ties; tie_term = sum of (t^3 - t) over groups of equal values.
  double rank_sum = 0, tie_term = 0;
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j].v == all[i].v) ++j;
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    for (size_t k = i; k < j; ++k)
      if (all[k].first) rank_sum += mid_rank;
    i = j;
  }
  const double m = static_cast<double>(n1), n = static_cast<double>(n2);
  result.u = rank_sum - m * (m + 1) / 2;
  const double mean = m * n / 2;
  if (tie_term == 0 && n1 <= kExactLimit && n2 <= kExactLimit) {
    // U is symmetric about its mean: the two-sided p doubles the smaller tail.
    const double low = std::min(result.u, m * n - result.u);
    result.p = std::min(1.0, 2 * exact_cdf(n1, n2, low));
    result.exact = true;
    return result;
  }
  const double total = m + n;
  const double variance = m * n / 12 * ((total + 1) - tie_term / (total * (total - 1)));
  if (variance <= 0) return result;  // every value equal: no evidence of a difference
  const double z = std::max(0.0, std::fabs(result.u - mean) - 0.5) / std::sqrt(variance);
  result.p = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return result;
}

double poisson_counts_p(uint64_t n1, uint64_t n2) {
  const uint64_t total = n1 + n2;
  if (total == 0 || n1 == n2) return 1.0;
  const uint64_t low = std::min(n1, n2);
  if (total <= 1000) {
    // 2 * P(X <= low) for X ~ Binomial(total, 1/2), summed in log space.
    const double log_half = std::log(0.5) * static_cast<double>(total);
    const double log_total = std::lgamma(static_cast<double>(total) + 1);
    double tail = 0;
    for (uint64_t k = 0; k <= low; ++k)
      tail += std::exp(log_total - std::lgamma(static_cast<double>(k) + 1) -
                       std::lgamma(static_cast<double>(total - k) + 1) + log_half);
    return std::min(1.0, 2 * tail);
  }
  const double z = std::fabs(static_cast<double>(n1) - static_cast<double>(n2)) /
                   std::sqrt(static_cast<double>(total));
  return std::min(1.0, std::erfc(z / std::sqrt(2.0)));
}

}  // namespace taskscope::analyzer
