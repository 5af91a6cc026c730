// Significance tests behind `taskscope diff`.
//
// Following Go's benchstat, a change counts only when a rank test says the two
// samples differ: the Mann-Whitney U test (Mann & Whitney 1947) makes no
// assumption about the shape of the distributions, which matters for latencies
// (long-tailed, multi-modal). Counts (acquisitions, polls) have no per-event
// distribution; they are compared as two Poisson counts (conditional binomial test).
#pragma once

#include <cstdint>
#include <span>

namespace taskscope::analyzer {

struct RankTest {
  double u = 0;        // U statistic of the first sample
  double p = 1;        // two-sided p-value
  bool exact = false;  // from the exact null distribution (small samples, no ties)
};

// Two-sided Mann-Whitney U test of x against y. Exact null distribution when both
// samples have at most 50 values and no ties, else the normal approximation with
// tie and continuity corrections. p = 1 when either sample is empty.
RankTest mann_whitney_u(std::span<const int64_t> x, std::span<const int64_t> y);

// Two-sided p-value that counts n1 and n2 come from Poisson processes of equal
// rate (exposure assumed equal): n1 | n1 + n2 ~ Binomial(n1 + n2, 1/2). Exact up
// to 1000 events, normal approximation beyond.
double poisson_counts_p(uint64_t n1, uint64_t n2);

}  // namespace taskscope::analyzer
