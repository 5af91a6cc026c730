// Async channels: order, backpressure at capacity, the unbounded variant, and
// what happens when one side goes away.
#include "taskscope/rt/channel.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <vector>

#include "taskscope/rt/executor.hpp"
#include "taskscope/rt/time.hpp"

namespace rt = taskscope::rt;

namespace {

rt::Task<> send_range(rt::Sender<int> tx, int count, int* sent) {
  for (int i = 0; i < count; ++i) {
    co_await tx.send(i);
    ++*sent;
  }
}

rt::Task<std::vector<int>> drain(rt::Receiver<int> rx) {
  std::vector<int> items;
  while (auto item = co_await rx.recv()) items.push_back(*item);
  co_return items;
}

}  // namespace

TEST_CASE("items arrive in order and recv ends when every sender is gone", "[channel]") {
  rt::Executor executor(2);
  auto [tx, rx] = rt::make_channel<int>(4, "numbers");
  int sent = 0;
  auto producer = executor.spawn("producer", send_range, std::move(tx), 100, &sent);
  auto consumer = executor.spawn("consumer", drain, std::move(rx));
  const std::vector<int> items = consumer.wait();
  producer.wait();
  REQUIRE(items.size() == 100);
  for (int i = 0; i < 100; ++i) CHECK(items[static_cast<size_t>(i)] == i);
}

TEST_CASE("a send on a full channel suspends until a receive makes room", "[channel]") {
  // One worker and a FIFO run queue make the interleaving deterministic: the
  // producer runs until it suspends, then the checker runs.
  rt::Executor executor(1);
  auto [tx, rx] = rt::make_channel<int>(2, "bounded");
  int sent = 0;
  auto producer = executor.spawn("producer", send_range, std::move(tx), 3, &sent);
  auto checker = executor.spawn(
      "checker",
      [](rt::Receiver<int> rx, int* sent) -> rt::Task<int> {
        const int before = *sent;  // the producer is suspended on its third send
        auto first = co_await rx.recv();
        co_await rt::yield_now();  // let the woken producer finish its send
        REQUIRE(first);
        CHECK(*first == 0);
        co_return before * 10 + *sent;
      },
      std::move(rx), &sent);
  CHECK(checker.wait() == 23);
  producer.wait();
}

TEST_CASE("an unbounded channel never makes a sender wait", "[channel]") {
  rt::Executor executor(1);
  auto [tx, rx] = rt::make_channel<int>(0, "unbounded");
  int sent = 0;
  executor.spawn("producer", send_range, std::move(tx), 1000, &sent).wait();
  CHECK(sent == 1000);
  CHECK(executor.spawn("consumer", drain, std::move(rx)).wait().size() == 1000);
}

TEST_CASE("send fails once every receiver is gone, also for a waiting sender", "[channel]") {
  rt::Executor executor(1);
  auto [tx, rx] = rt::make_channel<int>(1, "orphan");
  auto sender = executor.spawn(
      "sender",
      [](rt::Sender<int> tx) -> rt::Task<int> {
        const bool first = co_await tx.send(1);   // fits
        const bool second = co_await tx.send(2);  // waits: full
        co_return (first ? 10 : 0) + (second ? 1 : 0);
      },
      std::move(tx));
  // Once the sender is suspended, drop the receiver from a task on the same worker.
  executor
      .spawn(
          "closer",
          [](rt::Receiver<int> rx) -> rt::Task<> {
            rx = rt::Receiver<int>();
            co_return;
          },
          std::move(rx))
      .wait();
  CHECK(sender.wait() == 10);
}

TEST_CASE("copies of a sender keep a channel open until the last one closes", "[channel]") {
  rt::Executor executor(2);
  auto [tx, rx] = rt::make_channel<int>(8, "shared");
  int sent_a = 0, sent_b = 0;
  auto a = executor.spawn("a", send_range, tx, 5, &sent_a);
  auto b = executor.spawn("b", send_range, tx, 5, &sent_b);
  tx = rt::Sender<int>();
  CHECK(executor.spawn("consumer", drain, std::move(rx)).wait().size() == 10);
  a.wait();
  b.wait();
}
