// The timer thread, sleep_for and yield_now (see time.hpp).
#include "taskscope/rt/time.hpp"

#include "taskscope/rt/executor.hpp"
#include "thread_name.hpp"

namespace taskscope::rt {

TimerQueue::TimerQueue() : thread_([this] { run(); }) {}

TimerQueue::~TimerQueue() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void TimerQueue::wake_at(std::chrono::steady_clock::time_point deadline, Waker waker) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    due_.emplace(deadline, std::move(waker));
  }
  changed_.notify_all();
}

void TimerQueue::run() {
  detail::name_this_thread("timer");
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto first = due_.begin();
    if (std::chrono::steady_clock::now() < first->first) {
      changed_.wait_until(lock, first->first);
      continue;
    }
    Waker waker = std::move(first->second);
    due_.erase(first);
    lock.unlock();
    waker.wake();
    lock.lock();
  }
}

Task<> sleep_for(std::chrono::nanoseconds duration, std::source_location loc) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  sleep_begin(static_cast<uint64_t>(duration.count()), detail::where(loc));
  TimerQueue& timers = Executor::current()->timers();
  // Always suspends at least once, even when the deadline has passed by now
  // (a slow poll): an async sleep never ends inside the poll that began it.
  do {
    timers.wake_at(deadline, Waker::for_current_task());
    co_await pending();
  } while (std::chrono::steady_clock::now() < deadline);
  sleep_end();
}

Task<> yield_now() {
  // Woken during its own poll, the task is re-queued behind the ready ones.
  Waker::for_current_task().wake();
  co_await pending();
}

}  // namespace taskscope::rt
