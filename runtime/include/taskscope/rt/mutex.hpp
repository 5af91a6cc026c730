// An async mutex: waiting for it suspends the task, not the worker thread.
//
//   rt::Mutex accounts("accounts");
//   {
//     auto guard = co_await accounts.lock();
//     ...                                     // may co_await while holding it
//   }                                         // unlocked here
//
// Recorded like taskscope::mutex (sync.hpp), with the task as acting agent: an
// uncontended lock is one kAcquired; a contended one is kWaitBegin(kLock),
// kWaitEnd(kAcquired), kAcquired; unlock is kReleased. So the analyzer sees an
// ABBA deadlock between tasks exactly as between threads.
#pragma once

#include <deque>
#include <mutex>
#include <source_location>
#include <string_view>
#include <utility>

#include "taskscope/rt/task.hpp"
#include "taskscope/rt/waker.hpp"

namespace taskscope::rt {

// Invariant: locked_ is true while exactly one Guard owns the mutex; every task
// suspended in lock() has one Waker in waiters_. Unlock wakes the oldest waiter,
// which retries (another task may take the mutex first; it then waits again).
class Mutex {
 public:
  explicit Mutex(std::string_view name = {});
  ~Mutex();
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // Ownership of the mutex; unlocks when destroyed or on unlock().
  class Guard {
   public:
    Guard() noexcept = default;
    Guard(Guard&& other) noexcept : mutex_(std::exchange(other.mutex_, nullptr)) {}
    Guard& operator=(Guard&& other) noexcept {
      if (this != &other) {
        unlock();
        mutex_ = std::exchange(other.mutex_, nullptr);
      }
      return *this;
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { unlock(); }

    void unlock() noexcept {
      if (mutex_ != nullptr) std::exchange(mutex_, nullptr)->unlock();
    }
    explicit operator bool() const noexcept { return mutex_ != nullptr; }

   private:
    friend class Mutex;
    explicit Guard(Mutex* mutex) noexcept : mutex_(mutex) {}
    Mutex* mutex_ = nullptr;
  };

  Task<Guard> lock(std::source_location loc = std::source_location::current());
  ResourceId id() const noexcept { return id_; }

 private:
  // Takes the mutex if free; otherwise registers the polled task as a waiter.
  bool try_take_or_register();
  void unlock() noexcept;

  std::mutex state_;
  bool locked_ = false;
  std::deque<Waker> waiters_;
  const ResourceId id_;
};

}  // namespace taskscope::rt
