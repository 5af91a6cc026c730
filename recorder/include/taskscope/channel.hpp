// Instrumented multi-producer multi-consumer channels:
//
//   auto [tx, rx] = taskscope::make_channel<Job>(64, "jobs");  // 0 = unbounded
//   tx.send(job);          // blocks while full; false once every receiver is gone
//   auto job = rx.recv();  // blocks while empty; nullopt once every sender is gone
//                          // and the queue is drained
//
// Sender and Receiver are endpoint handles. Copying one opens another endpoint of
// the same side, destroying one closes it, moving one transfers it (the moved-from
// handle is empty and closes nothing). The recorder notes, for the analyzer's
// "who could still send or receive" question, every endpoint open and close, the
// first use of an endpoint by each new agent, and endpoints handed to a
// taskscope::thread as arguments (see thread.hpp).
//
// Only the typed queue lives in the templates below; endpoint counting, blocking
// and event emission are in the untyped ChannelCore (channel.cpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <utility>

#include "taskscope/events.hpp"

namespace taskscope {
namespace detail {

// The untyped state of one channel: capacity, depth, live endpoints per side,
// the threads blocked on each side, and the resource id its events carry.
// Invariants (with `lock` held): depth() equals the typed queue's size;
// senders_/receivers_ count the open endpoints of each side; a thread blocked in
// wait_for_room/wait_for_item is counted in blocked_senders_/blocked_receivers_,
// so a state change notifies only when someone can be woken. Events are recorded
// under the lock, so depths and wait outcomes appear in a consistent order.
class ChannelCore {
 public:
  ChannelCore(std::size_t capacity, const char* name) noexcept;
  virtual ~ChannelCore();
  ChannelCore(const ChannelCore&) = delete;
  ChannelCore& operator=(const ChannelCore&) = delete;

  ResourceId id() const noexcept { return id_; }
  std::size_t capacity() const noexcept { return capacity_; }
  std::mutex& lock() noexcept { return lock_; }

  // Endpoint bookkeeping; each takes the lock itself.
  EndpointId open_endpoint(EndpointSide side) noexcept;
  void close_endpoint(EndpointId endpoint, EndpointSide side) noexcept;

  // The operations below need `guard` to hold lock().
  // Sending: true when there is room and a receiver; with `block`, waits for
  // room (recording kWaitBegin(kSend) ... kWaitEnd) and sets *where to the
  // interned call site when it had to block.
  bool wait_for_room(std::unique_lock<std::mutex>& guard, bool block,
                     const std::source_location& loc, StringId* where);
  // Receiving: true when an item is queued; with `block`, waits while the queue
  // is empty and some sender is alive (kWaitBegin(kRecv) ... kWaitEnd).
  bool wait_for_item(std::unique_lock<std::mutex>& guard, bool block,
                     const std::source_location& loc, StringId* where);
  // Called right after the typed queue gained or lost one item.
  void pushed(StringId where) noexcept;
  void popped(StringId where) noexcept;
  std::size_t depth() const noexcept { return depth_; }

 private:
  bool has_room() const noexcept { return capacity_ == 0 || depth_ < capacity_; }

  std::mutex lock_;
  std::condition_variable room_;  // senders wait here
  std::condition_variable item_;  // receivers wait here
  const std::size_t capacity_;
  const ResourceId id_;
  std::size_t depth_ = 0;
  std::size_t senders_ = 0;
  std::size_t receivers_ = 0;
  std::size_t blocked_senders_ = 0;
  std::size_t blocked_receivers_ = 0;
};

// A channel's core plus its items; the only per-type piece of state.
template <class T>
class ChannelQueue final : public ChannelCore {
 public:
  using ChannelCore::ChannelCore;
  std::deque<T> items;  // guarded by lock()
};

// What Sender<T> and Receiver<T> share: one open endpoint of one side of a
// channel (or nothing, when default-constructed or moved from). Invariant: an
// Endpoint with a core has exactly one open endpoint id, closed exactly once.
// last_user_ is the agent that last used this handle; it is atomic so that one
// handle shared by reference between threads stays race-free.
class Endpoint {
 public:
  EndpointId endpoint_id() const noexcept { return id_; }
  ResourceId channel_id() const noexcept { return core_ ? core_->id() : 0; }
  explicit operator bool() const noexcept { return core_ != nullptr; }

 protected:
  Endpoint() noexcept = default;
  Endpoint(std::shared_ptr<ChannelCore> core, EndpointSide side) noexcept;
  Endpoint(const Endpoint& other) noexcept;
  Endpoint(Endpoint&& other) noexcept;
  Endpoint& operator=(const Endpoint& other) noexcept;
  Endpoint& operator=(Endpoint&& other) noexcept;
  ~Endpoint();

  // Records kEndpointUse the first time a new agent uses this handle.
  void note_use() noexcept {
    if (recording()) note_use_recording();
  }
  ChannelCore* core() const noexcept { return core_.get(); }

 private:
  void note_use_recording() noexcept;
  void close() noexcept;

  std::shared_ptr<ChannelCore> core_;
  EndpointId id_ = 0;
  EndpointSide side_ = EndpointSide::kSender;
  std::atomic<AgentId> last_user_{0};
};

}  // namespace detail

template <class T>
class Sender;
template <class T>
class Receiver;
template <class T>
std::pair<Sender<T>, Receiver<T>> make_channel(std::size_t capacity = 0,
                                               const char* name = nullptr);

// The sending endpoint of a channel. Records kChannelSend with the depth after
// each successful send; a send that finds the channel full records
// kWaitBegin(kSend) and kWaitEnd(kAcquired | kClosed) around the blocking.
template <class T>
class Sender : public detail::Endpoint {
 public:
  Sender() noexcept = default;

  bool send(T value, const std::source_location& loc = std::source_location::current()) {
    return push(std::move(value), /*block=*/true, loc);
  }
  bool try_send(T value) { return push(std::move(value), /*block=*/false, {}); }

 private:
  friend std::pair<Sender<T>, Receiver<T>> make_channel<T>(std::size_t, const char*);
  explicit Sender(std::shared_ptr<detail::ChannelQueue<T>> queue) noexcept
      : Endpoint(std::move(queue), EndpointSide::kSender) {}

  bool push(T&& value, bool block, const std::source_location& loc) {
    auto* queue = static_cast<detail::ChannelQueue<T>*>(core());
    if (queue == nullptr) return false;
    note_use();
    std::unique_lock<std::mutex> guard(queue->lock());
    StringId where = 0;
    if (!queue->wait_for_room(guard, block, loc, &where)) return false;
    queue->items.push_back(std::move(value));
    queue->pushed(where);
    return true;
  }
};

// The receiving endpoint of a channel. Records kChannelRecv with the depth after
// each item taken; a recv that finds the channel empty records kWaitBegin(kRecv)
// and kWaitEnd(kAcquired | kClosed) around the blocking.
template <class T>
class Receiver : public detail::Endpoint {
 public:
  Receiver() noexcept = default;

  std::optional<T> recv(const std::source_location& loc = std::source_location::current()) {
    return pop(/*block=*/true, loc);
  }
  std::optional<T> try_recv() { return pop(/*block=*/false, {}); }

 private:
  friend std::pair<Sender<T>, Receiver<T>> make_channel<T>(std::size_t, const char*);
  explicit Receiver(std::shared_ptr<detail::ChannelQueue<T>> queue) noexcept
      : Endpoint(std::move(queue), EndpointSide::kReceiver) {}

  std::optional<T> pop(bool block, const std::source_location& loc) {
    auto* queue = static_cast<detail::ChannelQueue<T>*>(core());
    if (queue == nullptr) return std::nullopt;
    note_use();
    std::unique_lock<std::mutex> guard(queue->lock());
    StringId where = 0;
    if (!queue->wait_for_item(guard, block, loc, &where)) return std::nullopt;
    std::optional<T> item(std::move(queue->items.front()));
    queue->items.pop_front();
    queue->popped(where);
    return item;
  }
};

// Creates a channel holding at most `capacity` items (0 = unbounded) and its
// first sender and receiver. Records kResourceCreate(kChannel, b = capacity)
// then kEndpointOpen for the sender and for the receiver.
template <class T>
std::pair<Sender<T>, Receiver<T>> make_channel(std::size_t capacity, const char* name) {
  auto queue = std::make_shared<detail::ChannelQueue<T>>(capacity, name);
  Sender<T> tx(queue);
  Receiver<T> rx(std::move(queue));
  return {std::move(tx), std::move(rx)};
}

}  // namespace taskscope
