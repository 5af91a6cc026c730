// The wait-for graph and its AND-OR reduction.
#include <catch2/catch.hpp>

#include "script.hpp"

namespace taskscope::test {

using analyzer::NodeStatus;

TEST_CASE("reduction: OR waits need only one free target", "[graph]") {
  // Two receivers of a full channel: one is stuck, one runs. The sender may go on.
  Script s;
  s.thread(1, "sender").thread(2, "r1").thread(3, "r2").mutex(1, 10, "m");
  s.channel(1, 20, "q", 1).open(1, 100, 20, false).open(2, 101, 20, true).open(3, 102, 20, true);
  s.use(1, 100, false).use(2, 101, true).use(3, 102, true);
  s.lock(1, 10).send(1, 20, 1).wait_begin(1, 20, WaitOp::kSend);
  s.block_lock(2, 10);  // r1 waits for the sender's mutex
  auto analysis = s.analyze();
  CHECK(analysis->stuck().empty());
  const auto& graph = analysis->graph();
  const auto sender = graph.index_of(1);
  REQUIRE(sender);
  CHECK(graph.node(*sender).status == NodeStatus::kBlocked);
  CHECK(graph.node(*sender).edges.size() == 2);
  CHECK(analysis->report().findings.empty());
}

TEST_CASE("reduction: AND waits need every holder", "[graph]") {
  Script s;
  s.thread(1, "writer").thread(2, "reader1").thread(3, "reader2").mutex(1, 9, "x");
  s.create(1, 10, ResourceKind::kRwLock, "table");
  s.acquired(2, 10, "", true).acquired(3, 10, "", true);
  s.lock(1, 9).block_lock(1, 10);  // the writer waits for both readers
  s.block_lock(2, 9);              // reader1 waits for the writer: stuck pair
  auto analysis = s.analyze();
  // reader2 runs, but AND needs reader1 too: writer and reader1 are stuck.
  CHECK(analysis->stuck().members.size() == 2);
  CHECK(kinds_of(*analysis) == std::vector<std::string>{"deadlock"});
}

TEST_CASE("reduction: I/O, sleeps and unknown holders may progress", "[graph]") {
  Script s;
  s.thread(1, "io").thread(2, "sleeper").thread(3, "locker").thread(4, "joiner");
  s.wait_begin(1, 0, WaitOp::kIo, 3);
  s.sleep(2, 1'000'000);
  s.block_lock(3, 77);  // a lock nobody was seen taking
  s.join(4, 12345);     // an agent never seen
  auto analysis = s.analyze();
  CHECK(analysis->stuck().empty());
  CHECK(analysis->report().findings.empty());
}

TEST_CASE("reduction: ended agents free nothing", "[graph]") {
  Script s;
  s.thread(1, "gone").thread(2, "waiter").mutex(1, 10, "m");
  s.lock(1, 10).thread_end(1).block_lock(2, 10);
  auto analysis = s.analyze();
  REQUIRE(analysis->stuck().members.size() == 1);
  const auto gone = analysis->graph().index_of(1);
  REQUIRE(gone);
  CHECK(analysis->graph().node(*gone).status == NodeStatus::kEnded);
}

}  // namespace taskscope::test
