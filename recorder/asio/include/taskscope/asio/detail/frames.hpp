// What the handler tracking reads from Asio's coroutine frames: which
// awaitable thread (co_spawned coroutine) a frame runs on, and the function of
// the coroutine that thread was spawned with, to name its task.
#pragma once

#include <coroutine>
#include <type_traits>

namespace boost::asio::detail {
template <typename Executor>
class awaitable_frame_base;
}  // namespace boost::asio::detail

namespace taskscope::asio::detail {

// True for the frame pointer Asio's use_awaitable initiation has in scope.
template <class T>
struct IsAwaitableFrame : std::false_type {};
template <class Executor>
struct IsAwaitableFrame<boost::asio::detail::awaitable_frame_base<Executor>*> : std::true_type {};

// Reads the protected links of an awaitable frame through member pointers
// named in a derived class (no object of this type is ever made).
template <class Executor>
struct FrameLinks : boost::asio::detail::awaitable_frame_base<Executor> {
  using Base = boost::asio::detail::awaitable_frame_base<Executor>;

  // The bottom frame of the awaitable thread `frame` runs on: one per
  // co_spawned coroutine, for as long as it lives. nullptr when detached.
  static const void* entry(Base* frame) noexcept {
    auto* thread = frame->*(&FrameLinks::attached_thread_);
    return thread == nullptr ? nullptr : static_cast<const void*>(thread->entry_point());
  }

  // The resume function of the coroutine the thread was spawned with (the
  // frame just above co_spawn's entry point), which the analyzer symbolizes
  // into the coroutine's name; nullptr while only Asio's own frames are on
  // the thread (co_spawn's first dispatch).
  static const void* spawned_function(Base* frame) noexcept {
    Base* below = caller(frame);
    if (below == nullptr) return nullptr;
    Base* top = frame;
    while (caller(below) != nullptr) {
      top = below;
      below = caller(below);
    }
    if (top == frame) return nullptr;
    void* address = (top->*(&FrameLinks::coro_)).address();
    // A coroutine frame begins with its resume function (GCC and Clang).
    return address == nullptr ? nullptr : *static_cast<void* const*>(address);
  }

  // True when `frame` (an operation's initiation) was awaited by the spawned
  // coroutine itself: the operation's tracked location is in its code.
  static bool awaited_by_spawned(Base* frame) noexcept {
    Base* awaiting = caller(frame);
    Base* entry = awaiting == nullptr ? nullptr : caller(awaiting);
    return entry != nullptr && caller(entry) == nullptr;
  }

 private:
  static Base* caller(Base* frame) noexcept { return frame->*(&FrameLinks::caller_); }
};

}  // namespace taskscope::asio::detail
