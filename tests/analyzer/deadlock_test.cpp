// deadlock: lock and join cycles, relock by the owner, writer-preferring rwlock.
#include <catch2/catch.hpp>

#include "script.hpp"
#include "taskscope/analyzer/report.hpp"

namespace taskscope::test {

using analyzer::FindingKind;
using analyzer::Severity;

namespace {

// transfer#1 holds A and waits for B; transfer#2 holds B and waits for A.
Script abba() {
  Script s;
  s.thread(1, "main");
  s.mutex(1, 10, "accounts[3].lock").mutex(1, 11, "accounts[7].lock");
  s.thread(2, "transfer", 1).thread(3, "transfer", 1);
  s.at(1).lock(2, 10, "bank.c:37").lock(3, 11, "bank.c:37");
  s.at(2).block_lock(2, 11, "bank.c:41").block_lock(3, 10, "bank.c:41");
  s.at(1000).emit(1, EventKind::kMark, 0, s.str("tick"));
  return s;
}

}  // namespace

TEST_CASE("deadlock: two threads in an ABBA lock cycle", "[deadlock]") {
  auto analysis = abba().analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"deadlock"});
  const auto& finding = analysis->report().findings[0];
  CHECK(finding.severity == Severity::kError);
  CHECK(sorted(agent_names(finding)) == std::vector<std::string>{"transfer#1", "transfer#2"});
  CHECK(finding.summary == "2 threads stuck in a lock cycle");
  CHECK(finding.resources.size() == 2);
  CHECK(analysis->report().has_error());
  // The cycle is drawn and explained in words.
  CHECK(taskscope::analyzer::cycle_diagram(finding).size() == 7);
  bool why = false;
  for (const auto& line : finding.explanation)
    why |= line.rfind("Why it can never resolve", 0) == 0;
  CHECK(why);
}

TEST_CASE("deadlock: negative twin, both threads take the locks in one order", "[deadlock]") {
  Script s;
  s.thread(1, "main").mutex(1, 10, "a").mutex(1, 11, "b");
  s.thread(2, "t", 1).thread(3, "t", 1);
  s.at(1).lock(2, 10).lock(2, 11).unlock(2, 11).unlock(2, 10);
  s.at(2).lock(3, 10).block_lock(2, 10);  // t#1 waits for t#2, which runs
  s.at(3).lock(3, 11);
  s.at(1000).emit(1, EventKind::kMark, 0, s.str("tick"));
  auto analysis = s.analyze();
  CHECK(analysis->report().findings.empty());
  CHECK_FALSE(analysis->report().has_error());
}

TEST_CASE("deadlock: --at before the cycle closes sees none", "[deadlock]") {
  analyzer::AnalyzeOptions options;
  options.at_ns = static_cast<int64_t>(1.5 * kMs);
  auto analysis = abba().analyze(options);
  CHECK(analysis->report().findings.empty());
  CHECK(analysis->report().at_ns == options.at_ns);
}

TEST_CASE("deadlock: relocking a non-recursive mutex by its owner", "[deadlock]") {
  Script s;
  s.thread(1, "worker").mutex(1, 10, "config");
  s.at(1).lock(1, 10, "cfg.cpp:10").block_lock(1, 10, "cfg.cpp:20");
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"deadlock"});
  const auto& finding = analysis->report().findings[0];
  CHECK(agent_names(finding) == std::vector<std::string>{"worker"});
  CHECK(finding.summary == "worker locks mutex \"config\" again while it owns it");
}

TEST_CASE("deadlock: negative twin, a recursive mutex relocked by its owner", "[deadlock]") {
  for (bool as_recorded : {false, true}) {
    Script s;
    s.thread(1, "worker").create(1, 10, ResourceKind::kMutex, "config", format::kMutexRecursive);
    s.at(1).lock(1, 10, "cfg.cpp:10");
    if (as_recorded)  // the recorder's relock: a fast-path kAcquired with depth 2
      s.emit(1, EventKind::kAcquired, 0, 10, 2, s.str("cfg.cpp:20"));
    else  // the positive case's shape: a relock that seems to wait
      s.block_lock(1, 10, "cfg.cpp:20");
    auto analysis = s.analyze();
    CHECK(find_kind(*analysis, FindingKind::kDeadlock) == nullptr);
    CHECK(analysis->report().findings.empty());
    CHECK_FALSE(analysis->report().has_error());
    CHECK(analysis->state().inconsistencies == 0);
  }
}

TEST_CASE("deadlock: writer-preferring rwlock, reader queued behind a writer", "[deadlock]") {
  for (uint64_t preferring : {1u, 0u}) {
    Script s;
    s.thread(1, "reader").thread(2, "writer");
    s.create(1, 10, ResourceKind::kRwLock, "table", preferring);
    s.at(1).acquired(1, 10, "", /*shared=*/true);
    s.at(2).block_lock(2, 10, "", WaitOp::kLock);      // the writer waits for the reader
    s.at(3).block_lock(1, 10, "", WaitOp::kReadLock);  // the reader reads again
    auto analysis = s.analyze();
    if (preferring) {
      REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"deadlock"});
      CHECK(sorted(agent_names(analysis->report().findings[0])) ==
            std::vector<std::string>{"reader", "writer"});
    } else {
      // Without writer preference the second read lock is granted: no finding.
      CHECK(analysis->report().findings.empty());
    }
  }
}

TEST_CASE("deadlock: a join cycle through a lock", "[deadlock]") {
  Script s;
  s.thread(1, "main").mutex(1, 10, "state").thread(2, "worker", 1);
  s.at(1).lock(1, 10).join(1, 2);
  s.at(2).block_lock(2, 10);
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"deadlock"});
  CHECK(analysis->report().findings[0].summary == "2 threads stuck in a lock/join cycle");
}

TEST_CASE("deadlock: negative twin, the lock is released before the join or the worker ends",
          "[deadlock]") {
  {
    // main unlocks before joining: the worker's lock wait has no owner left.
    Script s;
    s.thread(1, "main").mutex(1, 10, "state").thread(2, "worker", 1);
    s.at(1).lock(1, 10).unlock(1, 10).join(1, 2);
    s.at(2).block_lock(2, 10);
    auto analysis = s.analyze();
    CHECK(find_kind(*analysis, FindingKind::kDeadlock) == nullptr);
    CHECK(analysis->report().findings.empty());
    CHECK_FALSE(analysis->report().has_error());
  }
  {
    // main joins while holding the lock, but the worker never needs it: it ends.
    Script s;
    s.thread(1, "main").mutex(1, 10, "state").thread(2, "worker", 1);
    s.at(1).lock(1, 10).join(1, 2);
    s.at(2).thread_end(2);  // main's join is about to return
    auto analysis = s.analyze();
    CHECK(find_kind(*analysis, FindingKind::kDeadlock) == nullptr);
    CHECK(analysis->report().findings.empty());
    CHECK_FALSE(analysis->report().has_error());
  }
}

TEST_CASE("deadlock: a worker thread polling a stuck task is reported with it", "[deadlock]") {
  Script s;
  s.thread(1, "worker").thread(2, "other").mutex(2, 10, "a").mutex(2, 11, "b");
  s.spawn(1, 100, "job");
  s.at(1).poll_begin(1, 100).lock(1, 10);  // the task holds a
  s.lock(2, 11);
  s.at(2).block_lock(2, 10).block_lock(1, 11);  // the task waits for b inside its poll
  auto analysis = s.analyze();
  REQUIRE(find_kind(*analysis, FindingKind::kDeadlock) != nullptr);
  const auto names = agent_names(*find_kind(*analysis, FindingKind::kDeadlock));
  CHECK(std::find(names.begin(), names.end(), "job") != names.end());
  CHECK(std::find(names.begin(), names.end(), "worker") != names.end());  // also stuck
  // A sync wait inside a poll blocks the worker: also a warning.
  CHECK(find_kind(*analysis, FindingKind::kBlockingInAsync) != nullptr);
}

TEST_CASE("deadlock: lost events in the window lower it to a warning", "[deadlock]") {
  Script s = abba();
  s.at(1001).dropped(2, 5, static_cast<int64_t>(1.5 * kMs));
  auto analysis = s.analyze();
  const auto* finding = find_kind(*analysis, FindingKind::kDeadlock);
  REQUIRE(finding != nullptr);
  CHECK(finding->severity == Severity::kWarning);
  CHECK(find_kind(*analysis, FindingKind::kEventsDropped) != nullptr);
  CHECK_FALSE(analysis->report().has_error());
}

}  // namespace taskscope::test
