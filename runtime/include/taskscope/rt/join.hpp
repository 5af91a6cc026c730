// Join handles: awaiting the end of a spawned task and taking its result.
//
//   rt::JoinHandle<int> h = rt::spawn("worker", compute());
//   int v = co_await h.join();   // in a task: recorded as a kJoin wait on "worker"
//   int v = h.wait();            // on a plain thread outside the executor
//
// A join that has to wait records kWaitBegin(kJoin, a = the joined task) on the
// joining agent and kWaitEnd(kCompleted) when it returns; the analyzer turns it
// into the wait-for edge "joiner waits for joined". A join of a task that has
// already finished records nothing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <utility>
#include <vector>

#include "taskscope/rt/task.hpp"
#include "taskscope/rt/waker.hpp"

namespace taskscope::rt {
namespace detail {

// Interns a call site only while recording (interning costs a lookup).
inline StringId where(const std::source_location& loc) noexcept {
  return recording() ? intern_location(loc) : 0;
}

// The completion side of a task: whether it finished, who waits for that, and
// the exception that escaped it. Invariant: `finished_` goes false -> true once,
// under mutex_, and then every registered joiner is woken exactly once.
class Completion : public TaskState {
 public:
  using TaskState::TaskState;

  bool finished() const;
  // In a poll: registers the polled task to be woken when this one finishes.
  // Returns false (registering nothing) when it has already finished.
  bool register_joiner();
  // Blocks the calling thread until finished or `deadline`; true when finished.
  bool wait_until(std::chrono::steady_clock::time_point deadline);
  // Marks the task finished and wakes its joiners (called once, by the executor).
  void finish() noexcept override;
  void set_error(std::exception_ptr error) noexcept { error_ = std::move(error); }

 protected:
  void rethrow_if_failed() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable finished_cv_;
  bool finished_ = false;
  std::vector<Waker> joiners_;
  std::exception_ptr error_;
};

// A spawned task's state plus its result slot.
template <class T>
class TaskCell final : public Completion {
 public:
  using Completion::Completion;
  template <class U>
  void set_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }
  T take() {
    rethrow_if_failed();
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class TaskCell<void> final : public Completion {
 public:
  using Completion::Completion;
  void take() const { rethrow_if_failed(); }
};

template <class T>
Task<T> join_task(std::shared_ptr<TaskCell<T>> cell, StringId where) {
  if (!cell->finished()) {
    wait_begin(cell->id(), WaitOp::kJoin, 0, false, where);
    while (cell->register_joiner()) co_await pending();
    wait_end(cell->id(), WaitOutcome::kCompleted);
  }
  co_return cell->take();
}

// A thread outside the executor waiting for a task; `timed` when it gives up
// at `deadline`. Returns true when the task finished.
bool wait_from_thread(Completion& cell, std::chrono::steady_clock::time_point deadline, bool timed,
                      StringId where);

}  // namespace detail

// Refers to a spawned task. Copyable; the result can be taken once.
template <class T>
class JoinHandle {
 public:
  JoinHandle() noexcept = default;
  explicit JoinHandle(std::shared_ptr<detail::TaskCell<T>> cell) noexcept
      : cell_(std::move(cell)) {}

  AgentId id() const noexcept { return cell_ ? cell_->id() : 0; }
  bool finished() const { return cell_->finished(); }

  // Awaits the task inside another task.
  Task<T> join(const std::source_location& loc = std::source_location::current()) const {
    return detail::join_task(cell_, detail::where(loc));
  }
  // Blocks a thread that is not a worker of the executor until the task ends.
  T wait(const std::source_location& loc = std::source_location::current()) const {
    detail::wait_from_thread(*cell_, std::chrono::steady_clock::time_point::max(), false,
                             detail::where(loc));
    return cell_->take();
  }
  // Like wait(), giving up after `timeout`; false if the task is still running.
  bool wait_for(std::chrono::nanoseconds timeout,
                const std::source_location& loc = std::source_location::current()) const {
    return detail::wait_from_thread(*cell_, std::chrono::steady_clock::now() + timeout, true,
                                    detail::where(loc));
  }

 private:
  std::shared_ptr<detail::TaskCell<T>> cell_;
};

}  // namespace taskscope::rt
