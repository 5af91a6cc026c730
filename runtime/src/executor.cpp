// The executor's workers and the poll loop (see executor.hpp).
#include "taskscope/rt/executor.hpp"

#include <string>

#include "taskscope/rt/io.hpp"
#include "taskscope/rt/time.hpp"
#include "thread_name.hpp"

namespace taskscope::rt {

namespace {
thread_local Executor* tl_executor = nullptr;
}  // namespace

Executor::Executor(int workers) {
  if (workers < 1) workers = 1;
  workers_.reserve(static_cast<size_t>(workers));
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this, i] { run_worker(i); });
}

Executor::~Executor() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  {
    // Their threads hold Wakers; stop them before the tasks go away.
    std::lock_guard<std::mutex> lock(services_mutex_);
    timers_.reset();
    io_.reset();
  }
  std::unordered_set<std::shared_ptr<detail::TaskState>> unfinished;
  {
    std::lock_guard<std::mutex> lock(live_mutex_);
    unfinished.swap(live_);
  }
  // Destroying a frame runs the destructors of what the task owned (endpoints,
  // guards), which may try to wake other tasks: enqueue() ignores them now.
  for (const auto& task : unfinished) {
    if (task->root_) {
      task->root_.destroy();
      task->root_ = {};
    }
  }
  run_queue_.clear();
}

Executor* Executor::current() noexcept { return tl_executor; }

void Executor::start(const std::shared_ptr<detail::TaskState>& task, std::coroutine_handle<> root) {
  task->root_ = root;
  task->resume_ = root;
  {
    std::lock_guard<std::mutex> lock(live_mutex_);
    live_.insert(task);
  }
  enqueue(task);  // status_ starts as kScheduled
}

void Executor::enqueue(std::shared_ptr<detail::TaskState> task) {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (stopping_) return;
    run_queue_.push_back(std::move(task));
  }
  queue_cv_.notify_one();
}

void Executor::run_worker(int index) {
  detail::name_this_thread("worker-" + std::to_string(index + 1));
  tl_executor = this;
  for (;;) {
    std::shared_ptr<detail::TaskState> task;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !run_queue_.empty(); });
      if (stopping_) return;
      task = std::move(run_queue_.front());
      run_queue_.pop_front();
    }
    poll(task);
  }
}

void Executor::poll(const std::shared_ptr<detail::TaskState>& task) {
  using Status = detail::TaskState::Status;
  task->status_.store(Status::kRunning, std::memory_order_release);
  bool done = false;
  {
    PollScope scope(task->id());
    detail::set_current_task(task.get());
    task->resume_.resume();
    detail::set_current_task(nullptr);
    done = task->root_.done();
    if (done) {
      // Inside the poll, so that closing the endpoints the task still owned
      // and waking its joiners are attributed to the task itself.
      task->root_.destroy();
      task->root_ = {};
      task->finish();
    } else {
      scope.set_pending();
    }
  }
  if (done) {
    task_ended(task->id());
    task->status_.store(Status::kDone, std::memory_order_release);
    retire(task);
    return;
  }
  Status expected = Status::kRunning;
  if (!task->status_.compare_exchange_strong(expected, Status::kIdle, std::memory_order_acq_rel)) {
    // kNotified: woken while it was still being polled.
    task->status_.store(Status::kScheduled, std::memory_order_release);
    enqueue(task);
  }
}

void Executor::retire(const std::shared_ptr<detail::TaskState>& task) {
  std::lock_guard<std::mutex> lock(live_mutex_);
  live_.erase(task);
}

TimerQueue& Executor::timers() {
  std::lock_guard<std::mutex> lock(services_mutex_);
  if (!timers_) timers_ = std::make_unique<TimerQueue>();
  return *timers_;
}

IoPoller& Executor::io() {
  std::lock_guard<std::mutex> lock(services_mutex_);
  if (!io_) io_ = std::make_unique<IoPoller>();
  return *io_;
}

}  // namespace taskscope::rt
