// lock_order_inversion: GoodLock with gate locks and start/join ordering.
#include <catch2/catch.hpp>

#include "script.hpp"

namespace taskscope::test {

using analyzer::FindingKind;
using analyzer::Severity;

namespace {

Script two_threads() {
  Script s;
  s.thread(1, "main").mutex(1, 10, "a").mutex(1, 11, "b").mutex(1, 12, "gate");
  s.thread(2, "left", 1).thread(3, "right", 1);
  return s;
}

}  // namespace

TEST_CASE("lock_order_inversion: opposite orders in two concurrent threads",
          "[lock_order_inversion]") {
  Script s = two_threads();
  s.at(1).lock(2, 10, "x.cpp:1").lock(2, 11, "x.cpp:2").unlock(2, 11).unlock(2, 10);
  s.at(2).lock(3, 11, "y.cpp:1").lock(3, 10, "y.cpp:2").unlock(3, 10).unlock(3, 11);
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"lock_order_inversion"});
  const auto& finding = analysis->report().findings[0];
  CHECK(finding.severity == Severity::kWarning);
  CHECK(sorted(agent_names(finding)) == std::vector<std::string>{"left", "right"});
  CHECK_FALSE(analysis->report().has_error());
}

TEST_CASE("lock_order_inversion: negative twin, a common gate lock", "[lock_order_inversion]") {
  Script s = two_threads();
  s.at(1).lock(2, 12).lock(2, 10).lock(2, 11).unlock(2, 11).unlock(2, 10).unlock(2, 12);
  s.at(2).lock(3, 12).lock(3, 11).lock(3, 10).unlock(3, 10).unlock(3, 11).unlock(3, 12);
  CHECK(s.analyze()->report().findings.empty());
}

TEST_CASE("lock_order_inversion: negative twin, ordered by join then start",
          "[lock_order_inversion]") {
  Script s;
  s.thread(1, "main").mutex(1, 10, "a").mutex(1, 11, "b");
  s.thread(2, "first", 1);
  s.at(1).lock(2, 10).lock(2, 11).unlock(2, 11).unlock(2, 10);
  s.at(2).join(1, 2).thread_end(2).joined(1, 2);
  s.at(3).thread(3, "second", 1);
  s.at(4).lock(3, 11).lock(3, 10).unlock(3, 10).unlock(3, 11);
  CHECK(s.analyze()->report().findings.empty());
}

TEST_CASE("lock_order_inversion: a sibling created before a join but started after it",
          "[lock_order_inversion]") {
  // main creates both threads back to back, then joins the first; the second
  // gets the CPU only after that join. It was created before the join, so the
  // two threads are concurrent and their opposite orders can deadlock.
  Script s;
  s.thread(1, "main").mutex(1, 10, "a").mutex(1, 11, "b");
  s.at(1).create_thread(1, 2, "main.c:30").create_thread(1, 3, "main.c:31");
  s.at(2).thread(2, "first", 1);
  s.at(3).lock(2, 10).lock(2, 11).unlock(2, 11).unlock(2, 10);
  s.at(4).join(1, 2).thread_end(2).joined(1, 2);
  s.at(5).thread(3, "second", 1);
  s.at(6).lock(3, 11).lock(3, 10).unlock(3, 10).unlock(3, 11);
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"lock_order_inversion"});
  CHECK(agent_names(analysis->report().findings[0]) ==
        std::vector<std::string>{"first", "second"});
}

TEST_CASE("lock_order_inversion: negative twin, the sibling created after the join",
          "[lock_order_inversion]") {
  Script s;
  s.thread(1, "main").mutex(1, 10, "a").mutex(1, 11, "b");
  s.at(1).create_thread(1, 2, "main.c:30");
  s.at(2).thread(2, "first", 1);
  s.at(3).lock(2, 10).lock(2, 11).unlock(2, 11).unlock(2, 10);
  s.at(4).join(1, 2).thread_end(2).joined(1, 2);
  s.at(5).create_thread(1, 3, "main.c:31").thread(3, "second", 1);
  s.at(6).lock(3, 11).lock(3, 10).unlock(3, 10).unlock(3, 11);
  CHECK(s.analyze()->report().findings.empty());
}

TEST_CASE("lock_order_inversion: negative twin, one consistent order across threads",
          "[lock_order_inversion]") {
  Script s = two_threads();
  s.at(1).lock(2, 10).lock(2, 11).unlock(2, 11).unlock(2, 10);
  s.at(2).lock(3, 10).lock(3, 11).unlock(3, 11).unlock(3, 10);
  CHECK(s.analyze()->report().findings.empty());
}

TEST_CASE("lock_order_inversion: negative twin, both orders in the same thread",
          "[lock_order_inversion]") {
  Script s = two_threads();
  s.at(1).lock(2, 10).lock(2, 11).unlock(2, 11).unlock(2, 10);
  s.at(2).lock(2, 11).lock(2, 10).unlock(2, 10).unlock(2, 11);
  CHECK(s.analyze()->report().findings.empty());
}

TEST_CASE("lock_order_inversion: a try-lock cannot deadlock", "[lock_order_inversion]") {
  Script s = two_threads();
  s.at(1).lock(2, 10).lock(2, 11).unlock(2, 11).unlock(2, 10);
  s.at(2).lock(3, 11).emit(3, EventKind::kAcquired, 0, 10, 0, 0, format::kFlagTry);
  CHECK(s.analyze()->report().findings.empty());
}

TEST_CASE("lock_order_inversion: a three-lock cycle", "[lock_order_inversion]") {
  Script s = two_threads();
  s.thread(4, "third", 1);
  s.at(1).lock(2, 10).lock(2, 11).unlock(2, 11).unlock(2, 10);
  s.at(2).lock(3, 11).lock(3, 12).unlock(3, 12).unlock(3, 11);
  s.at(3).lock(4, 12).lock(4, 10).unlock(4, 10).unlock(4, 12);
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"lock_order_inversion"});
  CHECK(analysis->report().findings[0].agents.size() == 3);
}

TEST_CASE("lock_order_inversion: negative twin, three locks in one consistent order",
          "[lock_order_inversion]") {
  Script s = two_threads();
  s.thread(4, "third", 1);
  s.at(1).lock(2, 10).lock(2, 11).unlock(2, 11).unlock(2, 10);
  s.at(2).lock(3, 11).lock(3, 12).unlock(3, 12).unlock(3, 11);
  s.at(3).lock(4, 10).lock(4, 12).unlock(4, 12).unlock(4, 10);  // a before gate, as a < b < gate
  auto analysis = s.analyze();
  CHECK(find_kind(*analysis, FindingKind::kLockOrderInversion) == nullptr);
  CHECK(analysis->report().findings.empty());
  CHECK_FALSE(analysis->report().has_error());
}

TEST_CASE("lock_order_inversion: not reported again when it did deadlock",
          "[lock_order_inversion]") {
  Script s = two_threads();
  s.at(1).lock(2, 10).lock(3, 11);
  s.at(2).block_lock(2, 11).block_lock(3, 10);
  auto analysis = s.analyze();
  CHECK(kinds_of(*analysis) == std::vector<std::string>{"deadlock"});
}

}  // namespace taskscope::test
