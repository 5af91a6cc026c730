// Task<T>: the coroutine type of the reference runtime.
//
//   rt::Task<int> answer() { co_return 42; }
//   rt::Task<> caller() { int x = co_await answer(); ... }
//
// A Task is lazy: its body starts when it is awaited (or spawned, see
// executor.hpp), and when it finishes it resumes its awaiter directly
// (symmetric transfer), so a chain of nested tasks runs inside one poll of the
// spawned task that owns the chain. Nothing in this file records events: only a
// spawned task is an agent; a nested Task is just a function call that may
// suspend.
//
// Compiler note (g++ 12): a loop whose condition is a bare co_await,
// `while (co_await rx.recv())`, is miscompiled: the coroutine's body never
// runs. Bind the result instead: `while (auto item = co_await rx.recv())`.
#pragma once

#include <coroutine>
#include <exception>
#include <utility>
#include <variant>

namespace taskscope::rt {

template <class T = void>
class Task;

namespace detail {

// What every Task promise has: the awaiter to resume at the end, and the
// exception that escaped the body (rethrown to the awaiter).
class PromiseBase {
 public:
  std::suspend_always initial_suspend() const noexcept { return {}; }

  // Resumes the awaiter of the finished task, or returns to the executor.
  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> self) const noexcept {
      std::coroutine_handle<> next = self.promise().continuation_;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() const noexcept { return {}; }

  void unhandled_exception() noexcept { error_ = std::current_exception(); }
  void set_continuation(std::coroutine_handle<> awaiter) noexcept { continuation_ = awaiter; }

 protected:
  void rethrow_if_failed() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::coroutine_handle<> continuation_;
  std::exception_ptr error_;
};

template <class T>
class Promise final : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& value) {
    value_.template emplace<1>(std::forward<U>(value));
  }
  T take() {
    rethrow_if_failed();
    return std::move(std::get<1>(value_));
  }

 private:
  std::variant<std::monostate, T> value_;
};

template <>
class Promise<void> final : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const { rethrow_if_failed(); }
};

}  // namespace detail

// Owns its coroutine frame (destroyed with the Task). Move-only. Invariant: a
// Task is awaited at most once; awaiting it consumes it.
template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(Handle handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (handle_) handle_.destroy();
  }

  explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

  // The awaiter keeps the Task (and so the frame) alive until the result is
  // taken, whatever happens to the expression that produced it.
  class Awaiter {
   public:
    explicit Awaiter(Task task) noexcept : task_(std::move(task)) {}
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
      task_.handle_.promise().set_continuation(awaiter);
      return task_.handle_;
    }
    T await_resume() { return task_.handle_.promise().take(); }

   private:
    Task task_;
  };
  Awaiter operator co_await() && noexcept { return Awaiter(std::move(*this)); }

 private:
  Handle handle_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace taskscope::rt
