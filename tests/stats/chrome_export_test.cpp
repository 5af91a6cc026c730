// `taskscope export --format chrome`: the JSON parses and has the expected tracks,
// slices (polls, waits, spans, lock holds), flows and counters.
#include "taskscope/analyzer/chrome_export.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "chrome_json.hpp"
#include "scenarios.hpp"

namespace taskscope::stats_test {
namespace {

using format::LockMode;
using format::PollResult;
using format::ResourceKind;

std::vector<Slice> export_slices(const SyntheticTrace& trace, const std::string& name) {
  const std::string path = temp_path(name + ".tscope"), out = temp_path(name + ".json");
  trace.write(path);
  analyzer::export_chrome(path, out);
  return paired_slices(load_chrome_trace(out));
}

std::vector<Slice> named(const std::vector<Slice>& slices, const std::string& name) {
  std::vector<Slice> found;
  for (const Slice& s : slices)
    if (s.name == name) found.push_back(s);
  return found;
}

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
  // Named by the naming service: two tasks share a name, so "#N" tells them apart.
  CHECK(tracks[{analyzer::kChromeTasksPid, 10}] == "fetch#1");
  CHECK(tracks[{analyzer::kChromeTasksPid, 11}] == "fetch#2");

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

TEST_CASE("a span and a lock hold inside a poll are slices on the task's track") {
  // Task fetch (10) polled on worker-1 (1) from 300 to 900: span parse 400..800,
  // state_lock waited for 500..700 and held 700..750.
  const std::vector<Slice> slices = export_slices(async_tasks_trace(), "export_in_poll");
  const auto span = named(slices, "parse");
  REQUIRE(span.size() == 1);
  CHECK(span[0].pid == analyzer::kChromeTasksPid);
  CHECK(span[0].tid == 10);
  CHECK(span[0].cat == "span");
  CHECK(span[0].ts == Approx(0.4));
  CHECK(span[0].dur == Approx(0.4));
  const auto hold = named(slices, "holding state_lock");
  REQUIRE(hold.size() == 1);
  CHECK(hold[0].pid == analyzer::kChromeTasksPid);
  CHECK(hold[0].tid == 10);
  CHECK(hold[0].cat == "hold");
  CHECK(hold[0].ts == Approx(0.7));
  CHECK(hold[0].dur == Approx(0.05));
}

TEST_CASE("an ended task's track is named when its name is final, the others at the end") {
  SyntheticTrace t;
  const uint64_t kMain = 1, kWorker = 2;
  const uint32_t fetch = t.intern("fetch"), solo = t.intern("solo");
  t.add(0, kMain, EventKind::kThreadStart, 0, kMain, 0, t.intern("main"));
  t.add(0, kWorker, EventKind::kThreadStart, 0, kWorker, 0, t.intern("worker"));
  // fetch 10 ends while it is the only "fetch": its "#1" is known only later.
  // solo ends alone and stays alone; fetch 11 and 12 end when "fetch" is shared.
  const std::vector<std::tuple<int64_t, uint64_t, uint32_t>> spawns = {
      {100, 10, fetch}, {400, 11, fetch}, {500, 12, fetch}, {600, 13, solo}};
  for (const auto& [ts, task, name] : spawns)
    t.add(ts, kMain, EventKind::kTaskSpawn, 0, task, name);
  for (const auto& [ts, task] : std::vector<std::pair<int64_t, uint64_t>>{
           {200, 10}, {700, 11}, {800, 13}, {900, 12}}) {
    t.add(ts, kWorker, EventKind::kPollBegin, 0, task);
    t.add_op(ts + 50, kWorker, EventKind::kPollEnd, PollResult::kReady, task);
    t.add(ts + 50, kWorker, EventKind::kTaskEnd, 0, task);
  }
  t.add(1000, kMain, EventKind::kSpanEnter, 0, t.intern("shutdown"));
  t.add(1200, kMain, EventKind::kMark, 0, t.intern("done"));
  const std::string path = temp_path("export_names.tscope"), out = temp_path("export_names.json");
  t.write(path);
  analyzer::export_chrome(path, out);
  const std::vector<TraceEvent> events = load_chrome_trace(out);

  // Each track is named once, with analyze's name; note where each name and
  // each task's lifetime end are in the file.
  std::map<uint64_t, std::string> task_names;
  std::map<uint64_t, size_t> named_at, ended_at;
  for (size_t i = 0; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    if (e.pid != analyzer::kChromeTasksPid) continue;
    if (e.ph == "M" && e.name == "thread_name") {
      CHECK(task_names.count(e.tid) == 0);
      task_names[e.tid] = e.args.get<std::string>("name");
      named_at[e.tid] = i;
    }
    if (e.ph == "E") ended_at[e.tid] = i;
  }
  CHECK(task_names == std::map<uint64_t, std::string>{
                          {10, "fetch#1"}, {11, "fetch#2"}, {12, "fetch#3"}, {13, "solo"}});
  // Named as they ended: their names could no longer change.
  CHECK(named_at[11] < ended_at[11]);
  CHECK(named_at[12] < ended_at[12]);
  // Named at the end of the file: "solo" or "fetch" might still have been shared.
  CHECK(named_at[10] > ended_at[13]);
  CHECK(named_at[13] > ended_at[12]);

  // The span still open at the trace's last event is closed there, marked so.
  bool unfinished = false;
  for (const TraceEvent& e : events)
    if (e.ph == "E" && e.pid == analyzer::kChromeThreadsPid && e.tid == kMain)
      unfinished = e.args.get<std::string>("unfinished", "") == "true";
  CHECK(unfinished);
  const auto shutdown = named(paired_slices(events), "shutdown");
  REQUIRE(shutdown.size() == 1);
  CHECK(shutdown[0].dur == Approx(0.2));
}

TEST_CASE("recursive, shared and unreleased holds each make one slice per holder") {
  SyntheticTrace t;
  const uint64_t kMain = 1, kWorker = 2, kMutex = 100, kRw = 200, kSem = 300;
  t.add(0, kMain, EventKind::kThreadStart, 0, kMain, 0, t.intern("main"));
  t.add(0, kWorker, EventKind::kThreadStart, 0, kWorker, 0, t.intern("worker"));
  t.add_op(0, kMain, EventKind::kResourceCreate, ResourceKind::kMutex, kMutex, 1,
           t.intern("table"));
  t.add_op(0, kMain, EventKind::kResourceCreate, ResourceKind::kRwLock, kRw, 0, t.intern("config"));
  t.add_op(0, kMain, EventKind::kResourceCreate, ResourceKind::kSemaphore, kSem, 2,
           t.intern("slots"));
  // main takes the recursive mutex twice: one hold, 1000..4000.
  t.add(1000, kMain, EventKind::kAcquired, 0, kMutex, 1);
  t.add(2000, kMain, EventKind::kAcquired, 0, kMutex, 2);
  t.add(3000, kMain, EventKind::kReleased, 0, kMutex);
  t.add(4000, kMain, EventKind::kReleased, 0, kMutex);
  // Both read config at once: main 5000..7000, worker 5500..8000.
  t.add_op(5000, kMain, EventKind::kAcquired, LockMode::kShared, kRw);
  t.add_op(5500, kWorker, EventKind::kAcquired, LockMode::kShared, kRw);
  t.add_op(7000, kMain, EventKind::kReleased, LockMode::kShared, kRw);
  t.add_op(8000, kWorker, EventKind::kReleased, LockMode::kShared, kRw);
  // Semaphore units are no lock hold.
  t.add(8500, kWorker, EventKind::kAcquired, 0, kSem, 1);
  // worker takes the mutex and still holds it when the trace ends at 12000.
  t.add(9000, kWorker, EventKind::kAcquired, 0, kMutex, 1);
  t.add(12000, kMain, EventKind::kMark, 0, t.intern("done"));
  const std::vector<Slice> slices = export_slices(t, "export_holds");

  const auto table = named(slices, "holding table");
  REQUIRE(table.size() == 2);
  CHECK(table[0].tid == kMain);
  CHECK(table[0].ts == Approx(1.0));
  CHECK(table[0].dur == Approx(3.0));
  CHECK(table[1].tid == kWorker);
  CHECK(table[1].ts == Approx(9.0));
  CHECK(table[1].dur == Approx(3.0));  // closed at the trace's end
  const auto config = named(slices, "holding config (shared)");
  REQUIRE(config.size() == 2);
  CHECK(config[0].tid == kMain);
  CHECK(config[0].ts == Approx(5.0));
  CHECK(config[0].dur == Approx(2.0));
  CHECK(config[1].tid == kWorker);
  CHECK(config[1].ts == Approx(5.5));
  CHECK(config[1].dur == Approx(2.5));
  for (const Slice& s : slices) {
    CHECK(s.pid == analyzer::kChromeThreadsPid);
    CHECK(s.name.find("slots") == std::string::npos);
  }
}

TEST_CASE("a hold that outlasts its span or its poll is cut, never shortened") {
  SyntheticTrace t;
  const uint64_t kWorker = 1, kTask = 10, kLock = 100;
  const uint32_t step = t.intern("step");
  t.add(0, kWorker, EventKind::kThreadStart, 0, kWorker, 0, t.intern("worker"));
  t.add_op(0, kWorker, EventKind::kResourceCreate, ResourceKind::kMutex, kLock, 0,
           t.intern("cache"));
  // The thread: span step 1000..3000, cache held 2000..4000.
  t.add(1000, kWorker, EventKind::kSpanEnter, 0, step);
  t.add(2000, kWorker, EventKind::kAcquired, 0, kLock);
  t.add(3000, kWorker, EventKind::kSpanExit, 0, step);
  t.add(4000, kWorker, EventKind::kReleased, 0, kLock);
  // A task holds cache across two polls: 5500..7500.
  t.add(5000, kWorker, EventKind::kTaskSpawn, 0, kTask, t.intern("loader"));
  t.add(5000, kWorker, EventKind::kPollBegin, 0, kTask);
  t.add(5500, kWorker, EventKind::kAcquired, 0, kLock);
  t.add_op(6000, kWorker, EventKind::kPollEnd, PollResult::kPending, kTask);
  t.add(7000, kWorker, EventKind::kPollBegin, 0, kTask);
  t.add(7500, kWorker, EventKind::kReleased, 0, kLock);
  t.add_op(8000, kWorker, EventKind::kPollEnd, PollResult::kReady, kTask);
  const std::vector<Slice> slices = export_slices(t, "export_cut");

  // Each hold is covered from its acquisition to its release, in pieces that
  // follow one another on the holder's track.
  const auto covered = [&](uint64_t tid, int pid) {
    std::vector<std::pair<double, double>> parts;
    for (const Slice& s : named(slices, "holding cache"))
      if (s.tid == tid && s.pid == pid) parts.push_back({s.ts, s.ts + s.dur});
    return parts;
  };
  const auto thread_parts = covered(kWorker, analyzer::kChromeThreadsPid);
  REQUIRE(thread_parts.size() == 2);  // cut where span step ends
  CHECK(thread_parts[0].first == Approx(2.0));
  CHECK(thread_parts[0].second == Approx(3.0));
  CHECK(thread_parts[1].first == Approx(3.0));
  CHECK(thread_parts[1].second == Approx(4.0));
  const auto span = named(slices, "step");
  REQUIRE(span.size() == 1);
  CHECK(span[0].dur == Approx(2.0));

  const auto task_parts = covered(kTask, analyzer::kChromeTasksPid);
  REQUIRE_FALSE(task_parts.empty());
  CHECK(task_parts.front().first == Approx(5.5));
  CHECK(task_parts.back().second == Approx(7.5));
  for (size_t i = 1; i < task_parts.size(); ++i)
    CHECK(task_parts[i].first == Approx(task_parts[i - 1].second));
  // The task's polls keep their times.
  std::vector<std::pair<double, double>> polls;
  for (const Slice& s : slices)
    if (s.pid == analyzer::kChromeThreadsPid && s.cat == "poll") polls.push_back({s.ts, s.dur});
  REQUIRE(polls.size() == 2);
  CHECK(polls[0].first == Approx(5.0));
  CHECK(polls[0].second == Approx(1.0));
  CHECK(polls[1].first == Approx(7.0));
  CHECK(polls[1].second == Approx(1.0));
}

TEST_CASE("invalid UTF-8 and control characters in names still make valid JSON") {
  SyntheticTrace t;
  t.add(0, 1, EventKind::kThreadStart, 0, 1, 0, t.intern("bad\xff\xc3(\"q\"\t"));
  t.add(10, 1, EventKind::kSpanEnter, 0, t.intern("caf\xc3\xa9"));
  t.add(20, 1, EventKind::kSpanExit, 0, t.intern("caf\xc3\xa9"));
  const std::string path = temp_path("export_utf8.tscope"), out = temp_path("export_utf8.json");
  t.write(path);
  analyzer::export_chrome(path, out);
  const std::vector<TraceEvent> events = load_chrome_trace(out);
  std::string thread_name;
  for (const auto& e : events)
    if (e.ph == "M" && e.name == "thread_name" && e.tid == 1)
      thread_name = e.args.get<std::string>("name");
  CHECK(thread_name == "bad\xEF\xBF\xBD\xEF\xBF\xBD(\"q\"\t");
  CHECK(named(paired_slices(events), "caf\xc3\xa9").size() == 1);
}

TEST_CASE("export to an unwritable path fails with a clear error") {
  const std::string trace = temp_path("export2.tscope");
  async_tasks_trace().write(trace);
  CHECK_THROWS_WITH(analyzer::export_chrome(trace, "/nonexistent-dir/out.json"),
                    Catch::Contains("/nonexistent-dir/out.json"));
}

}  // namespace
}  // namespace taskscope::stats_test
