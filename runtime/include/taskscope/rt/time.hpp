// Timers: async sleep, and yielding the worker.
//
//   co_await rt::sleep_for(std::chrono::milliseconds(5));
//
// A sleep records kWaitBegin(kSleep, b = duration ns, timed) and kWaitEnd on the
// task, so the analyzer knows it waits for the clock (it "may progress"), never
// for another agent. The wake comes from the executor's timer thread ("timer").
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <source_location>
#include <thread>

#include "taskscope/rt/task.hpp"
#include "taskscope/rt/waker.hpp"

namespace taskscope::rt {

// Wakes registered tasks at their deadlines, from one thread. Invariant: every
// Waker in due_ is woken at or after its deadline, or dropped when the queue is
// destroyed (executor shutdown).
class TimerQueue {
 public:
  TimerQueue();
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  void wake_at(std::chrono::steady_clock::time_point deadline, Waker waker);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::multimap<std::chrono::steady_clock::time_point, Waker> due_;
  bool stopping_ = false;
  std::thread thread_;
};

// Suspends the calling task for at least `duration`.
Task<> sleep_for(std::chrono::nanoseconds duration,
                 std::source_location loc = std::source_location::current());

// Ends the current poll and lets other ready tasks run first.
Task<> yield_now();

}  // namespace taskscope::rt
