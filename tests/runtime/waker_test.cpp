// Wakers and the task status machine: a task runs again only when woken, a
// wake during its own poll is not lost, and poll_fn re-polls until ready.
#include "taskscope/rt/waker.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "taskscope/rt/executor.hpp"
#include "taskscope/rt/time.hpp"

namespace rt = taskscope::rt;

namespace {

// A flag a task can await, with the Waker kept correctly.
struct Flag {
  std::mutex mutex;
  bool set = false;
  rt::Waker waker;
  int polls = 0;

  void raise() {
    rt::Waker waiter;
    {
      std::lock_guard<std::mutex> lock(mutex);
      set = true;
      waiter = std::move(waker);
    }
    waiter.wake();
  }
  bool poll() {
    std::lock_guard<std::mutex> lock(mutex);
    ++polls;
    if (set) return true;
    waker = rt::Waker::for_current_task();
    return false;
  }
};

rt::Task<int> await_flag(Flag* flag) {
  co_await rt::poll_fn([flag] { return flag->poll(); });
  co_return flag->polls;
}

}  // namespace

TEST_CASE("a pending task runs again when its waker is woken", "[waker]") {
  rt::Executor executor(2);
  Flag flag;
  auto handle = executor.spawn("waiter", await_flag, &flag);
  // Wait (without timing assumptions) until the task has registered its waker.
  for (;;) {
    std::lock_guard<std::mutex> lock(flag.mutex);
    if (flag.waker) break;
  }
  CHECK_FALSE(handle.finished());
  flag.raise();
  CHECK(handle.wait() == 2);  // polled once pending, once ready
}

TEST_CASE("a wake from another thread racing with the poll is not lost", "[waker]") {
  rt::Executor executor(2);
  for (int round = 0; round < 200; ++round) {
    Flag flag;
    auto handle = executor.spawn("waiter", await_flag, &flag);
    std::thread raiser([&flag] { flag.raise(); });
    // A lost wake leaves the task pending for good: wait a bounded time so that
    // it fails here, with the round, instead of hanging the test.
    const bool finished = handle.wait_for(std::chrono::seconds(5));
    raiser.join();
    if (!finished) FAIL("round " << round << ": the task was not run again within 5 s of its wake");
    CHECK(handle.finished());
  }
}

TEST_CASE("waking oneself inside a poll re-queues the task", "[waker]") {
  rt::Executor executor(1);
  auto handle = executor.spawn("self", []() -> rt::Task<int> {
    int polls = 0;
    co_await rt::poll_fn([&polls] {
      if (++polls == 3) return true;
      rt::Waker::for_current_task().wake();
      return false;
    });
    co_return polls;
  });
  CHECK(handle.wait() == 3);
}

TEST_CASE("a Waker is move-only and wakes once", "[waker]") {
  rt::Waker empty;
  CHECK_FALSE(empty);
  CHECK(empty.task() == 0);
  empty.wake();  // no-op
  CHECK_THROWS_AS(rt::Waker::for_current_task(), std::logic_error);
}
