// The HTML report's timeline read from a trace (analyzer/src/html/timeline_source.cpp):
// a trace of many more short tasks than lanes leaves the summary holding its
// lanes, not every task met (docs/html-report.md, "Large traces").
#include "html/timeline_source.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "html/timeline_summary.hpp"
#include "taskscope/format/writer.hpp"

namespace taskscope::analyzer::html {
namespace {

using format::EventKind;

// One worker thread spawning and polling `tasks` tasks one after the other,
// each ending in its only poll.
int64_t write_short_tasks(const std::string& path, uint64_t tasks) {
  format::FrameEncoder encoder(3);
  format::TraceFile file;
  REQUIRE(file.open(path));
  format::TraceHeader header;
  header.version_major = format::kFormatMajor;
  header.version_minor = format::kFormatMinor;
  header.process_name = "short_tasks";
  header.mode = "stream";
  header.reason = "exit";
  file.write(encoder.header(header));
  const std::vector<format::StringEntry> strings = {{1, "worker"}, {2, "job"}};
  file.write(encoder.strings(strings));
  std::vector<format::Event> events;
  int64_t now = 0;
  auto emit = [&](EventKind kind, uint64_t a, uint64_t b = 0, uint32_t str = 0) {
    format::Event e;
    e.ts_ns = now;
    e.thread = 1;
    e.kind = kind;
    e.a = a;
    e.b = b;
    e.str = str;
    events.push_back(e);
    now += 100;
  };
  emit(EventKind::kThreadStart, 1, 0, 1);
  for (uint64_t task = 100; task < 100 + tasks; ++task) {
    emit(EventKind::kTaskSpawn, task, 2);
    emit(EventKind::kPollBegin, task);
    emit(EventKind::kPollEnd, task);  // ready
    emit(EventKind::kTaskEnd, task);
  }
  std::vector<format::Frame> frames;
  encoder.batch(1, events, now, frames);
  for (auto& frame : frames) file.write(frame);
  format::TraceFooter footer;
  footer.events = events.size();
  footer.end_ns = now;
  file.write(encoder.footer(footer));
  file.close();
  return now;
}

TEST_CASE("many more short tasks than lanes leave only the lanes in the summary", "[html]") {
  const std::string path =
      (std::filesystem::temp_directory_path() /
       ("taskscope-html-short-tasks-" + std::to_string(::getpid()) + ".tscope"))
          .string();
  const uint64_t tasks = 20'000;
  const int64_t end = write_short_tasks(path, tasks);
  TimelineLimits limits;
  limits.max_lanes = 40;
  TimelineSummary timeline(0, end, limits);
  read_timeline(path, timeline);
  std::filesystem::remove(path);

  size_t task_lanes = 0;
  for (const TimelineLane& lane : timeline.lanes()) task_lanes += lane.pid == 2;
  CHECK(task_lanes > 0);
  CHECK(task_lanes <= limits.max_lanes);
  CHECK(timeline.omitted_lanes() == tasks - task_lanes);
  // Every task ended: the ones without a lane are forgotten, the lanes remain.
  CHECK(timeline.tracks_known() == timeline.lanes().size());
}

TEST_CASE("a task without a lane is forgotten when it ends, a lane is kept", "[html]") {
  TimelineLimits limits;
  limits.max_lanes = TimelineSummary::kLaneStrata;
  TimelineSummary t(0, 1'000'000, limits);
  const uint32_t first = t.lane(2, 1, 0);
  REQUIRE(first != TimelineSummary::kNoLane);
  REQUIRE(t.lane(2, 2, 0) == TimelineSummary::kNoLane);  // the first stratum has one lane
  CHECK(t.tracks_known() == 2);
  t.forget(2, 2);
  t.forget(2, 1);
  CHECK(t.tracks_known() == 1);
  CHECK(t.lane(2, 1, 0) == first);
  CHECK(t.omitted_lanes() == 1);
}

}  // namespace
}  // namespace taskscope::analyzer::html
