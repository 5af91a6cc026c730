// events_dropped: lost events are reported, never silent, as information.
#include <catch2/catch.hpp>

#include "script.hpp"

namespace taskscope::test {

using analyzer::FindingKind;
using analyzer::Severity;

TEST_CASE("events_dropped: reported with its time range", "[events_dropped]") {
  Script s;
  s.thread(1, "busy");
  s.at(100).dropped(1, 1200, 50 * kMs);
  s.at(300).dropped(1, 800, 250 * kMs);
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"events_dropped"});
  const auto& finding = analysis->report().findings[0];
  CHECK(finding.severity == Severity::kInfo);
  CHECK(finding.summary == "2,000 events were dropped on 1 thread between 0.0500 s and 0.30 s");
  CHECK_FALSE(analysis->report().has_error());
}

TEST_CASE("events_dropped: negative twin, nothing lost", "[events_dropped]") {
  Script s;
  s.thread(1, "busy").at(100).emit(1, EventKind::kMark, 0, s.str("tick"));
  CHECK(s.analyze()->report().findings.empty());
}

}  // namespace taskscope::test
