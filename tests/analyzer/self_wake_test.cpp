// self_wake: tasks that mostly wake themselves.
#include <catch2/catch.hpp>

#include "script.hpp"

namespace taskscope::test {

using analyzer::FindingKind;

namespace {

Script yielding(AgentId waker) {
  Script s;
  s.thread(1, "worker").thread(2, "io").spawn(1, 100, "spinner");
  for (int i = 0; i < 20; ++i) {
    s.at(1 + i).poll_begin(1, 100).waker_clone(1, 100);
    if (waker == 100) s.wake(1, 100);  // inside its own poll
    s.poll_end(1, 100, true);
    if (waker != 100) s.wake(waker, 100);
    s.waker_drop(1, 100);
  }
  return s;
}

}  // namespace

TEST_CASE("self_wake: a task that wakes itself every time", "[self_wake]") {
  auto analysis = yielding(100).analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"self_wake"});
  CHECK(analysis->report().findings[0].summary == "task spinner woke itself 20 of 20 times");
}

TEST_CASE("self_wake: negative twin, woken by another agent", "[self_wake]") {
  auto analysis = yielding(2).analyze();
  CHECK(analysis->report().findings.empty());
}

}  // namespace taskscope::test
