// `taskscope export --format chrome`: the JSON parses and has the expected tracks,
// slices, flows and counters.
#include "taskscope/analyzer/chrome_export.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>

#include "chrome_json.hpp"
#include "scenarios.hpp"

namespace taskscope::stats_test {
namespace {

TEST_CASE("the chrome export of an async trace has tracks, slices, flows and counters") {
  const std::string trace = temp_path("export.tscope"), out = temp_path("export.json");
  async_tasks_trace().write(trace, "service");
  const analyzer::ChromeExportSummary summary = analyzer::export_chrome(trace, out);
  CHECK(summary.events_read == 29);
  const std::vector<TraceEvent> events = load_chrome_trace(out);

  // Tracks: processes and threads named by metadata.
  std::map<std::pair<int, uint64_t>, std::string> tracks;
  std::set<std::string> processes;
  for (const auto& e : events) {
    if (e.ph == "M" && e.name == "thread_name")
      tracks[{e.pid, e.tid}] = e.args.get<std::string>("name");
    if (e.ph == "M" && e.name == "process_name") processes.insert(e.args.get<std::string>("name"));
  }
  CHECK(processes == std::set<std::string>{"service", "service tasks"});
  CHECK(tracks[{analyzer::kChromeThreadsPid, 1}] == "worker-1");
  CHECK(tracks[{analyzer::kChromeThreadsPid, 2}] == "main");
  CHECK(tracks[{analyzer::kChromeTasksPid, 10}] == "fetch #10");
  CHECK(tracks[{analyzer::kChromeTasksPid, 11}] == "fetch #11");

  // Every track's B and E balance, and never close more than was opened.
  std::map<std::pair<int, uint64_t>, int> depth;
  for (const auto& e : events) {
    if (e.ph == "B") ++depth[{e.pid, e.tid}];
    if (e.ph == "E") CHECK(--depth[{e.pid, e.tid}] >= 0);
  }
  for (const auto& [track, open] : depth) CHECK(open == 0);

  // Polls on the worker thread, named after the task; the wait named by its resource.
  int polls_on_worker = 0, polls_on_tasks = 0, lock_waits = 0, lifetimes = 0;
  for (const auto& e : events) {
    if (e.ph != "B") continue;
    if (e.cat == "poll" && e.pid == analyzer::kChromeThreadsPid && e.tid == 1) {
      ++polls_on_worker;
      CHECK(e.name == "fetch");
    }
    if (e.cat == "poll" && e.pid == analyzer::kChromeTasksPid) ++polls_on_tasks;
    if (e.cat == "wait" && e.name == "state_lock") ++lock_waits;
    if (e.cat == "task") ++lifetimes;
  }
  CHECK(polls_on_worker == 3);
  CHECK(polls_on_tasks == 3);
  CHECK(lock_waits == 2);  // on the worker's track and on task 10's
  CHECK(lifetimes == 2);

  // Flows: two spawns and one wake, each start matched by a finish bound to a poll.
  std::map<std::string, const TraceEvent*> starts, finishes;
  for (const auto& e : events) {
    if (e.ph == "s") starts[e.id] = &e;
    if (e.ph == "f") finishes[e.id] = &e;
  }
  CHECK(starts.size() == 3);
  CHECK(finishes.size() == 3);
  CHECK(summary.flows == 3);
  for (const auto& [id, start] : starts) {
    REQUIRE(finishes.count(id));
    const TraceEvent& finish = *finishes[id];
    CHECK(finish.bp == "e");
    CHECK(finish.name == start->name);
    CHECK(finish.ts >= start->ts);
    CHECK(finish.tid == 1);  // the poll on worker-1
  }
  CHECK(std::count_if(starts.begin(), starts.end(),
                      [](auto& s) { return s.second->name == "wake"; }) == 1);

  // Channel depth as a counter; its name survives JSON escaping.
  int counters = 0;
  for (const auto& e : events)
    if (e.ph == "C") {
      ++counters;
      CHECK(e.name.rfind("channel jobs \"q\"\n", 0) == 0);
      CHECK(std::stoi(e.args.get<std::string>("depth")) >= 0);
    }
  CHECK(counters == 2);
  // Timestamps are microseconds: the last poll begins at 1500 ns.
  bool found = false;
  for (const auto& e : events)
    if (e.ph == "B" && e.cat == "poll" && e.tid == 1 && e.ts == Approx(1.5)) found = true;
  CHECK(found);
}

TEST_CASE("an async wait shows on the task's track between polls, not on its worker") {
  const std::string trace = temp_path("export_wait.tscope"), out = temp_path("export_wait.json");
  async_wait_trace().write(trace);
  analyzer::export_chrome(trace, out);
  const std::vector<TraceEvent> events = load_chrome_trace(out);
  std::vector<std::pair<std::string, double>> task_slices;  // B events on the task's track
  std::vector<double> worker_ends;
  for (const auto& e : events) {
    if (e.ph == "B" && e.pid == analyzer::kChromeTasksPid) task_slices.push_back({e.name, e.ts});
    if (e.ph == "E" && e.pid == analyzer::kChromeThreadsPid && e.tid == 1)
      worker_ends.push_back(e.ts);
  }
  // Lifetime, poll, the send inside it, awaiting after it, then the second poll.
  REQUIRE(task_slices.size() == 5);
  CHECK(task_slices[0].first == "sender");
  CHECK(task_slices[1].first == "poll");
  CHECK(task_slices[2].first == "results");
  CHECK(task_slices[3].first == "awaiting results");
  CHECK(task_slices[3].second == Approx(0.2));
  CHECK(task_slices[4].first == "poll");
  // On the worker, the wait ends with the first poll (0.2 us): two ends there.
  CHECK(std::count(worker_ends.begin(), worker_ends.end(), 0.2) == 2);
}

TEST_CASE("export to an unwritable path fails with a clear error") {
  const std::string trace = temp_path("export2.tscope");
  async_tasks_trace().write(trace);
  CHECK_THROWS_WITH(analyzer::export_chrome(trace, "/nonexistent-dir/out.json"),
                    Catch::Contains("/nonexistent-dir/out.json"));
}

}  // namespace
}  // namespace taskscope::stats_test
