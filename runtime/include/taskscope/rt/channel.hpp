// Async multi-producer multi-consumer channels, bounded or unbounded:
//
//   auto [tx, rx] = rt::make_channel<Page>(16, "results");   // 0 = unbounded
//   bool sent = co_await tx.send(page);      // suspends while full; false: no receiver left
//   std::optional<Page> p = co_await rx.recv();  // suspends while empty; nullopt: drained
//                                                // and no sender left
//
// What is recorded, and what the analyzer makes of it:
//  - make_channel: kResourceCreate(kChannel, b = capacity, name), then one
//    kEndpointOpen per handle. Copying a handle opens another endpoint,
//    destroying one closes it (moving one transfers it, recording nothing); an
//    endpoint passed as an argument to spawn() is recorded as handed to the new
//    task; the first use of a handle by each agent is kEndpointUse. That is how
//    the analyzer knows who could still send or receive.
//  - every send/recv: kChannelSend/kChannelRecv with the depth after it.
//  - a send on a full channel (recv on an empty one) records kWaitBegin(kSend |
//    kRecv) on the task, registers a Waker on the channel and suspends; the
//    task's poll ends pending with the wait open. kWaitEnd(kAcquired | kClosed)
//    follows when it gets room (an item) or the other side is gone. A task
//    stuck in such a wait is what a channel-full cycle is made of.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "taskscope/rt/join.hpp"
#include "taskscope/rt/task.hpp"
#include "taskscope/rt/waker.hpp"

namespace taskscope::rt {
namespace detail {

// The untyped state of one channel. Invariants (with lock() held): depth_ is
// the typed queue's size; senders_/receivers_ count open endpoints per side;
// every task suspended in send (recv) has one Waker in send_waiters_
// (recv_waiters_). A change that may unblock a side wakes it: an item wakes one
// receiver, room wakes one sender, the last endpoint of a side closing wakes
// every waiter of the other side (they then see kClosed).
class ChannelState {
 public:
  enum class Step { kReady, kClosed, kPending };

  ChannelState(std::size_t capacity, std::string_view name);
  virtual ~ChannelState();
  ChannelState(const ChannelState&) = delete;
  ChannelState& operator=(const ChannelState&) = delete;

  ResourceId id() const noexcept { return id_; }
  std::size_t capacity() const noexcept { return capacity_; }
  std::mutex& lock() noexcept { return lock_; }

  EndpointId open_endpoint(EndpointSide side);
  void close_endpoint(EndpointId endpoint, EndpointSide side);

  // With lock() held. kReady: go ahead and push (pop); kClosed: the other side
  // is gone; kPending: the polled task is registered, suspend and retry.
  // `waited` tracks whether this operation's wait has begun (recorded once).
  Step poll_send(bool& waited, StringId where);
  Step poll_recv(bool& waited, StringId where);
  // With lock() held, right after the typed queue gained (lost) one item.
  void pushed(StringId where);
  void popped(StringId where);
  std::size_t depth() const noexcept { return depth_; }

 private:
  std::mutex lock_;
  const std::size_t capacity_;
  const ResourceId id_;
  std::size_t depth_ = 0;
  std::size_t senders_ = 0;
  std::size_t receivers_ = 0;
  std::deque<Waker> send_waiters_;
  std::deque<Waker> recv_waiters_;
};

// A channel's state plus its items: the only per-type piece.
template <class T>
class ChannelQueue final : public ChannelState {
 public:
  using ChannelState::ChannelState;
  std::deque<T> items;  // guarded by lock()
};

// One open endpoint of one side (or nothing, when default-constructed or moved
// from). Invariant: a non-empty Endpoint has exactly one open endpoint id,
// closed exactly once.
class Endpoint {
 public:
  EndpointId endpoint_id() const noexcept { return id_; }
  ResourceId channel_id() const noexcept { return state_ ? state_->id() : 0; }
  explicit operator bool() const noexcept { return state_ != nullptr; }
  // Called by spawn() for endpoints passed as arguments.
  void handed_to(AgentId task) const noexcept {
    if (state_) endpoint_handed(id_, task);
  }

 protected:
  Endpoint() noexcept = default;
  Endpoint(std::shared_ptr<ChannelState> state, EndpointSide side);
  Endpoint(const Endpoint& other);
  Endpoint(Endpoint&& other) noexcept;
  Endpoint& operator=(const Endpoint& other);
  Endpoint& operator=(Endpoint&& other) noexcept;
  ~Endpoint();

  // Records kEndpointUse when an agent uses this handle for the first time
  // (tracked per handle: a handle is used by one agent at a time).
  void note_use() noexcept;
  const std::shared_ptr<ChannelState>& state() const noexcept { return state_; }

 private:
  void close() noexcept;

  std::shared_ptr<ChannelState> state_;
  EndpointId id_ = 0;
  EndpointSide side_ = EndpointSide::kSender;
  AgentId last_user_ = 0;
};

template <class T>
Task<bool> send_to(std::shared_ptr<ChannelQueue<T>> queue, T value, StringId where) {
  bool waited = false;
  for (;;) {
    {
      std::lock_guard<std::mutex> guard(queue->lock());
      const ChannelState::Step step = queue->poll_send(waited, where);
      if (step == ChannelState::Step::kClosed) co_return false;
      if (step == ChannelState::Step::kReady) {
        queue->items.push_back(std::move(value));
        queue->pushed(where);
        co_return true;
      }
    }
    co_await pending();
  }
}

template <class T>
Task<std::optional<T>> recv_from(std::shared_ptr<ChannelQueue<T>> queue, StringId where) {
  bool waited = false;
  for (;;) {
    {
      std::lock_guard<std::mutex> guard(queue->lock());
      const ChannelState::Step step = queue->poll_recv(waited, where);
      if (step == ChannelState::Step::kClosed) co_return std::nullopt;
      if (step == ChannelState::Step::kReady) {
        std::optional<T> item(std::move(queue->items.front()));
        queue->items.pop_front();
        queue->popped(where);
        co_return item;
      }
    }
    co_await pending();
  }
}

}  // namespace detail

template <class T>
class Sender;
template <class T>
class Receiver;
template <class T>
std::pair<Sender<T>, Receiver<T>> make_channel(std::size_t capacity, std::string_view name);

// The sending side of a channel. Copy it to give another agent its own sender;
// the channel closes for receivers when the last copy is gone.
template <class T>
class Sender : public detail::Endpoint {
 public:
  Sender() noexcept = default;
  Task<bool> send(T value, std::source_location loc = std::source_location::current()) {
    note_use();
    return detail::send_to(queue(), std::move(value), detail::where(loc));
  }

 private:
  friend std::pair<Sender<T>, Receiver<T>> make_channel<T>(std::size_t, std::string_view);
  explicit Sender(std::shared_ptr<detail::ChannelQueue<T>> queue)
      : Endpoint(std::move(queue), EndpointSide::kSender) {}
  std::shared_ptr<detail::ChannelQueue<T>> queue() const {
    return std::static_pointer_cast<detail::ChannelQueue<T>>(state());
  }
};

// The receiving side; recv() returns nullopt once the queue is drained and no
// sender is left.
template <class T>
class Receiver : public detail::Endpoint {
 public:
  Receiver() noexcept = default;
  Task<std::optional<T>> recv(std::source_location loc = std::source_location::current()) {
    note_use();
    return detail::recv_from(queue(), detail::where(loc));
  }

 private:
  friend std::pair<Sender<T>, Receiver<T>> make_channel<T>(std::size_t, std::string_view);
  explicit Receiver(std::shared_ptr<detail::ChannelQueue<T>> queue)
      : Endpoint(std::move(queue), EndpointSide::kReceiver) {}
  std::shared_ptr<detail::ChannelQueue<T>> queue() const {
    return std::static_pointer_cast<detail::ChannelQueue<T>>(state());
  }
};

// Creates a channel of at most `capacity` items (0 = unbounded) with its first
// sender and receiver, both opened by the calling agent.
template <class T>
std::pair<Sender<T>, Receiver<T>> make_channel(std::size_t capacity, std::string_view name) {
  auto queue = std::make_shared<detail::ChannelQueue<T>>(capacity, name);
  Sender<T> tx(queue);
  Receiver<T> rx(std::move(queue));
  return {std::move(tx), std::move(rx)};
}

}  // namespace taskscope::rt
