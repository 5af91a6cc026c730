// `taskscope record` end to end: real pthread programs (tests/preload/programs)
// recorded through the CLI, their traces analyzed with `taskscope analyze`.
// Hanging programs run with a 400 ms watchdog and every run is bounded.
#include <algorithm>
#include <catch2/catch.hpp>

#include "support.hpp"

namespace taskscope::preload_test {
namespace {

using Catch::Matchers::Contains;

bool has(const std::vector<std::string>& kinds, const std::string& kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string joined(const std::vector<std::string>& kinds) {
  std::string out;
  for (const std::string& kind : kinds) out += kind + " ";
  return out;
}

// Records a program that must hang, checks that record caught it, and returns
// the finding kinds of its analysis.
std::vector<std::string> kinds_of_hanging(const std::string& name, RunResult* report = nullptr,
                                          const std::string& analyze_options = "") {
  const Recording recording = record(name, kHangOptions);
  INFO(recording.run.err);
  CHECK(recording.run.status == 124);
  CHECK_THAT(recording.run.err, Contains("hang caught"));
  CHECK_THAT(recording.run.err, Contains("taskscope analyze " + recording.trace));
  RunResult analysis = analyze_json(recording.trace, analyze_options);
  INFO(analysis.out << analysis.err);
  CHECK((analysis.status == 0 || analysis.status == 1));  // a report, not a failure
  if (report != nullptr) *report = analysis;
  return finding_kinds(analysis.out);
}

// Records a program that must finish, and returns the finding kinds.
std::vector<std::string> kinds_of_finishing(const std::string& name,
                                            const std::string& expected_output) {
  const Recording recording = record(name, kFinishOptions);
  INFO(recording.run.err);
  CHECK(recording.run.status == 0);
  CHECK(recording.run.out == expected_output);
  CHECK_THAT(recording.run.err, !Contains("hang caught"));
  RunResult analysis = analyze_json(recording.trace);
  INFO(analysis.out << analysis.err);
  CHECK((analysis.status == 0 || analysis.status == 1));
  return finding_kinds(analysis.out);
}

}  // namespace

TEST_CASE("record: an ABBA deadlock forced with a barrier is caught and explained",
          "[preload][record]") {
  RunResult report;
  const auto kinds = kinds_of_hanging("abba_barrier", &report);
  INFO(joined(kinds));
  CHECK(has(kinds, "deadlock"));
  CHECK(report.status == 1);  // an error-severity finding
  // Threads named by pthread_setname_np; locations symbolized to the source.
  CHECK_THAT(report.out, Contains("transfer-1"));
  CHECK_THAT(report.out, Contains("transfer-2"));
  CHECK_THAT(report.out, Contains("abba_barrier.c:"));
}

TEST_CASE("record: the ABBA deadlock with std::thread and std::mutex is a deadlock",
          "[preload][record]") {
  RunResult report;
  const auto kinds = kinds_of_hanging("abba_std", &report);
  INFO(joined(kinds));
  CHECK(has(kinds, "deadlock"));
  CHECK_THAT(report.out, Contains("abba_std.cpp:"));
}

TEST_CASE("record: a non-recursive mutex locked twice by one thread is a deadlock",
          "[preload][record]") {
  const auto kinds = kinds_of_hanging("double_lock");
  INFO(joined(kinds));
  CHECK(has(kinds, "deadlock"));
}

TEST_CASE("record: locking a mutex whose owner exited is blocked forever", "[preload][record]") {
  const auto kinds = kinds_of_hanging("exit_holding");
  INFO(joined(kinds));
  CHECK(has(kinds, "blocked_forever"));
  CHECK_FALSE(has(kinds, "deadlock"));
}

TEST_CASE("record: a lock held by a main thread that left by pthread_exit is blocked forever",
          "[preload][record]") {
  RunResult report;
  const auto kinds = kinds_of_hanging("exit_main_holding", &report);
  INFO(joined(kinds));
  CHECK(has(kinds, "blocked_forever"));
  // The owner is known to be gone: not "stalled" behind an owner that may still run.
  CHECK_FALSE(has(kinds, "stalled"));
  CHECK_FALSE(has(kinds, "deadlock"));
  CHECK_THAT(report.out, Contains("by pthread_exit at programs/exit_main_holding.c:"));
}

TEST_CASE("record: a program whose main thread leaves first ends with its last thread",
          "[preload][record]") {
  // The recorder's own thread must not keep the process alive once the
  // program's threads are gone: the run ends by itself, output flushed, status 0.
  const Recording recording = record("main_exits_first", kFinishOptions);
  INFO(recording.run.err);
  CHECK(recording.run.status == 0);
  CHECK(recording.run.out == "report written\n");
  CHECK_THAT(recording.run.err, !Contains("expired"));
  const Trace trace = read_trace(recording.trace);
  CHECK(trace.closed);
  // Both threads are recorded as ended; main's end names its pthread_exit.
  const auto ends = trace.of_kind(format::EventKind::kThreadEnd);
  REQUIRE(ends.size() == 2);
  CHECK(ends[0].str != 0);
  CHECK(ends[1].str == 0);
  RunResult analysis = analyze_json(recording.trace);
  INFO(analysis.out << analysis.err);
  CHECK(analysis.status == 0);
  CHECK(finding_kinds(analysis.out).empty());
}

TEST_CASE("record: threads that leave by pthread_exit or are detached are no finding",
          "[preload][record]") {
  const auto kinds = kinds_of_finishing("thread_exits", "3 entries\n");
  INFO(joined(kinds));
  CHECK(kinds.empty());
}

TEST_CASE("record: a condvar wait with no notifier is stuck, not a cycle", "[preload][record]") {
  // Nobody else uses the condvar or its mutex: blocked forever, or (if the
  // analyzer counts unknown notifiers as possible) stalled for the 400 ms
  // until the watchdog fired.
  const auto kinds = kinds_of_hanging("condvar_no_notifier", nullptr, "--stall 200ms");
  INFO(joined(kinds));
  CHECK((has(kinds, "blocked_forever") || has(kinds, "stalled")));
  CHECK_FALSE(has(kinds, "deadlock"));
}

TEST_CASE("record: a signal sent before the wait is a lost wakeup", "[preload][record]") {
  RunResult report;
  const auto kinds = kinds_of_hanging("lost_wakeup", &report);
  INFO(joined(kinds));
  CHECK(has(kinds, "lost_wakeup"));
  CHECK_FALSE(has(kinds, "deadlock"));
  // The unnamed thread is named by its start routine, the condvar by its variable.
  CHECK_THAT(report.out, Contains("\"waiter\"") && Contains("condvar \\\"ready\\\""));
  CHECK_THAT(report.out, !Contains("sym:0x"));
  // A condvar wait shows the mutex it was waited with.
  CHECK_THAT(report.out, Contains("with mutex \\\"ready_lock\\\""));
}

TEST_CASE("record: a lock-order inversion that did not deadlock is only a warning",
          "[preload][record]") {
  const auto kinds = kinds_of_finishing("inversion", "balance 2\n");
  INFO(joined(kinds));
  CHECK(kinds == std::vector<std::string>{"lock_order_inversion"});
}

TEST_CASE("record: an inversion under a gate lock, or ordered by join, is no finding",
          "[preload][record]") {
  SECTION("gate lock") {
    const auto kinds = kinds_of_finishing("inversion_gate", "balance 2\n");
    INFO(joined(kinds));
    CHECK(kinds.empty());
  }
  SECTION("join") {
    const auto kinds = kinds_of_finishing("inversion_join", "balance 2\n");
    INFO(joined(kinds));
    CHECK(kinds.empty());
  }
}

TEST_CASE("record: a consistent order over many locks is no finding", "[preload][record]") {
  const auto kinds = kinds_of_finishing("ordered_locks", "total 16000\n");
  INFO(joined(kinds));
  CHECK(kinds.empty());
}

TEST_CASE("record: a semaphore pipeline that completes is no finding", "[preload][record]") {
  const auto kinds = kinds_of_finishing("semaphore_pipeline", "sum 1999000\n");
  INFO(joined(kinds));
  CHECK(kinds.empty());
}

TEST_CASE("record: timed waits that time out are no finding", "[preload][record]") {
  const auto kinds = kinds_of_finishing(
      "timed_waits",
      "timedlock timed out, timedjoin timed out, condwait timed out, semwait timed out\n");
  INFO(joined(kinds));
  CHECK(kinds.empty());
}

TEST_CASE("record: a program that does not hang keeps its output and exit status",
          "[preload][record]") {
  const std::string input = "alpha\nbeta\n";
  const RunResult plain = run_shell(quote(program("no_hang")) + " one two", input);
  REQUIRE(plain.status == 3);
  const Recording recorded = record("no_hang", kFinishOptions, "one two", input);
  CHECK(recorded.run.status == 3);
  CHECK(recorded.run.out == plain.out);
  CHECK(recorded.run.out == "1: alpha\n2: beta\narg one\narg two\n");
  // The program's stderr first, then record's own lines.
  CHECK(recorded.run.err.rfind(plain.err, 0) == 0);
  CHECK_THAT(recorded.run.err, Contains("taskscope: trace written to " + recorded.trace));
  CHECK_THAT(recorded.run.err, Contains("taskscope: next: taskscope analyze " + recorded.trace));
  CHECK_THAT(recorded.run.err, !Contains("hang caught"));
  // A complete, readable trace.
  const RunResult validate =
      run_shell(std::string(TASKSCOPE_CLI) + " validate " + quote(recorded.trace));
  INFO(validate.err);
  CHECK(validate.status == 0);
}

TEST_CASE("record: --timeout dumps the trace and ends a program that hangs", "[preload][record]") {
  // No watchdog: only --timeout can end it.
  const Recording recording = record("double_lock", "--timeout 500ms");
  INFO(recording.run.err);
  CHECK(recording.run.status == 128 + 9);  // killed after the dump
  CHECK_THAT(recording.run.err, Contains("--timeout 500ms expired"));
  CHECK_THAT(recording.run.err, Contains("taskscope analyze " + recording.trace));
  const Trace trace = read_trace(recording.trace);
  CHECK_FALSE(trace.of_kind(format::EventKind::kWaitBegin).empty());
}

TEST_CASE("record: flight mode writes the window when the watchdog fires", "[preload][record]") {
  const Recording recording =
      record("abba_barrier", std::string("--mode flight --buffer 8M ") + kHangOptions);
  INFO(recording.run.err);
  CHECK(recording.run.status == 124);
  CHECK_THAT(recording.run.err, Contains("hang caught"));
  const Trace trace = read_trace(recording.trace);
  CHECK(trace.reason == "hang");
  CHECK(trace.of_kind(format::EventKind::kWaitBegin).size() >= 2);
}

TEST_CASE("record: programs started by the recorded one write their own traces",
          "[preload][record]") {
  const std::string trace = scratch_path("parent.tscope");
  const RunResult run = run_shell(std::string(TASKSCOPE_CLI) + " record -o " + quote(trace) +
                                  " --timeout 20s -- /bin/sh -c " +
                                  quote(quote(program("no_hang")) + " </dev/null; exit 0"));
  INFO(run.err);
  CHECK(run.status == 0);
  CHECK_THAT(run.err, Contains("a program it started wrote"));
  // The shell's trace and the program's are separate, and both are whole.
  CHECK_NOTHROW(read_trace(trace));
  const auto at = run.err.find("a program it started wrote ");
  REQUIRE(at != std::string::npos);
  const auto begin = at + std::string("a program it started wrote ").size();
  const std::string child_trace = run.err.substr(begin, run.err.find('\n', begin) - begin);
  const Trace child = read_trace(child_trace);
  CHECK_FALSE(child.of_kind(format::EventKind::kNotify).empty());
}

TEST_CASE("record: bad usage is one line and exit status 2", "[preload][record]") {
  const std::string cli = TASKSCOPE_CLI;
  for (const std::string& args :
       {std::string("record"), std::string("record --hang-timeout soon -- true"),
        std::string("record --mode fast -- true"), std::string("record --buffer lots -- true")}) {
    const RunResult run = run_shell(cli + " " + args);
    INFO(args << ": " << run.err);
    CHECK(run.status == 2);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  }
  const RunResult missing =
      run_shell(cli + " record -o " + quote(scratch_path("x.tscope")) + " -- /nonexistent/program");
  CHECK(missing.status == 127);
  CHECK_THAT(missing.err, Contains("cannot run /nonexistent/program"));
}

}  // namespace taskscope::preload_test
