// Wakers: how a suspended task gets scheduled again.
//
// The runtime follows the poll model of Rust's futures, because that model is
// what the analyzer reasons about: a spawned task runs in *polls* (one resume of
// its coroutine on a worker, recorded by taskscope::PollScope); a poll that
// cannot make progress registers a Waker with whatever it waits on and returns
// pending (`co_await rt::pending()`); whoever makes progress possible calls
// Waker::wake(), which puts the task back on the run queue. A task pending with
// no live Waker anywhere can never run again: that is the lost-wakeup bug the
// analyzer detects from these events:
//
//   Waker::for_current_task(r)  -> kWakerClone(task, b = r)   "registered on r"
//   waker.wake()                -> kWake(task), kWakerDrop     "consumed"
//   a Waker destroyed unused    -> kWakerDrop                  "cancelled"
//
// Writing your own awaitable (see traces/lost_wakeup for a wrong one):
//
//   co_await rt::poll_fn([&] {
//     std::lock_guard lock(flag.mutex);
//     if (flag.ready) return true;
//     flag.waker = rt::Waker::for_current_task(flag.id);  // keep it, or never wake
//     return false;
//   });
#pragma once

#include <atomic>
#include <coroutine>
#include <memory>

#include "taskscope/events.hpp"
#include "taskscope/rt/task.hpp"

namespace taskscope::rt {

class Executor;

namespace detail {

// One spawned task as the executor sees it; shared by the run queue, Wakers and
// join handles. Invariant: the coroutine is resumed by at most one worker at a
// time and only after being taken off the run queue. status_ moves
//   kScheduled -> kRunning (a worker polls it) -> kIdle (pending) or kDone,
//   kIdle -> kScheduled (woken: pushed on the run queue),
//   kRunning -> kNotified (woken during its own poll: re-queued when it ends),
// so a wake that races with the poll that registered the Waker is never lost.
class TaskState : public std::enable_shared_from_this<TaskState> {
 public:
  TaskState(Executor* executor, AgentId id) noexcept : executor_(executor), id_(id) {}
  virtual ~TaskState();
  TaskState(const TaskState&) = delete;
  TaskState& operator=(const TaskState&) = delete;

  AgentId id() const noexcept { return id_; }
  Executor* executor() const noexcept { return executor_; }

  // Makes the task runnable (idempotent while it is already queued).
  void schedule() noexcept;
  // The innermost coroutine to resume at the next poll; set by pending().
  void set_resume_point(std::coroutine_handle<> handle) noexcept { resume_ = handle; }
  std::coroutine_handle<> resume_point() const noexcept { return resume_; }
  // Called by the executor once the coroutine has finished and been destroyed.
  virtual void finish() noexcept = 0;

 private:
  friend class ::taskscope::rt::Executor;
  enum class Status : uint8_t { kIdle, kScheduled, kRunning, kNotified, kDone };

  Executor* const executor_;
  const AgentId id_;
  std::atomic<Status> status_{Status::kScheduled};
  std::coroutine_handle<> root_;    // the spawned coroutine (owned)
  std::coroutine_handle<> resume_;  // where the next poll continues
};

// The task being polled on this thread (null outside a poll); the executor
// sets it around each poll.
TaskState* current_task() noexcept;
void set_current_task(TaskState* task) noexcept;

}  // namespace detail

// A registration to wake one task. Move-only: each live Waker is one "waker
// clone" in the trace, and the analyzer counts live ones to decide whether a
// pending task can ever be woken.
class Waker {
 public:
  Waker() noexcept = default;
  // Registers the task being polled on this thread, waiting on `registered_on`
  // (0 when it waits on no recorded resource). Must be called inside a poll.
  static Waker for_current_task(ResourceId registered_on = 0);

  Waker(Waker&& other) noexcept : task_(std::move(other.task_)) {}
  Waker& operator=(Waker&& other) noexcept;
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  ~Waker() { drop(); }

  // Another registration for the same task (recorded as a new clone).
  Waker clone(ResourceId registered_on = 0) const;
  // Reschedules the task and consumes the Waker. No-op on an empty Waker.
  void wake() noexcept;

  explicit operator bool() const noexcept { return task_ != nullptr; }
  AgentId task() const noexcept { return task_ ? task_->id() : 0; }

 private:
  explicit Waker(std::shared_ptr<detail::TaskState> task, ResourceId registered_on) noexcept;
  void drop() noexcept;

  std::shared_ptr<detail::TaskState> task_;
};

// `co_await rt::pending()` ends the current poll as pending. The task runs
// again only when a Waker registered for it is woken.
struct PendingAwaiter {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> self) const noexcept {
    detail::current_task()->set_resume_point(self);
  }
  void await_resume() const noexcept {}
};
inline PendingAwaiter pending() noexcept { return {}; }

// Awaits a hand-written poll function, Rust's `poll_fn`: `ready()` is called at
// each poll of the task; true ends the wait; false ends the poll pending, and
// then it is up to `ready()` to have registered a Waker with whoever will make
// it true. One that does not is the lost wakeup of traces/lost_wakeup.
template <class Ready>
Task<> poll_fn(Ready ready) {
  while (!ready()) co_await pending();
}

}  // namespace taskscope::rt
