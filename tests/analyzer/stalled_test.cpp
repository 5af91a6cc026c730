// stalled: blocked longer than --stall, classified, never when provably stuck.
#include <catch2/catch.hpp>

#include "script.hpp"

namespace taskscope::test {

using analyzer::FindingKind;

namespace {

Script reading(double ms) {
  Script s;
  s.thread(1, "poller");
  s.at(1).wait_begin(1, 0, WaitOp::kIo, 5);
  s.at(1 + ms).emit(1, EventKind::kMark, 0, s.str("tick"));
  return s;
}

}  // namespace

TEST_CASE("stalled: blocked on I/O past the threshold", "[stalled]") {
  auto analysis = reading(2500).analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"stalled"});
  CHECK(analysis->report().findings[0].summary ==
        "poller stalled on io for 2.5 s: waiting for I/O on fd 5");
  CHECK_FALSE(analysis->report().has_error());
}

TEST_CASE("stalled: an I/O wait says which operation it waits for", "[stalled]") {
  for (const auto& [op, phrase] : std::vector<std::pair<format::IoOp, std::string>>{
           {format::IoOp::kRead, "waiting to read from fd 5"},
           {format::IoOp::kAccept, "waiting to accept a connection on fd 5"},
           {format::IoOp::kConnect, "waiting to connect fd 5"}}) {
    Script s;
    s.thread(1, "poller");
    s.at(1).emit(1, EventKind::kWaitBegin, static_cast<uint8_t>(WaitOp::kIo), 0, 5, 0,
                 format::io_op_flags(op));
    s.at(2501).emit(1, EventKind::kMark, 0, s.str("tick"));
    auto analysis = s.analyze();
    REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"stalled"});
    CHECK(analysis->report().findings[0].summary == "poller stalled on io for 2.5 s: " + phrase);
  }
}

TEST_CASE("stalled: negative twins, short wait or a larger --stall", "[stalled]") {
  CHECK(reading(500).analyze()->report().findings.empty());
  analyzer::AnalyzeOptions options;
  options.stall_ns = 5'000 * kMs;
  CHECK(reading(2500).analyze(options)->report().findings.empty());
}

TEST_CASE("stalled: a lock held by a running thread", "[stalled]") {
  Script s;
  s.thread(1, "holder").thread(2, "waiter").mutex(1, 10, "big");
  s.at(1).lock(1, 10).block_lock(2, 10);
  s.at(3000).emit(1, EventKind::kMark, 0, s.str("tick"));
  auto analysis = s.analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"stalled"});
  CHECK(analysis->report().findings[0].summary.rfind("waiter stalled on lock for 3.0 s", 0) == 0);
}

TEST_CASE("stalled: negative twins, a short lock wait or the lock handed over", "[stalled]") {
  {
    // The same wait, checked after 0.5 s, or against a 5 s --stall.
    Script s;
    s.thread(1, "holder").thread(2, "waiter").mutex(1, 10, "big");
    s.at(1).lock(1, 10).block_lock(2, 10);
    s.at(500).emit(1, EventKind::kMark, 0, s.str("tick"));
    CHECK(s.analyze()->report().findings.empty());
    s.at(3000).emit(1, EventKind::kMark, 0, s.str("tick"));
    analyzer::AnalyzeOptions options;
    options.stall_ns = 5'000 * kMs;
    CHECK(s.analyze(options)->report().findings.empty());
  }
  {
    // The holder releases it and the waiter acquires it.
    Script s;
    s.thread(1, "holder").thread(2, "waiter").mutex(1, 10, "big");
    s.at(1).lock(1, 10).block_lock(2, 10);
    s.at(200).unlock(1, 10).wait_end(2, 10, WaitOutcome::kAcquired).acquired(2, 10);
    s.at(3000).emit(1, EventKind::kMark, 0, s.str("tick"));
    auto analysis = s.analyze();
    CHECK(find_kind(*analysis, FindingKind::kStalled) == nullptr);
    CHECK(analysis->report().findings.empty());
  }
}

}  // namespace taskscope::test
