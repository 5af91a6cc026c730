// Instrumented synchronisation primitives: drop-in replacements for std::mutex,
// std::shared_mutex, std::condition_variable and std::counting_semaphore that
// record ownership and waits (taskscope/format/event.hpp) while a session runs.
//
// Recording conventions shared by every primitive here:
//  - The constructor records kResourceCreate with a fresh resource id and the
//    optional name; the destructor records kResourceDestroy.
//  - An acquisition that succeeds on the first try is one kAcquired event (a
//    mutex's may be deferred and its pair left out: docs/architecture.md,
//    "Uncontended locks"). One that has to block is kWaitBegin,
//    kWaitEnd(kAcquired), then kAcquired: the
//    wait pair only brackets the blocking, ownership changes only via
//    kAcquired/kReleased.
//  - kReleased is recorded before the primitive is actually released and
//    kAcquired after it is actually obtained, so that in time order a resource
//    never appears to have two exclusive owners.
//  - With recording off they behave exactly like the std primitives they wrap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <source_location>

#include "taskscope/events.hpp"

namespace taskscope {

class condition_variable;
namespace detail {
class CondWaitScope;
}  // namespace detail

// A non-recursive exclusive lock (Lockable, so it works with std::lock_guard,
// std::unique_lock and std::scoped_lock). lock() is out of line on purpose: its
// return address and frame then lie in the caller, and a contended acquisition
// records the call chain from there (intern_call_chain), so that the report
// names the program's line even when the caller is std::lock_guard's
// constructor compiled into an unoptimised program.
class mutex {
 public:
  explicit mutex(const char* name = nullptr) noexcept;
  ~mutex();
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;

  void lock();
  bool try_lock() noexcept;
  void unlock() noexcept;

  ResourceId resource_id() const noexcept { return id_; }

 private:
  friend class detail::CondWaitScope;
  // Acquires, recording a contended acquisition at `where`.
  void lock_at(StringId where);

  std::mutex native_;
  ResourceId id_;
};

// A reader-writer lock (Lockable and SharedLockable). Exclusive acquisitions are
// recorded with LockMode::kExclusive and wait op kLock, shared ones with
// LockMode::kShared and wait op kReadLock. Created as a kRwLock resource that is
// not writer-preferring (glibc's default pthread rwlock prefers readers).
class shared_mutex {
 public:
  explicit shared_mutex(const char* name = nullptr) noexcept;
  ~shared_mutex();
  shared_mutex(const shared_mutex&) = delete;
  shared_mutex& operator=(const shared_mutex&) = delete;

  void lock();
  bool try_lock() noexcept;
  void unlock() noexcept;
  void lock_shared();
  bool try_lock_shared() noexcept;
  void unlock_shared() noexcept;

  ResourceId resource_id() const noexcept { return id_; }

 private:
  std::shared_mutex native_;
  ResourceId id_;
};

namespace detail {

// What waiters of one condition_variable share. Kept behind a shared_ptr so that
// a waiter woken by notify_all may still finish its wait after the
// condition_variable itself has been destroyed (which the standard allows).
// Invariant: `waiters` counts threads between CondWaitScope construction and
// finish(); it is only touched with `lock` held.
struct CondState {
  std::mutex lock;
  std::condition_variable cv;
  uint64_t waiters = 0;
};

// One wait on a condition_variable, from giving up the user's mutex to taking it
// back. The internal lock is taken before the user's mutex is released and held
// until the native wait releases it atomically, so a notify issued after the
// release always finds the waiter (no lost wakeup), and the kNotify event's
// waiter count is exact relative to the kWaitBegin events.
class CondWaitScope {
 public:
  CondWaitScope(const std::shared_ptr<CondState>& state, ResourceId cv,
                std::unique_lock<mutex>& user, bool timed, const std::source_location& loc);
  // Finishes as kNotified if finish() was not called (e.g. a clock threw).
  ~CondWaitScope();
  CondWaitScope(const CondWaitScope&) = delete;
  CondWaitScope& operator=(const CondWaitScope&) = delete;

  std::condition_variable& native() const noexcept { return state_->cv; }
  std::unique_lock<std::mutex>& internal() noexcept { return internal_; }
  // Records the outcome and re-acquires the user's mutex.
  void finish(WaitOutcome outcome);

 private:
  std::shared_ptr<CondState> state_;
  std::unique_lock<std::mutex> internal_;
  std::unique_lock<mutex>& user_;
  ResourceId cv_;
  StringId where_ = 0;
  bool finished_ = false;
};

}  // namespace detail

// A condition variable for std::unique_lock<taskscope::mutex>. A wait records
// kReleased(mutex), kWaitBegin(cv, kCondWait, b = mutex id, timed flag for
// wait_for/wait_until), kWaitEnd(cv, kNotified | kTimedOut), then re-acquires the
// mutex like lock() does. notify_one/notify_all record kNotify with the number of
// threads waiting at that moment, which the analyzer needs to tell a lost wakeup
// (notify with nobody waiting) from a delivered one.
class condition_variable {
 public:
  explicit condition_variable(const char* name = nullptr);
  ~condition_variable();
  condition_variable(const condition_variable&) = delete;
  condition_variable& operator=(const condition_variable&) = delete;

  void notify_one() noexcept;
  void notify_all() noexcept;

  void wait(std::unique_lock<mutex>& lock,
            const std::source_location& loc = std::source_location::current());

  template <class Predicate>
  void wait(std::unique_lock<mutex>& lock, Predicate pred,
            const std::source_location& loc = std::source_location::current()) {
    while (!pred()) wait(lock, loc);
  }

  template <class Clock, class Duration>
  std::cv_status wait_until(std::unique_lock<mutex>& lock,
                            const std::chrono::time_point<Clock, Duration>& deadline,
                            const std::source_location& loc = std::source_location::current()) {
    detail::CondWaitScope scope(state_, id_, lock, /*timed=*/true, loc);
    const std::cv_status status = scope.native().wait_until(scope.internal(), deadline);
    scope.finish(status == std::cv_status::timeout ? WaitOutcome::kTimedOut
                                                   : WaitOutcome::kNotified);
    return status;
  }

  template <class Clock, class Duration, class Predicate>
  bool wait_until(std::unique_lock<mutex>& lock,
                  const std::chrono::time_point<Clock, Duration>& deadline, Predicate pred,
                  const std::source_location& loc = std::source_location::current()) {
    while (!pred()) {
      if (wait_until(lock, deadline, loc) == std::cv_status::timeout) return pred();
    }
    return true;
  }

  template <class Rep, class Period>
  std::cv_status wait_for(std::unique_lock<mutex>& lock,
                          const std::chrono::duration<Rep, Period>& timeout,
                          const std::source_location& loc = std::source_location::current()) {
    return wait_until(lock, deadline_after(timeout), loc);
  }

  template <class Rep, class Period, class Predicate>
  bool wait_for(std::unique_lock<mutex>& lock, const std::chrono::duration<Rep, Period>& timeout,
                Predicate pred, const std::source_location& loc = std::source_location::current()) {
    return wait_until(lock, deadline_after(timeout), std::move(pred), loc);
  }

  ResourceId resource_id() const noexcept { return id_; }

 private:
  template <class Rep, class Period>
  static std::chrono::steady_clock::time_point deadline_after(
      const std::chrono::duration<Rep, Period>& timeout) {
    return std::chrono::steady_clock::now() +
           std::chrono::ceil<std::chrono::steady_clock::duration>(timeout);
  }
  void notify(NotifyKind kind) noexcept;

  std::shared_ptr<detail::CondState> state_;
  ResourceId id_;
};

// A counting semaphore (not a template: a name is all users need to tell
// semaphores apart, and a plain type can be a data member without CTAD).
// acquire() records kAcquired(kExclusive, b = 1 unit), or when it has to block
// kWaitBegin(kAcquire, b = 1) / kWaitEnd / kAcquired; release(n) records
// kSemPost(n) before the units become available. Invariant: `count_` >= 0 and
// changes only under `lock_`.
class counting_semaphore {
 public:
  explicit counting_semaphore(std::ptrdiff_t initial, const char* name = nullptr) noexcept;
  ~counting_semaphore();
  counting_semaphore(const counting_semaphore&) = delete;
  counting_semaphore& operator=(const counting_semaphore&) = delete;

  static constexpr std::ptrdiff_t max() noexcept { return PTRDIFF_MAX; }

  void acquire(const std::source_location& loc = std::source_location::current());
  bool try_acquire() noexcept;
  void release(std::ptrdiff_t update = 1);

  template <class Rep, class Period>
  bool try_acquire_for(const std::chrono::duration<Rep, Period>& timeout,
                       const std::source_location& loc = std::source_location::current()) {
    return try_acquire_until(std::chrono::steady_clock::now() +
                                 std::chrono::ceil<std::chrono::steady_clock::duration>(timeout),
                             loc);
  }

  template <class Clock, class Duration>
  bool try_acquire_until(const std::chrono::time_point<Clock, Duration>& deadline,
                         const std::source_location& loc = std::source_location::current()) {
    std::unique_lock<std::mutex> guard(lock_);
    if (take_one(/*try_only=*/true)) return true;
    const StringId where = begin_wait(/*timed=*/true, loc);
    const bool ok = available_.wait_until(guard, deadline, [this] { return count_ > 0; });
    end_wait(ok, where);
    return ok;
  }

  ResourceId resource_id() const noexcept { return id_; }

 private:
  // Takes a unit if one is free, recording the fast-path kAcquired. Needs lock_.
  bool take_one(bool try_only) noexcept;
  // Record the blocking path around a wait on `available_`; end_wait takes the
  // unit when `acquired_unit`. Both need lock_.
  StringId begin_wait(bool timed, const std::source_location& loc) noexcept;
  void end_wait(bool acquired_unit, StringId where) noexcept;

  std::mutex lock_;
  std::condition_variable available_;
  std::ptrdiff_t count_;
  uint64_t waiters_ = 0;
  ResourceId id_;
};

}  // namespace taskscope
