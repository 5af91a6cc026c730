// channel_full_cycle: senders blocked on a full channel whose only receiver
// waits for them.
#include <algorithm>
#include <catch2/catch.hpp>

#include "script.hpp"
#include "taskscope/analyzer/report.hpp"

namespace taskscope::test {

using analyzer::FindingKind;
using analyzer::Severity;

namespace {

// aggregator#1 owns the receiver of "results" (capacity 2) and joins `joined`;
// fetch#1 and fetch#2 send into it. `fetch2_blocked`: fetch#2 is blocked too.
Script pipeline(bool receiver_used, AgentId joined, bool fetch2_blocked) {
  Script s;
  s.thread(1, "aggregator");
  s.channel(1, 20, "results", 2);
  s.open(1, 100, 20, false).open(1, 101, 20, true).open(1, 102, 20, false);
  s.thread(2, "fetch", 1).thread(3, "fetch", 1);
  s.hand(1, 100, 2).hand(1, 102, 3);
  if (receiver_used) s.use(1, 101, true).recv(1, 20, 0);
  s.at(1).use(2, 100, false).send(2, 20, 1).send(2, 20, 2);
  s.at(2).wait_begin(2, 20, WaitOp::kSend);
  if (fetch2_blocked) s.use(3, 102, false).wait_begin(3, 20, WaitOp::kSend);
  s.at(3).join(1, joined);
  s.at(500).emit(1, EventKind::kMark, 0, s.str("tick"));
  return s;
}

}  // namespace

TEST_CASE("channel_full_cycle: the receiver joins a sender blocked on the full channel",
          "[channel_full_cycle]") {
  auto analysis = pipeline(true, 2, true).analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"channel_full_cycle"});
  const auto& finding = analysis->report().findings[0];
  CHECK(finding.severity == Severity::kError);
  CHECK(sorted(agent_names(finding)) ==
        std::vector<std::string>{"aggregator", "fetch#1", "fetch#2"});
  CHECK(finding.summary ==
        "2 threads can never run again: a cycle through full channel \"results\"");
  bool shows_depth = false;
  for (const auto& line : taskscope::analyzer::cycle_diagram(finding))
    shows_depth |= line.find("2/2 full") != std::string::npos;
  CHECK(shows_depth);
  // The cycle's receiver edge says, as data, how the aggregator holds the
  // receiving end: it received through it, the channel's one item so far.
  const auto receiver = std::find_if(
      finding.wait_edges.begin(), finding.wait_edges.end(), [](const analyzer::FindingWait& w) {
        return w.in_cycle && w.reason == analyzer::WaitReason::kReceiver;
      });
  REQUIRE(receiver != finding.wait_edges.end());
  REQUIRE(receiver->endpoint);
  CHECK(receiver->endpoint->strength == "used");
  CHECK(receiver->endpoint->items == 1);
  CHECK(receiver->endpoint->last_ns >= 0);
  const auto results =
      std::find_if(finding.resources.begin(), finding.resources.end(),
                   [](const analyzer::ResourceRef& r) { return r.name == "results"; });
  REQUIRE(results != finding.resources.end());
  CHECK(results->named);
}

TEST_CASE("channel_full_cycle: a receiver only handed the channel is drawn as handed",
          "[channel_full_cycle]") {
  auto analysis = pipeline(false, 2, true).analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"channel_full_cycle"});
  const auto& finding = analysis->report().findings[0];
  for (const auto& wait : finding.wait_edges)
    if (wait.reason == analyzer::WaitReason::kReceiver) {
      REQUIRE(wait.endpoint);
      CHECK(wait.endpoint->strength != "used");
      CHECK(wait.endpoint->items == 0);
    }
  const auto diagram = analyzer::cycle_diagram(finding);
  CHECK(std::any_of(diagram.begin(), diagram.end(), [](const std::string& line) {
    return line.find("receiver: aggregator (") != std::string::npos &&
           line.find("received through it") == std::string::npos;
  }));
}

TEST_CASE("channel_full_cycle: negative twin, the joined sender is still runnable",
          "[channel_full_cycle]") {
  // fetch#1 is blocked on the full channel, but the aggregator joins fetch#2,
  // which runs: it will finish, the aggregator will drain, fetch#1 will proceed.
  auto analysis = pipeline(true, 3, false).analyze();
  CHECK(analysis->report().findings.empty());
}

TEST_CASE("channel_full_cycle: a receiver known only by creation gives a warning",
          "[channel_full_cycle]") {
  auto analysis = pipeline(false, 2, true).analyze();
  REQUIRE(kinds_of(*analysis) == std::vector<std::string>{"channel_full_cycle"});
  const auto& finding = analysis->report().findings[0];
  CHECK(finding.severity == Severity::kWarning);
  bool states_assumption = false;
  for (const auto& line : finding.explanation)
    states_assumption |= line.rfind("Assuming aggregator still holds the receiver", 0) == 0;
  CHECK(states_assumption);
  CHECK_FALSE(analysis->report().has_error());
}

}  // namespace taskscope::test
