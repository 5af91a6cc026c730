// The HTML report's timeline summary (analyzer/src/html/timeline_summary.cpp):
// small timelines are kept whole; long ones stay under their bounds, conserve
// each lane's state time, and keep every slice of the findings' agents.
#include "html/timeline_summary.hpp"

#include <catch2/catch.hpp>
#include <random>

#include "html/page_data.hpp"

namespace taskscope::analyzer::html {
namespace {

int64_t state_time(const TimelineSummary& t) {
  int64_t total = 0;
  for (const TimelineSlice& s : t.slices())
    if (static_cast<size_t>(s.kind) < kStateKinds) total += s.end_ns - s.start_ns;
  for (const TimelineCell& c : t.cells())
    for (int64_t ns : c.ns) total += ns;
  return total;
}

TEST_CASE("a small timeline keeps every slice", "[html]") {
  TimelineSummary t(0, 1'000'000);
  const uint32_t lane = t.lane(2, 7, 0);
  t.name_lane(2, 7, "fetch#7");
  for (int i = 0; i < 100; ++i)
    t.add_slice(lane, i * 1000, i * 1000 + 10, SliceKind::kRunning, 0, t.intern("poll"), 0);
  CHECK(t.slices().size() == 100);
  CHECK(t.cells().empty());
  CHECK(t.folded_slices() == 0);
  REQUIRE(t.lanes().size() == 1);
  CHECK(t.lanes()[0].name == "fetch#7");
}

TEST_CASE("a long timeline stays under its bounds and conserves state time", "[html]") {
  const int64_t end = 10'000'000'000;  // 10 s
  TimelineLimits limits;
  TimelineSummary t(0, end, limits);
  t.focus_agent(2, 3);
  std::mt19937_64 random(42);
  std::uniform_int_distribution<int64_t> start_of(0, end - 1);
  std::exponential_distribution<double> length_of(1.0 / 50'000);  // 50 us on average
  std::uniform_int_distribution<uint64_t> agent_of(1, 3000);      // more agents than lanes
  int64_t input = 0;
  uint64_t focus_input = 0, dropped_lanes = 0;
  const uint32_t label = t.intern("poll");
  for (int i = 0; i < 1'000'000; ++i) {
    const uint64_t agent = agent_of(random);
    const int64_t start = start_of(random);
    const uint32_t lane = t.lane(2, agent, start);
    const int64_t stop = std::min(end, start + static_cast<int64_t>(length_of(random)));
    const auto kind = static_cast<SliceKind>(i % kStateKinds);
    if (lane == TimelineSummary::kNoLane) {
      ++dropped_lanes;
    } else {
      input += stop - start;
      focus_input += agent == 3;
    }
    t.add_slice(lane, start, stop, kind, 0, label, 0);
  }
  CHECK(dropped_lanes > 0);
  CHECK(t.lanes().size() + t.omitted_lanes() == 3000);
  CHECK(t.lanes().size() <= limits.max_lanes + 1);  // the focus agent always has one
  CHECK(t.slices().size() <= limits.max_slices + limits.max_focus_slices);
  CHECK(t.cells().size() <= limits.max_cells);
  CHECK(t.folded_slices() > 0);
  CHECK(state_time(t) == input);
  uint64_t focus_kept = 0;
  for (const TimelineSlice& s : t.slices()) focus_kept += t.lanes()[s.lane].id == 3;
  CHECK(focus_kept == focus_input);
  // The page's share: well under the report's 5 MB bound.
  CHECK(timeline_json(t).size() < 4'000'000);
}

TEST_CASE("tasks of the whole trace get lanes when the first ones are many", "[html]") {
  TimelineLimits limits;
  TimelineSummary t(0, 1'000'000'000, limits);
  for (uint64_t id = 1; id <= 10'000; ++id) t.lane(2, id, static_cast<int64_t>(id));  // 10 us
  for (uint64_t id = 10'001; id <= 10'100; ++id)
    t.lane(2, id, 900'000'000 + static_cast<int64_t>(id));  // at 0.9 s
  size_t late = 0;
  for (const TimelineLane& lane : t.lanes()) late += lane.id > 10'000;
  CHECK(late == 100);
  CHECK(t.lanes().size() <= limits.max_lanes);
  CHECK(t.lane(1, 1, 0) != TimelineSummary::kNoLane);  // threads have lanes of their own
}

TEST_CASE("a focus window keeps the slices around a finding", "[html]") {
  TimelineLimits limits;
  limits.max_slices = 100;
  TimelineSummary t(0, 1'000'000'000, limits);
  t.focus_time(500'000'000, 501'000'000);
  const uint32_t lane = t.lane(1, 1, 0);
  for (int64_t ts = 0; ts < 1'000'000'000; ts += 10'000)
    t.add_slice(lane, ts, ts + 100, SliceKind::kBlocked, t.intern("lock"), 0, 0);
  size_t in_window = 0;
  for (const TimelineSlice& s : t.slices())
    in_window += s.start_ns >= 500'000'000 && s.start_ns <= 501'000'000;
  CHECK(in_window == 101);
  CHECK(t.slices().size() <= limits.max_slices + limits.max_focus_slices);
}

TEST_CASE("channel depth is summarised per column with its extremes", "[html]") {
  TimelineLimits limits;
  limits.counter_points = 50;
  TimelineSummary t(0, 1'000'000, limits);
  int64_t peak = 0;
  for (int64_t ts = 0; ts < 1'000'000; ts += 7) {
    const int64_t depth = (ts / 7) % 129;
    peak = std::max(peak, depth);
    t.add_channel_depth("results", ts, depth);
  }
  REQUIRE(t.channels().size() == 1);
  const ChannelSeries& series = t.channels()[0];
  CHECK(series.points.size() <= limits.counter_points + 1);
  int64_t high = 0;
  for (const auto& p : series.points) high = std::max(high, p.high);
  CHECK(high == peak);
}

TEST_CASE("the timeline json cannot end its script element", "[html]") {
  TimelineSummary t(0, 1000);
  const uint32_t lane = t.lane(1, 1, 0);
  t.name_lane(1, 1, "</script><b>x");
  t.add_slice(lane, 0, 10, SliceKind::kRunning, 0, t.intern("</script>"), 0);
  const std::string json = timeline_json(t);
  CHECK(json.find("</") == std::string::npos);
  CHECK(json.find("<\\/script>") != std::string::npos);
}

}  // namespace
}  // namespace taskscope::analyzer::html
