// blocked_forever: stuck outside any cycle with no possible unblocker.
#include <catch2/catch.hpp>

#include "script.hpp"

namespace taskscope::test {

using analyzer::FindingKind;
using analyzer::Severity;

TEST_CASE("blocked_forever: a lock owned by a thread that exited", "[blocked_forever]") {
  Script s;
  s.thread(1, "main").mutex(1, 10, "db").thread(2, "loader", 1).thread(3, "reader", 1);
  s.at(1).lock(2, 10, "db.cpp:12").thread_end(2);
  s.at(2).block_lock(3, 10, "db.cpp:30");
  s.at(1000).emit(1, EventKind::kMark, 0, s.str("tick"));
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"blocked_forever"});
  const auto& finding = analysis->report().findings[0];
  CHECK(finding.severity == Severity::kError);
  CHECK(agent_names(finding) == std::vector<std::string>{"reader", "loader"});
  CHECK(finding.summary ==
        "reader waits forever for mutex \"db\": its owner loader exited without releasing it");
}

TEST_CASE("blocked_forever: negative twin, the owner released the lock before exiting",
          "[blocked_forever]") {
  for (bool waits_first : {false, true}) {
    Script s;
    s.thread(1, "main").mutex(1, 10, "db").thread(2, "loader", 1).thread(3, "reader", 1);
    if (waits_first) {
      // The reader queues behind the loader, which unlocks and exits: it gets the lock.
      s.at(1).lock(2, 10, "db.cpp:12").block_lock(3, 10, "db.cpp:30");
      s.at(2).unlock(2, 10).thread_end(2);
      s.wait_end(3, 10, WaitOutcome::kAcquired).acquired(3, 10, "db.cpp:30");
    } else {
      // As the positive case, but the loader unlocks first (the reader's wait
      // is the hand-over in flight).
      s.at(1).lock(2, 10, "db.cpp:12").unlock(2, 10).thread_end(2);
      s.at(2).block_lock(3, 10, "db.cpp:30");
    }
    s.at(1000).emit(1, EventKind::kMark, 0, s.str("tick"));
    auto analysis = s.analyze();
    CHECK(find_kind(*analysis, FindingKind::kBlockedForever) == nullptr);
    CHECK(analysis->report().findings.empty());
    CHECK_FALSE(analysis->report().has_error());
  }
}

TEST_CASE("blocked_forever: a join on a thread stuck outside any cycle", "[blocked_forever]") {
  Script s;
  s.thread(1, "main").mutex(1, 10, "db").thread(2, "loader", 1).thread(3, "reader", 1);
  s.at(1).lock(2, 10).thread_end(2);
  s.at(2).block_lock(3, 10).join(1, 3);
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"blocked_forever"});
  CHECK(agent_names(analysis->report().findings[0]) ==
        std::vector<std::string>{"reader", "loader", "main"});
}

TEST_CASE("blocked_forever: negative twin, a join on a thread that runs or waits on I/O",
          "[blocked_forever]") {
  for (bool on_io : {false, true}) {
    Script s;
    s.thread(1, "main").mutex(1, 10, "db").thread(2, "loader", 1).thread(3, "reader", 1);
    s.at(1).lock(2, 10).thread_end(2);
    if (on_io)
      s.at(2).wait_begin(3, 0, WaitOp::kIo, 5).join(1, 3);
    else
      s.at(2).join(1, 3);  // the reader simply runs
    auto analysis = s.analyze();
    CHECK(find_kind(*analysis, FindingKind::kBlockedForever) == nullptr);
    CHECK(analysis->report().findings.empty());
    CHECK_FALSE(analysis->report().has_error());
  }
}

TEST_CASE("blocked_forever: a receive whose senders are all gone", "[blocked_forever]") {
  Script s;
  s.thread(1, "consumer").channel(1, 20, "jobs", 8);
  s.open(1, 100, 20, true).open(1, 101, 20, false).use(1, 100, true);
  s.at(1).close(1, 101);
  s.at(2).wait_begin(1, 20, WaitOp::kRecv);
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"blocked_forever"});
  CHECK(analysis->report().findings[0].summary ==
        "consumer is receiving from channel \"jobs\" forever: no sender is left");
}

TEST_CASE("blocked_forever: negative twin, the live sender is sleeping", "[blocked_forever]") {
  Script s;
  s.thread(1, "consumer").thread(2, "producer").channel(1, 20, "jobs", 8);
  s.open(1, 100, 20, true).open(1, 101, 20, false).hand(1, 101, 2);
  s.at(1).use(1, 100, true).wait_begin(1, 20, WaitOp::kRecv);
  s.at(2).sleep(2, 5'000 * kMs);
  s.at(100).emit(2, EventKind::kMark, 0, s.str("tick"));
  auto analysis = s.analyze();
  CHECK(analysis->report().findings.empty());
}

TEST_CASE("blocked_forever: an endpoint whose holder ended is not trusted", "[blocked_forever]") {
  // The sender's holder exited without closing it: the handle moved somewhere
  // the recorder cannot see, so the receiver may still get something.
  Script s;
  s.thread(1, "consumer").thread(2, "producer").channel(1, 20, "jobs", 8);
  s.open(1, 100, 20, true).open(1, 101, 20, false).hand(1, 101, 2);
  s.at(1).use(2, 101, false).send(2, 20, 1).thread_end(2);
  s.at(2).use(1, 100, true).recv(1, 20, 0).wait_begin(1, 20, WaitOp::kRecv);
  auto analysis = s.analyze();
  CHECK(analysis->report().findings.empty());
}

namespace {
// All explanation lines of a finding, one per line.
std::string explanation_text(const analyzer::Finding& finding) {
  std::string text;
  for (const auto& line : finding.explanation) text += line + "\n";
  return text;
}
}  // namespace

TEST_CASE("blocked_forever: an owner that left by pthread_exit is shown with the exit site",
          "[blocked_forever]") {
  for (bool by_pthread_exit : {true, false}) {
    Script s;
    s.thread(1, "main").mutex(1, 10, "db").thread(2, "loader", 1).thread(3, "reader", 1);
    s.at(1).lock(2, 10, "db.cpp:12");
    s.emit(2, EventKind::kThreadEnd, 0, 2, 0, by_pthread_exit ? s.str("db.cpp:20 load") : 0);
    s.at(2).block_lock(3, 10, "db.cpp:30");
    s.at(1000).emit(1, EventKind::kMark, 0, s.str("tick"));
    auto analysis = s.analyze();
    REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"blocked_forever"});
    const std::string text = explanation_text(analysis->report().findings[0]);
    INFO(text);
    CHECK((text.find("exited at 0.0010 s by pthread_exit at db.cpp:20 (load)") !=
           std::string::npos) == by_pthread_exit);
    CHECK((text.find("pthread_exit") != std::string::npos) == by_pthread_exit);
  }
}

TEST_CASE("blocked_forever: a join on a detached thread says it was detached",
          "[blocked_forever]") {
  for (bool detached : {true, false}) {
    Script s;
    s.thread(1, "main").mutex(1, 10, "db").thread(2, "loader", 1).thread(3, "reader", 1);
    if (detached) s.emit(1, EventKind::kThreadDetach, 0, 3, 0, s.str("main.cpp:5"));
    s.at(1).lock(2, 10).thread_end(2);
    s.at(2).block_lock(3, 10).join(1, 3);
    auto analysis = s.analyze();
    REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"blocked_forever"});
    const std::string text = explanation_text(analysis->report().findings[0]);
    INFO(text);
    CHECK((text.find("reader was detached at main.cpp:5: a detached thread cannot be joined") !=
           std::string::npos) == detached);
  }
}

}  // namespace taskscope::test
