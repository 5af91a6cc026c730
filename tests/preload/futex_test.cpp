// Futex waits through the preloaded syscall() (recorder/preload/futex.cpp,
// once.cpp), end to end: unmodified C++20 programs (tests/preload/programs)
// on std::latch, std::future, std::barrier, std::counting_semaphore,
// std::atomic::wait and std::call_once, recorded with `taskscope record` and
// analyzed. Stuck programs hang and are caught by a 400 ms watchdog.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <set>

#include "support.hpp"
#include "taskscope/analyzer/symbolizer.hpp"

namespace taskscope::preload_test {
namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

// The analysis of `program` run with `mode`, which must hang ("stuck") or
// print `output`.
RunResult analysis_of(const std::string& program, const std::string& mode,
                      const std::string& output = "") {
  const bool stuck = mode == "stuck";
  const Recording recording = record(program, stuck ? kHangOptions : kFinishOptions, mode);
  INFO(recording.run.err);
  if (stuck) {
    CHECK(recording.run.status == 124);
    CHECK_THAT(recording.run.err, Contains("no progress for"));
  } else {
    CHECK(recording.run.status == 0);
    CHECK(recording.run.out == output);
  }
  RunResult analysis = analyze_json(recording.trace);
  INFO(analysis.out << analysis.err);
  CHECK((analysis.status == 0 || analysis.status == 1));
  return analysis;
}

bool is_error_verdict(const std::vector<std::string>& kinds) {
  for (const std::string& kind : kinds)
    if (kind == "blocked_forever" || kind == "deadlock") return true;
  return false;
}

// The stuck run's report: an error whose wait is the futex wait at the line
// of `source` marked "waits here", and which says nobody can wake it.
void check_stuck(const std::string& program, const std::string& source) {
  const RunResult report = analysis_of(program, "stuck");
  const auto kinds = finding_kinds(report.out);
  INFO(report.out);
  CHECK(report.status == 1);
  CHECK(is_error_verdict(kinds));
  CHECK_THAT(report.out, Contains("\"wait\": \"futex\""));
  CHECK_THAT(report.out, Contains("wake a futex word"));
  const std::set<int> lines = marked_lines(source, "// waits here");
  REQUIRE(lines.size() == 1);
  CHECK_THAT(report.out, Contains(source + ":" + std::to_string(*lines.begin())));
}

}  // namespace

TEST_CASE("futex: main waiting on a std::latch that never reaches zero is an error",
          "[preload][futex]") {
  check_stuck("latch_wait", "latch_wait.cpp");
}

TEST_CASE("futex: the std::latch that reaches zero gets no finding", "[preload][futex]") {
  const RunResult report = analysis_of("latch_wait", "fixed", "total 60\n");
  INFO(report.out);
  CHECK(report.status == 0);
  CHECK(finding_kinds(report.out).empty());
}

TEST_CASE("futex: main waiting on a std::future whose promise is never set is an error",
          "[preload][futex]") {
  check_stuck("future_get", "future_get.cpp");
}

TEST_CASE("futex: the std::future whose promise is set gets no finding", "[preload][futex]") {
  const RunResult report = analysis_of("future_get", "fixed", "answer 42\n");
  INFO(report.out);
  CHECK(report.status == 0);
  CHECK(finding_kinds(report.out).empty());
}

TEST_CASE("futex: barrier, semaphore, atomic wait and call_once waits are recorded at the "
          "program's lines, with no finding",
          "[preload][futex]") {
  const Recording recording = record("cxx20_waits", kFinishOptions);
  INFO(recording.run.err);
  REQUIRE(recording.run.status == 0);
  REQUIRE(recording.run.out == "config 15 sum 18 consumed 50 ready 1\n");

  const RunResult report = analyze_json(recording.trace);
  INFO(report.out);
  CHECK(report.status == 0);
  CHECK(finding_kinds(report.out).empty());

  const Trace trace = read_trace(recording.trace);
  analyzer::Symbolizer symbolizer;
  for (const auto& e : trace.of_kind(format::EventKind::kModuleMap))
    symbolizer.add_module(e.a, e.b, trace.text(e.str));
  const std::string file = "programs/cxx20_waits.cpp";
  const std::set<int> marked = marked_lines("cxx20_waits.cpp", "// waits here");
  std::set<int> waited_at;
  for (const auto& e : trace.of_kind(format::EventKind::kWaitBegin)) {
    if (e.op != static_cast<uint8_t>(format::WaitOp::kFutexWait)) continue;
    const std::string where = symbolizer.describe(trace.text(e.str));
    INFO(trace.text(e.str) << " -> " << where);
    REQUIRE_THAT(where, StartsWith(file + ":"));
    const int line = std::atoi(where.c_str() + file.size() + 1);
    CHECK(marked.count(line) == 1);
    waited_at.insert(line);
  }
  // The first std::call_once caller always finds the flag not done; the other
  // waits depend on the scheduling.
  CHECK(waited_at.count(*marked.begin()) == 1);

  // stats counts the time blocked on futex words.
  const RunResult stats = run_shell(std::string(TASKSCOPE_CLI) + " stats " + quote(recording.trace));
  INFO(stats.out << stats.err);
  CHECK(stats.status == 0);
  CHECK_THAT(stats.out, Contains("futex"));
}

TEST_CASE("futex: other system calls through the interposed syscall() return what libc's does",
          "[preload][futex]") {
  // The program compares each call with libc's own syscall() and the futex
  // calls with the results the kernel defines (EAGAIN, ETIMEDOUT).
  const Recording recording = record("syscall_forward", kFinishOptions);
  INFO(recording.run.err);
  CHECK(recording.run.out == "ok\n");
  CHECK(recording.run.status == 0);
}

}  // namespace taskscope::preload_test
