// A program of many short-lived threads (docs/trace-format.md, "Shared
// batches"): every thread's few events are in the trace, with their thread and
// in their order, however the flusher's rounds group the retired threads.
#include <filesystem>
#include <map>
#include <vector>

#include "core_trace.hpp"
#include "taskscope/events.hpp"
#include "taskscope/thread.hpp"

using taskscope::format::Event;
using taskscope::format::EventKind;
using taskscope::test::read_trace;
using taskscope::test::TempTrace;

TEST_CASE("2000 short threads with a few events each read back whole", "[threads][e2e]") {
  constexpr int kThreads = 2000, kAtOnce = 16, kMarks = 3;
  TempTrace file("short-threads");
  REQUIRE(taskscope::start(taskscope::test::stream_config(file.path())));
  std::vector<uint64_t> agents;
  for (int first = 0; first < kThreads; first += kAtOnce) {
    std::vector<taskscope::thread> group;
    for (int t = first; t < first + kAtOnce; ++t)
      group.emplace_back("short", [t] {
        for (int i = 0; i < kMarks; ++i) taskscope::mark("step", t * kMarks + i);
      });
    for (auto& thread : group) {
      agents.push_back(thread.agent_id());
      thread.join();
    }
  }
  taskscope::stop();

  const auto trace = read_trace(file.path());
  CHECK(trace.status.clean());
  CHECK(trace.status.dropped_events == 0);
  std::map<uint64_t, std::vector<const Event*>> by_thread;
  for (const Event& e : trace.events) by_thread[e.thread].push_back(&e);
  for (size_t t = 0; t < agents.size(); ++t) {
    INFO("thread " << t);
    const auto& events = by_thread[agents[t]];
    // Its start, its marks with their values in order, its end.
    std::vector<int64_t> marks;
    bool started = false, ended = false;
    for (const Event* e : events) {
      if (e->kind == EventKind::kThreadStart) started = !ended && marks.empty();
      if (e->kind == EventKind::kMark) marks.push_back(static_cast<int64_t>(e->b));
      if (e->kind == EventKind::kThreadEnd) ended = true;
    }
    CHECK(started);
    CHECK(ended);
    std::vector<int64_t> expected;
    for (int i = 0; i < kMarks; ++i) expected.push_back(static_cast<int64_t>(t) * kMarks + i);
    CHECK(marks == expected);
  }
  CHECK(trace.status.events >= static_cast<uint64_t>(kThreads) * (kMarks + 2));
  // Their batches share frames: one frame per thread made this about 24 bytes
  // per event (the frame headers and a zstd frame each), shared frames about 5.
  const double bytes_per_event = static_cast<double>(std::filesystem::file_size(file.path())) /
                                 static_cast<double>(trace.status.events);
  INFO("bytes per event: " << bytes_per_event);
  CHECK(bytes_per_event <= 10.0);
}
