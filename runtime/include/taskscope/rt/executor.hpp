// The executor: N worker threads polling spawned tasks from one run queue.
//
//   rt::Executor executor(2);                        // threads "worker-1", "worker-2"
//   auto h = executor.spawn("accept_loop", accept_loop(listener));
//   h.wait();
//   // inside a task:
//   auto fetch = rt::spawn("fetch", fetch_url, url, results_tx);  // tx is "handed"
//
// What it records, and why (this is the whole instrumentation of scheduling):
//  - spawn: task_spawned(name, call site) with the acting agent as parent, so
//    the analyzer can print spawn chains; then endpoint_handed for every channel
//    endpoint passed as an argument, so it knows the new task holds it.
//  - every resume of a task on a worker is one poll inside a PollScope; a poll
//    that suspends ends pending. Everything the task records meanwhile is
//    attributed to the task, not to the worker thread.
//  - task_ended after the last poll, once the task's frame (and so every
//    endpoint and lock guard it still owned) is destroyed.
#pragma once

#include <concepts>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <source_location>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "taskscope/rt/join.hpp"
#include "taskscope/rt/task.hpp"
#include "taskscope/rt/waker.hpp"

namespace taskscope::rt {

class TimerQueue;
class IoPoller;

// A task's name plus the call site of the spawn that names it. The implicit
// constructor captures the caller's location, which a variadic spawn() could
// not take as a defaulted parameter.
struct TaskName {
  template <class S>
  requires std::convertible_to<const S&, std::string_view> TaskName(
      const S& text, std::source_location loc = std::source_location::current())
  noexcept : name(text), location(loc) {}
  std::string_view name;
  std::source_location location;
};

namespace detail {

// The coroutine an executor actually resumes: it runs the spawned body and
// stores its result in the task's cell. It starts suspended and stays suspended
// at the end, so the executor sees done() and destroys it.
class RootCoroutine {
 public:
  struct promise_type {
    RootCoroutine get_return_object() noexcept {
      return RootCoroutine{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_always final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept { std::terminate(); }
  };
  std::coroutine_handle<> handle;
};

template <class T, class Fn, class... Args>
RootCoroutine run_root(TaskCell<T>* cell, Fn fn, Args... args) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::invoke(std::move(fn), std::move(args)...);
    } else {
      cell->set_value(co_await std::invoke(std::move(fn), std::move(args)...));
    }
  } catch (...) {
    cell->set_error(std::current_exception());
  }
}

// Records that `argument` is handed to `task` when it is a channel endpoint
// (anything with handed_to(AgentId), see channel.hpp).
template <class A>
void hand_if_endpoint(const A& argument, AgentId task) noexcept {
  if constexpr (requires { argument.handed_to(task); }) argument.handed_to(task);
}

template <class R>
struct TaskResult;
template <class T>
struct TaskResult<Task<T>> {
  using type = T;
};

}  // namespace detail

// Polls spawned tasks on N worker threads from one FIFO run queue (FIFO keeps
// single-worker runs deterministic, which the tests rely on). Invariants: a
// task is on the run queue at most once (see TaskState); every spawned task
// that has not ended is in live_, which lets the destructor destroy
// the frames of tasks that never finished (e.g. the stuck ones of a deadlock).
class Executor {
 public:
  explicit Executor(int workers = 2);
  // Stops the workers; tasks that have not finished are destroyed unfinished.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Spawns `fn(args...)`, which must return a Task. Arguments are moved into the
  // task (they live as long as it runs); channel endpoints among them are
  // recorded as handed to the new task.
  template <class Fn, class... Args>
  requires std::invocable<std::decay_t<Fn>, std::decay_t<Args>...>
  auto spawn(TaskName name, Fn&& fn, Args&&... args) {
    using T = typename detail::TaskResult<
        std::invoke_result_t<std::decay_t<Fn>, std::decay_t<Args>...>>::type;
    auto cell = std::make_shared<detail::TaskCell<T>>(this, task_spawned(name.name, name.location));
    // The task's own copies (a copied endpoint is a new endpoint) are what is
    // handed over; moving them into the frame keeps their endpoint ids.
    std::tuple<std::decay_t<Args>...> bound(std::forward<Args>(args)...);
    std::apply([&](const auto&... parts) { (detail::hand_if_endpoint(parts, cell->id()), ...); },
               bound);
    auto root = std::apply(
        [&](auto&... parts) {
          return detail::run_root<T>(cell.get(), std::decay_t<Fn>(std::forward<Fn>(fn)),
                                     std::move(parts)...);
        },
        bound);
    start(cell, root.handle);
    return JoinHandle<T>(std::move(cell));
  }
  // Spawns an already-created task (its arguments were bound by the call that
  // made it, so no endpoint hand-over can be recorded).
  template <class T>
  JoinHandle<T> spawn(TaskName name, Task<T> task) {
    return spawn(
        name, [](Task<T> t) { return t; }, std::move(task));
  }

  // Runs `task` to completion from a thread outside the executor.
  template <class T>
  T block_on(TaskName name, Task<T> task) {
    return spawn(name, std::move(task)).wait(name.location);
  }

  int worker_count() const noexcept { return static_cast<int>(workers_.size()); }
  // The executor whose worker runs the calling thread (null elsewhere).
  static Executor* current() noexcept;

  // Used by Waker: puts a woken task on the run queue.
  void enqueue(std::shared_ptr<detail::TaskState> task);
  // The timer thread and the I/O poller, started on first use.
  TimerQueue& timers();
  IoPoller& io();

 private:
  void start(const std::shared_ptr<detail::TaskState>& task, std::coroutine_handle<> root);
  void run_worker(int index);
  void poll(const std::shared_ptr<detail::TaskState>& task);
  void retire(const std::shared_ptr<detail::TaskState>& task);

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<std::shared_ptr<detail::TaskState>> run_queue_;
  bool stopping_ = false;
  std::mutex live_mutex_;
  std::unordered_set<std::shared_ptr<detail::TaskState>> live_;
  std::mutex services_mutex_;
  std::unique_ptr<TimerQueue> timers_;
  std::unique_ptr<IoPoller> io_;
  std::vector<std::thread> workers_;
};

// Spawns on the executor running the calling task (see Executor::spawn).
template <class Fn, class... Args>
requires std::invocable<std::decay_t<Fn>, std::decay_t<Args>...>
auto spawn(TaskName name, Fn&& fn, Args&&... args) {
  return Executor::current()->spawn(name, std::forward<Fn>(fn), std::forward<Args>(args)...);
}
template <class T>
JoinHandle<T> spawn(TaskName name, Task<T> task) {
  return Executor::current()->spawn(name, std::move(task));
}

}  // namespace taskscope::rt
