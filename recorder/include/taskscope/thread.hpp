// An instrumented std::thread that names itself and records who spawned it:
//
//   taskscope::thread worker("collector", collect, std::move(rx));
//   worker.join();  // a recorded wait on the worker
//
// Recorded events: the spawner allocates the new thread's agent id and records
// kEndpointHand for every channel endpoint passed as an argument; the new thread
// records kThreadStart (parent = spawning agent, name) before running the
// function; join() records kWaitBegin(kJoin, a = the thread's agent) and
// kWaitEnd(kCompleted). Use taskscope::set_thread_name (events.hpp) to name a
// thread that was not started this way.
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <source_location>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>

#include "taskscope/channel.hpp"
#include "taskscope/events.hpp"

namespace taskscope {
namespace detail {

// The function and arguments a thread runs, behind a virtual call so that the
// start-up code stays out of line whatever the callable's type.
class ThreadBody {
 public:
  virtual ~ThreadBody() = default;
  virtual void run() = 0;
};

template <class Bound>
class BoundThreadBody final : public ThreadBody {
 public:
  explicit BoundThreadBody(Bound bound) : bound_(std::move(bound)) {}
  // Like std::thread: the decayed copies are invoked as rvalues.
  void run() override {
    std::apply([](auto&... parts) { std::invoke(std::move(parts)...); }, bound_);
  }

 private:
  Bound bound_;
};

// Records that `argument` is handed to `agent` when it is a channel endpoint.
template <class A>
void hand_if_endpoint(const A& argument, AgentId agent) noexcept {
  if constexpr (std::is_base_of_v<Endpoint, A>) {
    if (argument) endpoint_handed(argument.endpoint_id(), agent);
  }
}

}  // namespace detail

// A thread's name and the place that creates it, captured where the
// taskscope::thread constructor is called (the creation's kThreadCreate site).
struct ThreadName {
  template <class S>
  requires std::convertible_to<const S&, std::string_view> ThreadName(
      const S& text, std::source_location loc = std::source_location::current())
  noexcept : name(text), location(loc) {}
  std::string_view name;
  std::source_location location;
};

// Same contract as std::thread (a joinable thread must be joined or detached
// before destruction), plus a name and an agent id fixed before the thread
// runs. Arguments are decay-copied on the spawning thread, as std::thread does,
// so an endpoint passed by copy is opened by the spawner and handed to the new
// thread under the id the new thread will actually use. Endpoints reachable only
// through lambda captures are invisible here; the analyzer then falls back on
// the weaker "created/copied by" attribution.
class thread {
 public:
  using id = std::thread::id;
  using native_handle_type = std::thread::native_handle_type;

  thread() noexcept = default;

  template <class F, class... Args>
  requires std::is_invocable_v<std::decay_t<F>, std::decay_t<Args>...>
  explicit thread(ThreadName name, F&& f, Args&&... args) {
    using Bound = std::tuple<std::decay_t<F>, std::decay_t<Args>...>;
    Bound bound(std::forward<F>(f), std::forward<Args>(args)...);
    const AgentId child = new_agent_id();
    std::apply([child](const auto&... parts) { (detail::hand_if_endpoint(parts, child), ...); },
               bound);
    start(name, child, std::make_unique<detail::BoundThreadBody<Bound>>(std::move(bound)));
  }

  thread(thread&& other) noexcept
      : native_(std::move(other.native_)), agent_(std::exchange(other.agent_, 0)) {}
  // Like std::thread: assigning over a joinable thread calls std::terminate.
  thread& operator=(thread&& other) noexcept {
    native_ = std::move(other.native_);
    agent_ = std::exchange(other.agent_, 0);
    return *this;
  }
  thread(const thread&) = delete;
  thread& operator=(const thread&) = delete;
  ~thread() = default;

  bool joinable() const noexcept { return native_.joinable(); }
  void join(const std::source_location& loc = std::source_location::current());
  void detach() { native_.detach(); }
  id get_id() const noexcept { return native_.get_id(); }
  native_handle_type native_handle() { return native_.native_handle(); }
  void swap(thread& other) noexcept {
    native_.swap(other.native_);
    std::swap(agent_, other.agent_);
  }
  // The agent id the thread's events carry (0 for a default-constructed thread).
  AgentId agent_id() const noexcept { return agent_; }

  static unsigned int hardware_concurrency() noexcept {
    return std::thread::hardware_concurrency();
  }

 private:
  void start(const ThreadName& name, AgentId child, std::unique_ptr<detail::ThreadBody> body);

  std::thread native_;
  AgentId agent_ = 0;
};

}  // namespace taskscope
