// Futex waits (docs/wait-semantics.md, futex waits): a wait on a futex word
// that anyone may wake is never stuck by itself, only when the whole process
// stopped (the watchdog wrote the trace with every live thread in an untimed
// recorded wait). Each case has its negative twin.
#include <catch2/catch.hpp>

#include "script.hpp"

namespace taskscope::test {

using analyzer::FindingKind;
using analyzer::Severity;

namespace {

constexpr ResourceId kLatch = 20;

// main waits on a futex word (a latch) after its worker ended; the watchdog
// saw `threads_at_hang` threads.
Script main_waits_on_latch(bool timed) {
  Script s;
  s.thread(1, "main");
  s.create(1, kLatch, ResourceKind::kFutex, "");
  s.create_thread(1, 2, "main.cpp:12").thread(2, "worker", 1);
  s.at(2).thread_end(2);
  s.at(3).wait_begin(1, kLatch, WaitOp::kFutexWait, 3, timed);
  s.at(500).emit(1, EventKind::kMark, 0, s.str("tick"));
  s.reason = "hang";
  s.threads_at_hang = 1;
  return s;
}

}  // namespace

TEST_CASE("futex wait: the only live thread waiting on a futex word at a hang is stuck",
          "[futex]") {
  auto analysis = main_waits_on_latch(false).analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"blocked_forever"});
  const auto& finding = analysis->report().findings[0];
  CHECK(finding.severity == Severity::kError);
  CHECK(agent_names(finding) == std::vector<std::string>{"main"});
  REQUIRE_FALSE(finding.wait_edges.empty());
  CHECK(finding.wait_edges[0].kind == analyzer::WaitKind::kFutex);
  bool says_why = false;
  for (const auto& line : finding.explanation)
    says_why = says_why || line.find("wake a futex word") != std::string::npos;
  CHECK(says_why);
}

TEST_CASE("futex wait: two threads waiting on each other's words at a hang deadlock",
          "[futex]") {
  Script s;
  s.thread(1, "main").thread(2, "worker", 1);
  s.create(1, kLatch, ResourceKind::kFutex, "").create(1, kLatch + 1, ResourceKind::kFutex, "");
  s.at(3).wait_begin(1, kLatch, WaitOp::kFutexWait, 1);
  s.at(4).wait_begin(2, kLatch + 1, WaitOp::kFutexWait, 0);
  s.at(500).emit(1, EventKind::kMark, 0, s.str("tick"));
  s.reason = "hang";
  s.threads_at_hang = 2;
  auto analysis = s.analyze();
  CHECK(kinds_of(*analysis) == std::vector<std::string>{"deadlock"});
  CHECK(analysis->report().has_error());
}

TEST_CASE("futex wait: negative twin, the wait has a deadline", "[futex]") {
  CHECK_FALSE(main_waits_on_latch(true).analyze()->report().has_error());
}

TEST_CASE("futex wait: negative twin, another thread still runs", "[futex]") {
  Script s = main_waits_on_latch(false);
  s.threads_at_hang = 2;
  s.thread(3, "ticker", 1);
  CHECK_FALSE(s.analyze()->report().has_error());
}

TEST_CASE("futex wait: negative twin, not written by the watchdog", "[futex]") {
  Script s = main_waits_on_latch(false);
  s.reason = "signal 2";
  CHECK_FALSE(s.analyze()->report().has_error());
}

TEST_CASE("futex wait: waits that ended, early or woken, leave no finding", "[futex]") {
  Script s;
  s.thread(1, "main").thread(2, "worker", 1);
  s.create(1, kLatch, ResourceKind::kFutex, "");
  // The value changed before the wait (EAGAIN), then a spurious wake, then a
  // real one after the worker's notify.
  s.at(3).wait_begin(1, kLatch, WaitOp::kFutexWait, 2);
  s.wait_end(1, kLatch, WaitOutcome::kCompleted);
  s.at(4).wait_begin(1, kLatch, WaitOp::kFutexWait, 1);
  s.at(5).wait_end(1, kLatch, WaitOutcome::kNotified);
  s.at(6).wait_begin(1, kLatch, WaitOp::kFutexWait, 1);
  s.at(2000).notify(2, kLatch, 1, true);
  s.wait_end(1, kLatch, WaitOutcome::kNotified);
  s.at(2001).thread_end(2);
  s.at(2002).thread_end(1);
  auto analysis = s.analyze();
  CHECK(kinds_of(*analysis).empty());
}

}  // namespace taskscope::test
