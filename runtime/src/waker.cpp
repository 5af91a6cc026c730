// Wakers, the task status machine and join completion (see waker.hpp, join.hpp).
#include "taskscope/rt/waker.hpp"

#include <stdexcept>

#include "taskscope/rt/executor.hpp"
#include "taskscope/rt/join.hpp"

namespace taskscope::rt {
namespace detail {

namespace {
thread_local TaskState* tl_current_task = nullptr;
}  // namespace

TaskState* current_task() noexcept { return tl_current_task; }

// Set by the executor around each poll.
void set_current_task(TaskState* task) noexcept { tl_current_task = task; }

TaskState::~TaskState() {
  if (root_) root_.destroy();
}

void TaskState::schedule() noexcept {
  Status status = status_.load(std::memory_order_acquire);
  for (;;) {
    switch (status) {
      case Status::kIdle:
        if (status_.compare_exchange_weak(status, Status::kScheduled, std::memory_order_acq_rel)) {
          executor_->enqueue(shared_from_this());
          return;
        }
        break;
      case Status::kRunning:
        // Woken during its own poll (typically from another thread right after
        // it registered): the worker re-queues it when the poll ends.
        if (status_.compare_exchange_weak(status, Status::kNotified, std::memory_order_acq_rel))
          return;
        break;
      case Status::kScheduled:
      case Status::kNotified:
      case Status::kDone:
        return;
    }
  }
}

bool Completion::finished() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return finished_;
}

bool Completion::register_joiner() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return false;
  joiners_.push_back(Waker::for_current_task());
  return true;
}

bool Completion::wait_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (deadline == std::chrono::steady_clock::time_point::max()) {
    finished_cv_.wait(lock, [this] { return finished_; });
    return true;
  }
  return finished_cv_.wait_until(lock, deadline, [this] { return finished_; });
}

void Completion::finish() noexcept {
  std::vector<Waker> joiners;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
    joiners.swap(joiners_);
  }
  finished_cv_.notify_all();
  for (Waker& joiner : joiners) joiner.wake();
}

bool wait_from_thread(Completion& cell, std::chrono::steady_clock::time_point deadline, bool timed,
                      StringId where) {
  if (cell.finished()) return true;
  wait_begin(cell.id(), WaitOp::kJoin, 0, timed, where);
  const bool finished = cell.wait_until(deadline);
  wait_end(cell.id(), finished ? WaitOutcome::kCompleted : WaitOutcome::kTimedOut);
  return finished;
}

}  // namespace detail

Waker::Waker(std::shared_ptr<detail::TaskState> task, ResourceId registered_on) noexcept
    : task_(std::move(task)) {
  waker_cloned(task_->id(), registered_on);
}

Waker Waker::for_current_task(ResourceId registered_on) {
  detail::TaskState* task = detail::current_task();
  if (task == nullptr)
    throw std::logic_error("taskscope::rt::Waker::for_current_task called outside a task");
  return Waker(task->shared_from_this(), registered_on);
}

Waker& Waker::operator=(Waker&& other) noexcept {
  if (this != &other) {
    drop();
    task_ = std::move(other.task_);
  }
  return *this;
}

Waker Waker::clone(ResourceId registered_on) const {
  return task_ ? Waker(task_, registered_on) : Waker();
}

void Waker::wake() noexcept {
  if (!task_) return;
  // Recorded before scheduling, so the wake precedes the poll it causes.
  woke(task_->id());
  waker_dropped(task_->id());
  std::shared_ptr<detail::TaskState> task = std::move(task_);
  task->schedule();
}

void Waker::drop() noexcept {
  if (!task_) return;
  waker_dropped(task_->id());
  task_.reset();
}

}  // namespace taskscope::rt
