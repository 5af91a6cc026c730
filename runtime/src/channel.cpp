// The untyped half of async channels (see channel.hpp).
#include "taskscope/rt/channel.hpp"

namespace taskscope::rt::detail {

ChannelState::ChannelState(std::size_t capacity, std::string_view name)
    : capacity_(capacity), id_(new_resource_id()) {
  resource_created(id_, ResourceKind::kChannel, name, capacity_);
}

ChannelState::~ChannelState() { resource_destroyed(id_); }

EndpointId ChannelState::open_endpoint(EndpointSide side) {
  const EndpointId endpoint = new_endpoint_id();
  std::lock_guard<std::mutex> guard(lock_);
  ++(side == EndpointSide::kSender ? senders_ : receivers_);
  endpoint_opened(endpoint, id_, side);
  return endpoint;
}

void ChannelState::close_endpoint(EndpointId endpoint, EndpointSide side) {
  std::deque<Waker> orphans;
  {
    std::lock_guard<std::mutex> guard(lock_);
    endpoint_closed(endpoint);
    std::size_t& open = side == EndpointSide::kSender ? senders_ : receivers_;
    // The last endpoint of a side: the other side's waiters can never be
    // served now; they wake up and see kClosed.
    if (--open == 0) orphans.swap(side == EndpointSide::kSender ? recv_waiters_ : send_waiters_);
  }
  for (Waker& waker : orphans) waker.wake();
}

ChannelState::Step ChannelState::poll_send(bool& waited, StringId where) {
  const bool closed = receivers_ == 0;
  if (closed || capacity_ == 0 || depth_ < capacity_) {
    if (waited) wait_end(id_, closed ? WaitOutcome::kClosed : WaitOutcome::kAcquired);
    return closed ? Step::kClosed : Step::kReady;
  }
  if (!waited) {
    wait_begin(id_, WaitOp::kSend, 0, false, where);
    waited = true;
  }
  send_waiters_.push_back(Waker::for_current_task(id_));
  return Step::kPending;
}

ChannelState::Step ChannelState::poll_recv(bool& waited, StringId where) {
  const bool ready = depth_ > 0;
  const bool closed = !ready && senders_ == 0;
  if (ready || closed) {
    if (waited) wait_end(id_, closed ? WaitOutcome::kClosed : WaitOutcome::kAcquired);
    return closed ? Step::kClosed : Step::kReady;
  }
  if (!waited) {
    wait_begin(id_, WaitOp::kRecv, 0, false, where);
    waited = true;
  }
  recv_waiters_.push_back(Waker::for_current_task(id_));
  return Step::kPending;
}

void ChannelState::pushed(StringId where) {
  ++depth_;
  channel_sent(id_, depth_, where);
  if (!recv_waiters_.empty()) {
    Waker next = std::move(recv_waiters_.front());
    recv_waiters_.pop_front();
    next.wake();
  }
}

void ChannelState::popped(StringId where) {
  --depth_;
  channel_received(id_, depth_, where);
  if (!send_waiters_.empty()) {
    Waker next = std::move(send_waiters_.front());
    send_waiters_.pop_front();
    next.wake();
  }
}

Endpoint::Endpoint(std::shared_ptr<ChannelState> state, EndpointSide side)
    : state_(std::move(state)), side_(side) {
  id_ = state_->open_endpoint(side_);
}

Endpoint::Endpoint(const Endpoint& other) : state_(other.state_), side_(other.side_) {
  if (state_) id_ = state_->open_endpoint(side_);
}

Endpoint::Endpoint(Endpoint&& other) noexcept
    : state_(std::move(other.state_)),
      id_(std::exchange(other.id_, 0)),
      side_(other.side_),
      last_user_(std::exchange(other.last_user_, 0)) {}

Endpoint& Endpoint::operator=(const Endpoint& other) {
  if (this != &other) *this = Endpoint(other);
  return *this;
}

Endpoint& Endpoint::operator=(Endpoint&& other) noexcept {
  if (this != &other) {
    close();
    state_ = std::move(other.state_);
    id_ = std::exchange(other.id_, 0);
    side_ = other.side_;
    last_user_ = std::exchange(other.last_user_, 0);
  }
  return *this;
}

Endpoint::~Endpoint() { close(); }

void Endpoint::close() noexcept {
  if (!state_) return;
  state_->close_endpoint(id_, side_);
  state_.reset();
  id_ = 0;
}

void Endpoint::note_use() noexcept {
  if (!state_ || !recording()) return;
  const AgentId agent = current_agent();
  if (agent == last_user_) return;
  last_user_ = agent;
  endpoint_used(id_, side_);
}

}  // namespace taskscope::rt::detail
