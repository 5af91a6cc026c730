// The async mutex: mutual exclusion across workers, and waiters resuming in turn.
#include "taskscope/rt/mutex.hpp"

#include <catch2/catch.hpp>
#include <vector>

#include "taskscope/rt/executor.hpp"
#include "taskscope/rt/time.hpp"

namespace rt = taskscope::rt;

namespace {

// Increments with a suspension inside the critical section, so that without
// the lock other tasks would interleave and lose updates.
rt::Task<> increment(rt::Mutex* mutex, int* counter, int times) {
  for (int i = 0; i < times; ++i) {
    auto guard = co_await mutex->lock();
    const int seen = *counter;
    co_await rt::yield_now();
    *counter = seen + 1;
  }
}

}  // namespace

TEST_CASE("the mutex excludes tasks running on different workers", "[mutex]") {
  rt::Executor executor(2);
  rt::Mutex mutex("counter");
  int counter = 0;
  std::vector<rt::JoinHandle<void>> tasks;
  for (int i = 0; i < 4; ++i)
    tasks.push_back(executor.spawn("inc", increment, &mutex, &counter, 50));
  for (auto& task : tasks) task.wait();
  CHECK(counter == 200);
}

TEST_CASE("a waiting task gets the mutex after the holder unlocks", "[mutex]") {
  rt::Executor executor(1);
  rt::Mutex mutex("turns");
  std::vector<int> order;
  // Both are spawned from a task, so both are queued before either runs.
  executor.block_on("both", [](rt::Mutex* mutex, std::vector<int>* order) -> rt::Task<> {
    auto holder = rt::spawn(
        "holder",
        [](rt::Mutex* m, std::vector<int>* order) -> rt::Task<> {
          auto guard = co_await m->lock();
          order->push_back(1);
          co_await rt::yield_now();  // the waiter runs now and has to wait
          order->push_back(2);
        },
        mutex, order);
    auto waiter = rt::spawn(
        "waiter",
        [](rt::Mutex* m, std::vector<int>* order) -> rt::Task<> {
          auto guard = co_await m->lock();
          order->push_back(3);
        },
        mutex, order);
    co_await holder.join();
    co_await waiter.join();
  }(&mutex, &order));
  CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("a guard unlocks once, also when moved", "[mutex]") {
  rt::Executor executor(1);
  rt::Mutex mutex("moved");
  auto handle = executor.spawn(
      "mover",
      [](rt::Mutex* m) -> rt::Task<bool> {
        rt::Mutex::Guard outer;
        {
          auto guard = co_await m->lock();
          outer = std::move(guard);
        }
        const bool held = static_cast<bool>(outer);
        outer.unlock();
        auto again = co_await m->lock();  // would never return if still locked
        co_return held && !outer;
      },
      &mutex);
  CHECK(handle.wait());
}
