// channel_growth: a queue that keeps rising, against one that drains.
#include <catch2/catch.hpp>

#include "script.hpp"

namespace taskscope::test {

using analyzer::FindingKind;

TEST_CASE("channel_growth: an unbounded queue rising to the end", "[channel_growth]") {
  Script s;
  s.thread(1, "producer").thread(2, "consumer").channel(1, 20, "events", 0);
  uint64_t depth = 0;
  for (int i = 0; i < 2000; ++i) {
    s.at(0.5 * i).send(1, 20, ++depth);
    if (i % 3 == 0) s.recv(2, 20, --depth);
  }
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"channel_growth"});
  const auto& finding = analysis->report().findings[0];
  CHECK(finding.summary.rfind("channel \"events\" grew to 1,333 queued items (unbounded)", 0) == 0);
}

TEST_CASE("channel_growth: negative twin, a queue drained in bursts", "[channel_growth]") {
  Script s;
  s.thread(1, "producer").thread(2, "consumer").channel(1, 20, "events", 0);
  uint64_t depth = 0;
  for (int i = 0; i < 2000; ++i) {
    s.at(0.5 * i).send(1, 20, ++depth);
    if (i % 200 == 199)
      while (depth > 0) s.recv(2, 20, --depth);
  }
  CHECK(s.analyze()->report().findings.empty());
}

TEST_CASE("channel_growth: a bounded channel that fills is backpressure", "[channel_growth]") {
  Script s;
  s.thread(1, "producer").thread(2, "consumer").channel(1, 20, "events", 500);
  for (int i = 0; i < 2000; ++i) s.at(0.5 * i).send(1, 20, std::min(500, i + 1));
  CHECK(s.analyze()->report().findings.empty());
}

}  // namespace taskscope::test
