// `taskscope record` end to end: real pthread programs (tests/preload/programs)
// recorded through the CLI, their traces analyzed with `taskscope analyze`.
// Hanging programs run with a 400 ms watchdog and every run is bounded.
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "support.hpp"
#include "taskscope/format/reader.hpp"

namespace taskscope::preload_test {
namespace {

using Catch::Matchers::Contains;

size_t occurrences(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

int64_t realtime_ns() {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

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
  CHECK_THAT(recording.run.err, Contains("no progress for"));
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
  CHECK_THAT(recording.run.err, !Contains("no progress for"));
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

TEST_CASE("record: a condvar nobody can signal while main joins its waiter is a deadlock",
          "[preload][record]") {
  // The watchdog saw no progress, and both threads of the process are inside
  // recorded waits with no deadline: the consumer on a condvar anyone could
  // signal, main joining the consumer. Nobody is left to signal.
  RunResult report;
  const auto kinds = kinds_of_hanging("condvar_no_notifier", &report, "--stall 200ms");
  INFO(joined(kinds));
  CHECK(kinds == std::vector<std::string>{"deadlock"});
  CHECK(report.status == 1);
  CHECK_THAT(report.out, Contains("Nobody is left to act"));
}

TEST_CASE("record: the same wait with a deadline is no error", "[preload][record]") {
  // The deadline could still end the consumer's wait, and main's join with it.
  RunResult report;
  const auto kinds = kinds_of_hanging("condvar_timed_no_notifier", &report, "--stall 200ms");
  INFO(joined(kinds));
  CHECK(report.status == 0);
  CHECK_FALSE(has(kinds, "deadlock"));
  CHECK_FALSE(has(kinds, "blocked_forever"));
  CHECK(has(kinds, "stalled"));
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

TEST_CASE("record: a sibling that first runs after main joined the other still races it",
          "[preload][record]") {
  // Issue 11: the second thread is created before main joins the first, so the
  // two threads' opposite lock orders are unordered, however late it runs.
  const Recording recording = record("late_sibling", kFinishOptions);
  INFO(recording.run.out << recording.run.err);
  if (recording.run.status == 77) {
    WARN("late_sibling needs realtime scheduling (CAP_SYS_NICE); not run");
    return;
  }
  REQUIRE(recording.run.status == 0);
  REQUIRE(recording.run.out == "entries 2\n");

  // The trace shows the late start: the second thread's own first event comes
  // after main's join of the first returned.
  const Trace trace = read_trace(recording.trace);
  const auto creations = trace.of_kind(format::EventKind::kThreadCreate);
  REQUIRE(creations.size() == 2);
  const uint64_t main_thread = creations[0].thread;
  const uint64_t first = creations[0].a, second = creations[1].a;
  int64_t first_joined = -1, second_started = -1;
  bool joining_first = false;
  for (const format::Event& e : trace.events) {
    if (e.thread == main_thread && e.kind == format::EventKind::kWaitBegin)
      joining_first = e.op == static_cast<uint8_t>(format::WaitOp::kJoin) && e.a == first;
    if (e.thread == main_thread && e.kind == format::EventKind::kWaitEnd && joining_first) {
      first_joined = e.ts_ns;
      joining_first = false;
    }
    if (e.kind == format::EventKind::kThreadStart && e.a == second) second_started = e.ts_ns;
  }
  REQUIRE(first_joined >= 0);
  REQUIRE(second_started > first_joined);

  const RunResult analysis = analyze_json(recording.trace);
  INFO(analysis.out << analysis.err);
  CHECK(analysis.status == 0);  // a warning: no deadlock happened
  CHECK(finding_kinds(analysis.out) == std::vector<std::string>{"lock_order_inversion"});
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
  CHECK_THAT(recorded.run.err, !Contains("no progress for"));
  // A complete, readable trace.
  const RunResult validate =
      run_shell(std::string(TASKSCOPE_CLI) + " validate " + quote(recorded.trace));
  INFO(validate.err);
  CHECK(validate.status == 0);
}

TEST_CASE("record: --on-full block keeps every event with a tiny ring and no spill budget",
          "[preload][record]") {
  // TASKSCOPE_RING and TASKSCOPE_SPILL reach the program through record's
  // environment: 128 records a thread and nothing beyond, so only waiting
  // keeps its tens of thousands of lock events (every hold recorded).
  const std::string trace = scratch_path("on-full-block.tscope");
  const RunResult run = run_shell("TASKSCOPE_RING=4096 TASKSCOPE_SPILL=0 " +
                                  std::string(TASKSCOPE_CLI) +
                                  " record --holds all --on-full block -o " +
                                  quote(trace) + " " + kFinishOptions + " -- " +
                                  quote(program("ordered_locks")));
  INFO(run.err);
  REQUIRE(run.status == 0);
  CHECK(run.out == "total 16000\n");
  const Trace recorded = read_trace(trace);
  CHECK(recorded.of_kind(format::EventKind::kDropped).empty());
  CHECK(recorded.of_kind(format::EventKind::kAcquired).size() >= 16000);
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

TEST_CASE("record: a program stopped by --timeout leaves a trace that ends when it stopped",
          "[preload][record]") {
  // double_lock blocks at once and forever; only --timeout ends it. Its trace
  // must end when the program was stopped, at least 1 s after record started,
  // not at its last event: the analysis then sees the whole blocked time.
  const int64_t started = realtime_ns();
  const Recording recording = record("double_lock", "--timeout 1s");
  INFO(recording.run.err);
  CHECK(recording.run.status == 128 + 9);
  format::TraceReader reader(recording.trace);
  format::Event event;
  int64_t last_event_ns = 0;
  while (reader.next(event)) last_event_ns = event.ts_ns;
  REQUIRE(reader.status().footer.has_value());
  const int64_t end_ns = reader.status().footer->end_ns;
  CHECK(end_ns > last_event_ns);
  CHECK(reader.header().reason == "signal 12");  // the dump signal --timeout sends
  // Trace time converts to the wall clock through the header's calibration,
  // exact to well under 1 ms (recorder/src/hot_path/clock.cpp).
  CHECK(reader.header().start_unix_ns + end_ns >= started + 1'000'000'000 - 1'000'000);
  CHECK(occurrences(recording.run.err, "trace written to " + recording.trace) == 1);
  // record closed it by rename: still private, and nothing left beside it.
  struct stat st {};
  REQUIRE(::stat(recording.trace.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string temp_prefix = recording.trace + ".tmp.";
  for (const auto& entry : std::filesystem::directory_iterator(
           recording.trace.substr(0, recording.trace.rfind('/'))))
    CHECK(entry.path().string().rfind(temp_prefix, 0) != 0);
}

TEST_CASE("record: a program killed by a signal leaves a trace that ends when it died",
          "[preload][record]") {
  // record's child is the program: kill it as Ctrl-C or kill(1) would.
  const std::string trace = scratch_path("killed.tscope");
  const int64_t started = realtime_ns();
  const RunResult run = run_shell(
      std::string(TASKSCOPE_CLI) + " record -o " + quote(trace) + " -- " +
      quote(program("double_lock")) + " & record=$!; sleep 1; pkill -TERM -P $record; wait $record");
  INFO(run.err);
  CHECK(run.status == 128 + 15);
  CHECK_THAT(run.err, Contains("killed by signal 15"));
  format::TraceReader reader(trace);
  format::Event event;
  while (reader.next(event)) {
  }
  REQUIRE(reader.status().footer.has_value());
  CHECK(reader.header().reason == "signal 15");
  CHECK(reader.header().start_unix_ns + reader.status().footer->end_ns >=
        started + 1'000'000'000 - 1'000'000);
}

TEST_CASE("record: a caught hang is reported once", "[preload][record]") {
  const Recording recording = record("abba_barrier", kHangOptions);
  INFO(recording.run.err);
  CHECK(recording.run.status == 124);
  CHECK(occurrences(recording.run.err, "no progress for") == 1);
  CHECK(occurrences(recording.run.err, "trace written to") == 1);
  CHECK(occurrences(recording.run.err, "exit status 124") == 1);
  CHECK(occurrences(recording.run.err, "next: taskscope analyze " + recording.trace) == 1);
}

TEST_CASE("record: flight mode writes the window when the watchdog fires", "[preload][record]") {
  const Recording recording =
      record("abba_barrier", std::string("--mode flight --buffer 8M ") + kHangOptions);
  INFO(recording.run.err);
  CHECK(recording.run.status == 124);
  CHECK_THAT(recording.run.err, Contains("no progress for"));
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
        std::string("record --mode fast -- true"), std::string("record --buffer lots -- true"),
        std::string("record --on-full wait -- true")}) {
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

TEST_CASE("record: an output that cannot be written runs nothing and exits 2",
          "[preload][record]") {
  const std::string marker = scratch_path("ran");
  const std::string not_a_dir = scratch_path("plain-file");
  std::ofstream(not_a_dir) << "text\n";
  struct Case {
    std::string output, reason;
  };
  // A trace is never written through a symlink or onto a FIFO (issue 19): the
  // link's target and the FIFO are left as they were.
  const std::string target = scratch_path("link-target");
  std::ofstream(target) << "precious\n";
  const std::string link = scratch_path("link.tscope");
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  const std::string fifo = scratch_path("fifo.tscope");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const Case& c : {Case{"/nonexistent-dir/x.tscope", "No such file or directory"},
                        Case{not_a_dir + "/x.tscope", "Not a directory"},
                        Case{scratch_path("dir"), "Is a directory"},
                        Case{link, "symbolic link"}, Case{fifo, "not a regular file"}}) {
    if (c.reason == "Is a directory") ::mkdir(c.output.c_str(), 0755);
    const RunResult run =
        run_shell(std::string(TASKSCOPE_CLI) + " record -o " + quote(c.output) +
                  " -- /bin/sh -c " + quote("echo ran > " + quote(marker)));
    INFO(c.output << ": " << run.err);
    CHECK(run.status == 2);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK_THAT(run.err, Contains(c.output) && Contains(c.reason));
    CHECK_FALSE(std::ifstream(marker).good());  // the program did not run
  }
  std::string kept;
  std::getline(std::ifstream(target), kept);
  CHECK(kept == "precious");
  struct stat st {};
  CHECK((::lstat(link.c_str(), &st) == 0 && S_ISLNK(st.st_mode)));
  CHECK((::lstat(fifo.c_str(), &st) == 0 && S_ISFIFO(st.st_mode)));
}

TEST_CASE("record: a program that cannot be started exits 127 or 126 and claims no trace",
          "[preload][record]") {
  // An old trace at the -o path must not be reported as this run's.
  const std::string trace = scratch_path("old.tscope");
  const Recording old = record("no_hang", kFinishOptions);
  REQUIRE(old.run.status == 3);
  const std::string not_executable = scratch_path("not-executable");
  std::ofstream(not_executable) << "#!/bin/sh\nexit 0\n";
  ::chmod(not_executable.c_str(), 0644);
  struct Case {
    std::string program;
    int status;
  };
  for (const Case& c : {Case{"/nonexistent/program", 127}, Case{not_executable, 126}}) {
    {
      std::ifstream in(old.trace, std::ios::binary);
      std::ofstream(trace, std::ios::binary | std::ios::trunc) << in.rdbuf();
    }
    const RunResult run = run_shell(std::string(TASKSCOPE_CLI) + " record -o " + quote(trace) +
                                    " -- " + quote(c.program));
    INFO(c.program << ": " << run.err);
    CHECK(run.status == c.status);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK_THAT(run.err, Contains("cannot run " + c.program));
    CHECK_THAT(run.err, !Contains("trace written") && !Contains("next:"));
  }
}

}  // namespace taskscope::preload_test
