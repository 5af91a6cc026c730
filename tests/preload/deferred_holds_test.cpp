// Deferred lock holds (docs/architecture.md, "Uncontended locks"): by default
// an uncontended plain mutex's hold stays out of the trace unless it matters.
// programs/deferred_holds.c is recorded through `taskscope record` and its
// traces read back: what is left out, and what must still be there.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "support.hpp"

namespace taskscope::preload_test {
namespace {

using format::Event;
using format::EventKind;

size_t count_kind(const Trace& trace, EventKind kind) { return trace.of_kind(kind).size(); }

// The one lock wait of the trace (the waiter blocked on `single`).
Event the_lock_wait(const Trace& trace) {
  std::vector<Event> waits;
  for (const Event& e : trace.of_kind(EventKind::kWaitBegin))
    if (e.op == static_cast<uint8_t>(format::WaitOp::kLock)) waits.push_back(e);
  REQUIRE(waits.size() == 1);
  return waits.front();
}

// Acquisitions (or releases) of `lock` by agents other than `except`.
std::vector<Event> by_others(const Trace& trace, EventKind kind, uint64_t lock, uint64_t except) {
  std::vector<Event> out;
  for (const Event& e : trace.of_kind(kind))
    if (e.a == lock && e.thread != except) out.push_back(e);
  return out;
}

TEST_CASE("holds: an uncontended loop records its first uses and order edges, not every pair",
          "[preload][holds]") {
  // 20000 pairs on one mutex, then 20000 nested pairs outer -> inner.
  const Recording deferred = record("deferred_holds", kFinishOptions, "loop 20000");
  INFO(deferred.run.err);
  REQUIRE(deferred.run.status == 0);
  REQUIRE(deferred.run.out == "ok\n");
  const Trace few = read_trace(deferred.trace);
  REQUIRE(few.closed);
  CHECK(few.holds == "needed");
  // Each mutex's first uses (the one that names it, the thread's first use of
  // it) and once the nesting edge outer -> inner with outer's hold before it:
  // nothing per pair.
  const size_t acquired = count_kind(few, EventKind::kAcquired);
  CHECK(acquired >= 5);
  CHECK(acquired <= 10);
  CHECK(count_kind(few, EventKind::kReleased) == acquired);
  // inner is recorded a few times while outer is held (its first uses, then
  // the edge with outer's hold written before it), never per pair.
  std::vector<Event> nested;
  std::vector<uint64_t> held;
  for (const Event& e : few.events) {
    if (e.kind == EventKind::kAcquired) {
      if (!held.empty()) nested.push_back(e);
      held.push_back(e.a);
    } else if (e.kind == EventKind::kReleased) {
      held.erase(std::find(held.begin(), held.end(), e.a));
    }
  }
  CHECK(held.empty());
  REQUIRE(nested.size() >= 2);
  CHECK(nested.size() <= 3);
  for (const Event& e : nested) CHECK(e.a == nested.front().a);

  // --holds all: every pair.
  const Recording every = record("deferred_holds", std::string(kFinishOptions) + " --holds all",
                                 "loop 20000");
  INFO(every.run.err);
  REQUIRE(every.run.status == 0);
  const Trace all = read_trace(every.trace);
  CHECK(all.holds == "all");
  CHECK(count_kind(all, EventKind::kAcquired) == 60000);
  CHECK(count_kind(all, EventKind::kReleased) == 60000);

  for (const std::string& trace : {deferred.trace, every.trace}) {
    const RunResult report = analyze_json(trace);
    INFO(report.err);
    CHECK(report.status == 0);
    CHECK(finding_kinds(report.out).empty());
  }
  // stats says when hold counts cover only the holds recorded.
  const std::string note = "uncontended mutex holds were recorded only where they matter";
  const RunResult few_stats = run_shell(std::string(TASKSCOPE_CLI) + " stats " + quote(deferred.trace));
  CHECK_THAT(few_stats.out, Catch::Matchers::Contains(note));
  const RunResult all_stats = run_shell(std::string(TASKSCOPE_CLI) + " stats " + quote(every.trace));
  CHECK_THAT(all_stats.out, !Catch::Matchers::Contains(note));
  CHECK_THAT(all_stats.out, Catch::Matchers::Contains("20,000 holds"));
  // So does diff, when either side left holds out.
  const std::string diff = std::string(TASKSCOPE_CLI) + " diff ";
  CHECK_THAT(run_shell(diff + quote(every.trace) + " " + quote(deferred.trace)).out,
             Catch::Matchers::Contains("uncontended mutex holds were recorded only"));
  CHECK_THAT(run_shell(diff + quote(every.trace) + " " + quote(every.trace)).out,
             !Catch::Matchers::Contains("uncontended mutex holds were recorded only"));
}

TEST_CASE("holds: a deferred hold another thread waits for is written before its release",
          "[preload][holds]") {
  // A long flusher interval: the hold is written in the same round as the
  // wait, never late, so its time is the acquisition's.
  const std::string trace = scratch_path("deferred-contended.tscope");
  const RunResult run =
      run_shell("TASKSCOPE_FLUSH_INTERVAL=10s " + std::string(TASKSCOPE_CLI) + " record -o " +
                quote(trace) + " " + kFinishOptions + " -- " +
                quote(program("deferred_holds")) + " contended");
  INFO(run.err);
  REQUIRE(run.status == 0);
  const Trace recorded = read_trace(trace);
  const Event wait = the_lock_wait(recorded);
  // The holder: its first use, then the hold the waiter waited for, taken
  // before the wait began and released after it.
  const std::vector<Event> taken = by_others(recorded, EventKind::kAcquired, wait.a, wait.thread);
  REQUIRE(taken.size() == 2);
  CHECK(taken[1].ts_ns <= wait.ts_ns);
  CHECK((taken[1].flags & format::kFlagLate) == 0);
  const std::vector<Event> released =
      by_others(recorded, EventKind::kReleased, wait.a, wait.thread);
  REQUIRE(released.size() == 2);
  CHECK(released[1].ts_ns >= wait.ts_ns);
  CHECK(released[1].thread == taken[1].thread);
  const RunResult report = analyze_json(trace);
  CHECK(report.status == 0);
  CHECK(finding_kinds(report.out).empty());
}

TEST_CASE("holds: a flight dump shows the deferred hold of a thread that computes while holding",
          "[preload][holds]") {
  // The holder never records again: only the dump can write its hold.
  const Recording recording =
      record("deferred_holds", "--mode flight --timeout 1s", "running");
  INFO(recording.run.err);
  const Trace trace = read_trace(recording.trace);
  const Event wait = the_lock_wait(trace);
  const std::vector<Event> taken = by_others(trace, EventKind::kAcquired, wait.a, wait.thread);
  REQUIRE(taken.size() == 2);
  CHECK(by_others(trace, EventKind::kReleased, wait.a, wait.thread).size() == 1);
  // Held by a thread that runs: the waiter may still get it, so no finding,
  // and the census counts the hold.
  const RunResult report = analyze_json(recording.trace);
  INFO(report.out);
  CHECK(finding_kinds(report.out).empty());
  const RunResult text = run_shell(std::string(TASKSCOPE_CLI) + " analyze " + quote(recording.trace));
  CHECK_THAT(text.out, Catch::Matchers::Contains("1 lock held"));
}

TEST_CASE("holds: a hold still deferred when the program exits ends the stream trace",
          "[preload][holds]") {
  const Recording recording = record("deferred_holds", kFinishOptions, "exit");
  INFO(recording.run.err);
  REQUIRE(recording.run.status == 0);
  const Trace trace = read_trace(recording.trace);
  REQUIRE(trace.closed);
  // Its first use, the thread's first deferrable one, then the hold kept at
  // exit, written by the flusher at the end, after the thread's last events.
  const std::vector<Event> taken = trace.of_kind(EventKind::kAcquired);
  REQUIRE(taken.size() == 3);
  CHECK(trace.of_kind(EventKind::kReleased).size() == 2);
  const std::vector<Event> released = trace.of_kind(EventKind::kReleased);
  CHECK(taken.back().ts_ns >= released.back().ts_ns);
  CHECK(taken.back().thread == released.back().thread);
}

TEST_CASE("holds: each thread's first use of a mutex is recorded, so a running user keeps a "
          "condition variable's waiter from being called stuck",
          "[preload][holds]") {
  // The sleeper's condvar was never notified: whoever uses its mutex may wake
  // it. The first user ended, but `user` runs and takes the mutex (uncontended,
  // deferred after its first use): nothing is proven stuck.
  const Recording recording = record("deferred_holds", "--mode flight --timeout 1s", "users");
  INFO(recording.run.err);
  const Trace trace = read_trace(recording.trace);
  std::set<uint64_t> users;
  for (const Event& e : trace.of_kind(EventKind::kAcquired)) users.insert(e.thread);
  CHECK(users.size() == 3);  // first_user, sleeper, user
  const RunResult report = analyze_json(recording.trace);
  INFO(report.out);
  CHECK(report.status == 0);
  CHECK(finding_kinds(report.out).empty());
}

}  // namespace
}  // namespace taskscope::preload_test
