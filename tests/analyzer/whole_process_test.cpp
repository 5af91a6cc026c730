// A whole process that cannot move: when the hang watchdog wrote the trace and
// every live thread is a recorded agent inside a recorded wait with no deadline,
// a condvar, semaphore or channel wait that "anyone" could end is stuck too
// (graph/wait_for_graph.cpp, close_world). Each guard has its negative twin.
#include <catch2/catch.hpp>

#include "script.hpp"

namespace taskscope::test {

using analyzer::FindingKind;
using analyzer::Severity;

namespace {

// main joins consumer; consumer waits on a condvar whose mutex only it uses.
Script consumer_joined(bool timed) {
  Script s;
  s.thread(1, "main").mutex(1, 10, "queue lock");
  s.create(1, 11, ResourceKind::kCondvar, "queue not empty");
  s.create_thread(1, 2, "main.c:20").thread(2, "consumer", 1);
  s.at(1).lock(2, 10).cv_wait(2, 11, 10, timed);
  s.at(2).join(1, 2);
  s.at(500).emit(1, EventKind::kMark, 0, s.str("tick"));
  s.reason = "hang";
  s.threads_at_hang = 2;
  return s;
}

}  // namespace

TEST_CASE("whole process: a condvar nobody is left to signal while main joins its waiter",
          "[whole_process]") {
  auto analysis = consumer_joined(false).analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"deadlock"});
  const auto& finding = analysis->report().findings[0];
  CHECK(finding.severity == Severity::kError);
  CHECK(agent_names(finding) == std::vector<std::string>{"main", "consumer"});
  bool says_why = false;
  for (const auto& line : finding.explanation)
    says_why = says_why || line.rfind("Nobody is left to act", 0) == 0;
  CHECK(says_why);
}

TEST_CASE("whole process: negative twin, the wait has a deadline", "[whole_process]") {
  auto analysis = consumer_joined(true).analyze();
  CHECK_FALSE(analysis->report().has_error());
}

TEST_CASE("whole process: negative twin, the trace was not written by the watchdog",
          "[whole_process]") {
  Script s = consumer_joined(false);
  s.reason = "signal 2";
  CHECK_FALSE(s.analyze()->report().has_error());
}

TEST_CASE("whole process: negative twin, a live thread the trace does not know",
          "[whole_process]") {
  Script s = consumer_joined(false);
  s.threads_at_hang = 3;  // one thread never recorded anything: it could signal
  CHECK_FALSE(s.analyze()->report().has_error());
}

TEST_CASE("whole process: negative twin, another thread runs or sleeps", "[whole_process]") {
  Script running = consumer_joined(false);
  running.threads_at_hang = 3;
  running.thread(3, "ticker", 1);
  CHECK_FALSE(running.analyze()->report().has_error());
  Script sleeping = consumer_joined(false);
  sleeping.threads_at_hang = 3;
  sleeping.thread(3, "ticker", 1).sleep(3, 1'000'000);
  CHECK_FALSE(sleeping.analyze()->report().has_error());
}

TEST_CASE("whole process: negative twin, analyzed before the end", "[whole_process]") {
  analyzer::AnalyzeOptions options;
  options.at_ns = 100 * kMs;
  CHECK_FALSE(consumer_joined(false).analyze(options)->report().has_error());
}

TEST_CASE("whole process: the only thread waits on a semaphore nobody posts", "[whole_process]") {
  Script s;
  s.thread(1, "main");
  s.create(1, 20, ResourceKind::kSemaphore, "slots", 0);
  s.at(1).wait_begin(1, 20, WaitOp::kAcquire, 1);
  s.at(500).emit(1, EventKind::kMark, 0, s.str("tick"));
  s.reason = "hang";
  s.threads_at_hang = 1;
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"blocked_forever"});
  CHECK(analysis->report().findings[0].summary.find("no other agent is left to end the wait") !=
        std::string::npos);
  s.threads_at_hang = 0;  // not known: say less
  CHECK_FALSE(s.analyze()->report().has_error());
}

}  // namespace taskscope::test
