// lost_wakeup: a condvar notified before its wait; a pending task with no waker.
#include <catch2/catch.hpp>

#include "script.hpp"

namespace taskscope::test {

using analyzer::FindingKind;

namespace {

// producer sets nothing and notifies "ready" with nobody waiting, then exits.
Script notify_first() {
  Script s;
  s.thread(1, "producer").thread(2, "consumer");
  s.mutex(1, 10, "m").create(1, 11, ResourceKind::kCondvar, "ready");
  s.at(1).lock(1, 10).notify(1, 11).unlock(1, 10).thread_end(1);
  s.at(2).lock(2, 10);
  return s;
}

}  // namespace

TEST_CASE("lost_wakeup: condvar notified with no waiter, then waited on forever", "[lost_wakeup]") {
  Script s = notify_first();
  s.cv_wait(2, 11, 10);
  s.at(1000).emit(2, EventKind::kMark, 0, s.str("x"));
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"lost_wakeup"});
  const auto& finding = analysis->report().findings[0];
  CHECK(agent_names(finding) == std::vector<std::string>{"consumer", "producer"});
  CHECK(finding.summary ==
        "consumer waits on condvar \"ready\" forever: it was notified before the wait, when "
        "nobody waited");
}

TEST_CASE("lost_wakeup: negative twin, the waiter re-checks its predicate and proceeds",
          "[lost_wakeup]") {
  Script s = notify_first();
  s.unlock(2, 10);  // the predicate was already true: no wait
  s.at(1000).emit(2, EventKind::kMark, 0, s.str("done"));
  auto analysis = s.analyze();
  CHECK(analysis->report().findings.empty());
}

TEST_CASE("lost_wakeup: a timed wait that times out is not stuck", "[lost_wakeup]") {
  Script s = notify_first();
  s.cv_wait(2, 11, 10, /*timed=*/true);
  s.at(100).wait_end(2, 11, WaitOutcome::kTimedOut).acquired(2, 10).unlock(2, 10);
  auto timed_out = s.analyze();
  CHECK(timed_out->report().findings.empty());

  Script still_waiting = notify_first();
  still_waiting.cv_wait(2, 11, 10, /*timed=*/true);
  auto in_progress = still_waiting.analyze();
  CHECK(in_progress->report().findings.empty());
}

TEST_CASE("lost_wakeup: a pending task with no live waker and no wake", "[lost_wakeup]") {
  Script s;
  s.thread(1, "worker").spawn(1, 100, "fetch");
  s.at(1).poll_begin(1, 100).waker_clone(1, 100, 0).poll_end(1, 100, true);
  s.at(2).waker_drop(1, 100);
  s.at(500).emit(1, EventKind::kMark, 0, s.str("tick"));
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"lost_wakeup"});
  CHECK(agent_names(analysis->report().findings[0]) == std::vector<std::string>{"fetch"});
}

TEST_CASE("lost_wakeup: negative twins, a live waker or a pending wake", "[lost_wakeup]") {
  Script live;
  live.thread(1, "worker").spawn(1, 100, "fetch");
  live.at(1).poll_begin(1, 100).waker_clone(1, 100, 0).poll_end(1, 100, true);
  CHECK(live.analyze()->report().findings.empty());

  Script woken;
  woken.thread(1, "worker").thread(2, "io").spawn(1, 100, "fetch");
  woken.at(1).poll_begin(1, 100).waker_clone(1, 100, 0).poll_end(1, 100, true);
  woken.at(2).wake(2, 100).waker_drop(2, 100);
  CHECK(woken.analyze()->report().findings.empty());
}

}  // namespace taskscope::test
