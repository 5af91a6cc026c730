// Executor: spawning, joining, results and errors, nesting, shutdown.
#include "taskscope/rt/executor.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "taskscope/rt/time.hpp"

namespace rt = taskscope::rt;

namespace {

rt::Task<int> square(int x) { co_return x* x; }

rt::Task<int> sum_of_squares(int n) {
  int total = 0;
  for (int i = 1; i <= n; ++i) total += co_await square(i);  // nested tasks, no spawn
  co_return total;
}

rt::Task<int> fail() {
  throw std::runtime_error("upstream refused");
  co_return 0;
}

rt::Task<int> fan_out(int tasks) {
  std::vector<rt::JoinHandle<int>> children;
  for (int i = 0; i < tasks; ++i) children.push_back(rt::spawn("child", square, i));
  int total = 0;
  for (auto& child : children) total += co_await child.join();
  co_return total;
}

// Sets a flag when destroyed: shows whether a task's frame was torn down.
struct Witness {
  std::atomic<bool>* destroyed;
  explicit Witness(std::atomic<bool>* flag) : destroyed(flag) {}
  Witness(Witness&& other) noexcept : destroyed(std::exchange(other.destroyed, nullptr)) {}
  ~Witness() {
    if (destroyed) destroyed->store(true);
  }
};

rt::Task<> wait_forever(Witness witness) {
  (void)witness;
  co_await rt::pending();  // registers no Waker: never runs again
}

}  // namespace

TEST_CASE("block_on runs a task to completion and returns its value", "[executor]") {
  rt::Executor executor(2);
  CHECK(executor.worker_count() == 2);
  CHECK(executor.block_on("sum", sum_of_squares(10)) == 385);
}

TEST_CASE("tasks spawned from tasks are joined with their results", "[executor]") {
  rt::Executor executor(2);
  int expected = 0;
  for (int i = 0; i < 100; ++i) expected += i * i;
  CHECK(executor.block_on("fan_out", fan_out(100)) == expected);
}

TEST_CASE("an exception escaping a task is rethrown to its joiner", "[executor]") {
  rt::Executor executor(1);
  auto handle = executor.spawn("fail", fail);
  CHECK_THROWS_WITH(handle.wait(), "upstream refused");
}

TEST_CASE("spawn passes arguments by value and keeps a lambda alive", "[executor]") {
  rt::Executor executor(2);
  const std::string prefix = "GET ";
  auto handle = executor.spawn(
      "handler", [prefix](std::string path) -> rt::Task<std::string> { co_return prefix + path; },
      std::string("/report"));
  CHECK(handle.wait() == "GET /report");
}

TEST_CASE("wait_for reports a task that has not finished", "[executor]") {
  std::atomic<bool> destroyed{false};
  {
    rt::Executor executor(1);
    auto handle = executor.spawn("stuck", wait_forever, Witness(&destroyed));
    CHECK_FALSE(handle.wait_for(std::chrono::milliseconds(1)));
    CHECK_FALSE(handle.finished());
    CHECK_FALSE(destroyed.load());
  }
  // The executor's destructor destroyed the frame of the task that never finished.
  CHECK(destroyed.load());
}

TEST_CASE("Executor::current is the executor only on its workers", "[executor]") {
  rt::Executor executor(1);
  CHECK(rt::Executor::current() == nullptr);
  auto handle = executor.spawn(
      "probe", []() -> rt::Task<rt::Executor*> { co_return rt::Executor::current(); });
  CHECK(handle.wait() == &executor);
}
