// Timers: sleep_for lasts at least its duration without holding a worker;
// yield_now lets the other ready tasks run first.
#include "taskscope/rt/time.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <vector>

#include "taskscope/rt/executor.hpp"

namespace rt = taskscope::rt;
using namespace std::chrono_literals;

TEST_CASE("sleep_for suspends the task for at least the duration", "[time]") {
  rt::Executor executor(1);
  const auto elapsed = executor.block_on("sleeper", []() -> rt::Task<std::chrono::nanoseconds> {
    const auto start = std::chrono::steady_clock::now();
    co_await rt::sleep_for(20ms);
    co_return std::chrono::steady_clock::now() - start;
  }());
  CHECK(elapsed >= 20ms);
}

TEST_CASE("a sleeping task leaves its worker to the others", "[time]") {
  rt::Executor executor(1);  // one worker: the sleeper must not hold it
  std::vector<int> order;
  auto sleeper = executor.spawn(
      "sleeper",
      [](std::vector<int>* order) -> rt::Task<> {
        // Queued before the sleep starts, so it runs first unless the sleep
        // blocked the worker.
        auto other = rt::spawn(
            "other",
            [](std::vector<int>* order) -> rt::Task<> {
              order->push_back(1);
              co_return;
            },
            order);
        co_await rt::sleep_for(30ms);
        order->push_back(2);
        co_await other.join();
      },
      &order);
  sleeper.wait();
  CHECK(order == std::vector<int>{1, 2});
}

TEST_CASE("yield_now runs the other ready tasks first", "[time]") {
  rt::Executor executor(1);
  std::vector<int> order;
  // Both are spawned from a task, so both are queued before either runs.
  executor.block_on("both", [](std::vector<int>* order) -> rt::Task<> {
    auto a = rt::spawn(
        "a",
        [](std::vector<int>* order) -> rt::Task<> {
          order->push_back(1);
          co_await rt::yield_now();
          order->push_back(3);
        },
        order);
    auto b = rt::spawn(
        "b",
        [](std::vector<int>* order) -> rt::Task<> {
          order->push_back(2);
          co_return;
        },
        order);
    co_await a.join();
    co_await b.join();
  }(&order));
  CHECK(order == std::vector<int>{1, 2, 3});
}
