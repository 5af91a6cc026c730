// blocking_in_async: long polls and thread-blocking waits inside polls.
#include <catch2/catch.hpp>

#include "script.hpp"

namespace taskscope::test {

using analyzer::FindingKind;

TEST_CASE("blocking_in_async: a poll that burns 50 ms of CPU", "[blocking_in_async]") {
  Script s;
  s.thread(1, "worker-1").spawn(1, 100, "cache_refresh");
  s.at(1).poll_begin_cpu(1, 100, 3);
  s.at(52).poll_end_cpu(1, 100, false, 53).task_end(1, 100);
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"blocking_in_async"});
  const auto& finding = analysis->report().findings[0];
  CHECK(finding.severity == analyzer::Severity::kWarning);
  CHECK(agent_names(finding) == std::vector<std::string>{"cache_refresh", "worker-1"});
  CHECK(finding.summary == "task cache_refresh kept worker worker-1 busy for 50 ms of CPU in one poll");
  REQUIRE(finding.explanation.size() == 2);
  CHECK(finding.explanation[0].find("50 ms on the CPU (51 ms in all") != std::string::npos);
  CHECK(finding.explanation[1].find("CPU-heavy work") != std::string::npos);
}

TEST_CASE("blocking_in_async: negative twin, a poll preempted for 50 ms", "[blocking_in_async]") {
  // 50 ms on the wall clock, 1 ms on the CPU: the thread was descheduled (or
  // blocked where nothing is recorded). Nothing proves the task at fault.
  Script s;
  s.thread(1, "worker-1").spawn(1, 100, "cache_refresh");
  s.at(1).poll_begin_cpu(1, 100, 3);
  s.at(52).poll_end_cpu(1, 100, false, 4).task_end(1, 100);
  auto analysis = s.analyze();
  CHECK(find_kind(*analysis, FindingKind::kBlockingInAsync) == nullptr);
  CHECK(analysis->report().findings.empty());
}

TEST_CASE("blocking_in_async: negative twin, a long poll whose CPU time is not recorded",
          "[blocking_in_async]") {
  // A trace without CPU readings (format 1.1, or a poll begun before a flight
  // window) cannot tell work from preemption: no warning.
  Script s;
  s.thread(1, "worker-1").spawn(1, 100, "cache_refresh");
  s.at(1).poll_begin(1, 100);
  s.at(51).poll_end(1, 100, false).task_end(1, 100);
  auto analysis = s.analyze();
  CHECK(find_kind(*analysis, FindingKind::kBlockingInAsync) == nullptr);
}

TEST_CASE("blocking_in_async: negative twin, a poll still running at the end", "[blocking_in_async]") {
  Script s;
  s.thread(1, "worker-1").spawn(1, 100, "cache_refresh");
  s.at(1).poll_begin_cpu(1, 100, 3);
  s.at(80).emit(1, EventKind::kMark, 0, s.str("tick"));
  auto analysis = s.analyze();
  CHECK(find_kind(*analysis, FindingKind::kBlockingInAsync) == nullptr);
}

TEST_CASE("blocking_in_async: negative twin, short polls", "[blocking_in_async]") {
  Script s;
  s.thread(1, "worker-1").spawn(1, 100, "cache_refresh");
  for (int i = 0; i < 20; ++i) {
    s.at(1 + 2 * i).poll_begin(1, 100).waker_clone(1, 100);
    s.at(2 + 2 * i).poll_end(1, 100, true).wake(1, 100).waker_drop(1, 100);
  }
  s.at(60).poll_begin(1, 100).poll_end(1, 100, false).task_end(1, 100);
  auto analysis = s.analyze();
  CHECK(find_kind(*analysis, FindingKind::kBlockingInAsync) == nullptr);
}

TEST_CASE("blocking_in_async: a std::mutex wait inside a poll", "[blocking_in_async]") {
  Script s;
  s.thread(1, "worker-1").thread(2, "flusher").mutex(2, 10, "cache");
  s.spawn(1, 100, "lookup");
  s.at(1).lock(2, 10);
  s.at(2).poll_begin(1, 100).block_lock(1, 10, "cache.cpp:30");
  s.at(4).unlock(2, 10).wait_end(1, 10, WaitOutcome::kAcquired).acquired(1, 10).unlock(1, 10);
  s.at(5).poll_end(1, 100, false).task_end(1, 100);
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"blocking_in_async"});
  CHECK(analysis->report().findings[0].summary ==
        "task lookup blocked worker worker-1 inside a poll: locking mutex \"cache\"");
}

TEST_CASE("blocking_in_async: negative twin, the lock is awaited across polls",
          "[blocking_in_async]") {
  // An async mutex: the wait begins in a poll that returns pending and ends in
  // a later poll, after the holder woke the task.
  Script s;
  s.thread(1, "worker-1").thread(2, "flusher").mutex(2, 10, "cache");
  s.spawn(1, 100, "lookup");
  s.at(1).lock(2, 10);
  s.at(2).poll_begin(1, 100).waker_clone(1, 100, 10).block_lock(1, 10, "cache.cpp:30");
  s.poll_end(1, 100, true);
  s.at(4).unlock(2, 10).wake(2, 100).waker_drop(2, 100);
  s.at(5).poll_begin(1, 100).wait_end(1, 10, WaitOutcome::kAcquired).acquired(1, 10);
  s.unlock(1, 10).poll_end(1, 100, false).task_end(1, 100);
  auto analysis = s.analyze();
  CHECK(find_kind(*analysis, FindingKind::kBlockingInAsync) == nullptr);
  CHECK(analysis->report().findings.empty());
}

}  // namespace taskscope::test
