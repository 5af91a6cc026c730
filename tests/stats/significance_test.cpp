// Mann-Whitney U and the Poisson count test (analyzer/src/stats/significance.cpp).
// Reference values from exhaustive enumeration of all rank assignments.
#include <catch2/catch.hpp>
#include <vector>

#include "taskscope/analyzer/stats_significance.hpp"

namespace taskscope::analyzer {
namespace {

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

}  // namespace
}  // namespace taskscope::analyzer
