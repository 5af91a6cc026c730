// The untyped machinery of taskscope channels: endpoint counting, blocking on
// full/empty, and the events the analyzer replays (see taskscope/channel.hpp).
#include "taskscope/channel.hpp"

#include <string_view>

namespace taskscope::detail {

// ---- ChannelCore ----

ChannelCore::ChannelCore(std::size_t capacity, const char* name) noexcept
    : capacity_(capacity), id_(new_resource_id()) {
  resource_created(id_, ResourceKind::kChannel,
                   name != nullptr ? std::string_view(name) : std::string_view(),
                   static_cast<uint64_t>(capacity));
}

ChannelCore::~ChannelCore() { resource_destroyed(id_); }

EndpointId ChannelCore::open_endpoint(EndpointSide side) noexcept {
  std::lock_guard<std::mutex> guard(lock_);
  ++(side == EndpointSide::kSender ? senders_ : receivers_);
  const EndpointId endpoint = new_endpoint_id();
  endpoint_opened(endpoint, id_, side);
  return endpoint;
}

void ChannelCore::close_endpoint(EndpointId endpoint, EndpointSide side) noexcept {
  std::lock_guard<std::mutex> guard(lock_);
  endpoint_closed(endpoint);
  // The last endpoint of a side going away is what turns the other side's
  // blocked operations into kClosed outcomes: wake them all to notice.
  if (side == EndpointSide::kSender) {
    if (--senders_ == 0 && blocked_receivers_ > 0) item_.notify_all();
  } else {
    if (--receivers_ == 0 && blocked_senders_ > 0) room_.notify_all();
  }
}

bool ChannelCore::wait_for_room(std::unique_lock<std::mutex>& guard, bool block,
                                const std::source_location& loc, StringId* where) {
  if (receivers_ == 0) return false;
  if (has_room()) return true;
  if (!block) return false;
  *where = recording() ? intern_location(loc) : 0;
  wait_begin(id_, WaitOp::kSend, 0, false, *where);
  ++blocked_senders_;
  room_.wait(guard, [this] { return receivers_ == 0 || has_room(); });
  --blocked_senders_;
  const bool open = receivers_ > 0;
  wait_end(id_, open ? WaitOutcome::kAcquired : WaitOutcome::kClosed);
  return open;
}

bool ChannelCore::wait_for_item(std::unique_lock<std::mutex>& guard, bool block,
                                const std::source_location& loc, StringId* where) {
  if (depth_ > 0) return true;
  if (!block || senders_ == 0) return false;
  *where = recording() ? intern_location(loc) : 0;
  wait_begin(id_, WaitOp::kRecv, 0, false, *where);
  ++blocked_receivers_;
  item_.wait(guard, [this] { return depth_ > 0 || senders_ == 0; });
  --blocked_receivers_;
  const bool got_item = depth_ > 0;
  wait_end(id_, got_item ? WaitOutcome::kAcquired : WaitOutcome::kClosed);
  return got_item;
}

void ChannelCore::pushed(StringId where) noexcept {
  ++depth_;
  channel_sent(id_, depth_, where);
  if (blocked_receivers_ > 0) item_.notify_one();
}

void ChannelCore::popped(StringId where) noexcept {
  --depth_;
  channel_received(id_, depth_, where);
  if (blocked_senders_ > 0) room_.notify_one();
}

// ---- Endpoint ----

Endpoint::Endpoint(std::shared_ptr<ChannelCore> core, EndpointSide side) noexcept
    : core_(std::move(core)), side_(side) {
  if (core_) id_ = core_->open_endpoint(side_);
}

Endpoint::Endpoint(const Endpoint& other) noexcept : core_(other.core_), side_(other.side_) {
  // A copy is a new endpoint, opened by the copying agent; no agent has used it.
  if (core_) id_ = core_->open_endpoint(side_);
}

Endpoint::Endpoint(Endpoint&& other) noexcept
    : core_(std::move(other.core_)),
      id_(std::exchange(other.id_, 0)),
      side_(other.side_),
      last_user_(other.last_user_.exchange(0, std::memory_order_relaxed)) {}

Endpoint& Endpoint::operator=(const Endpoint& other) noexcept {
  if (this == &other) return *this;
  close();
  core_ = other.core_;
  side_ = other.side_;
  if (core_) id_ = core_->open_endpoint(side_);
  return *this;
}

Endpoint& Endpoint::operator=(Endpoint&& other) noexcept {
  if (this == &other) return *this;
  close();
  core_ = std::move(other.core_);
  id_ = std::exchange(other.id_, 0);
  side_ = other.side_;
  last_user_.store(other.last_user_.exchange(0, std::memory_order_relaxed),
                   std::memory_order_relaxed);
  return *this;
}

Endpoint::~Endpoint() { close(); }

void Endpoint::close() noexcept {
  if (!core_) return;
  core_->close_endpoint(id_, side_);
  core_.reset();
  id_ = 0;
  last_user_.store(0, std::memory_order_relaxed);
}

void Endpoint::note_use_recording() noexcept {
  const AgentId me = current_agent();
  // Relaxed is enough: the value only deduplicates events; two agents racing on
  // one shared handle at worst both record their (genuine) first use.
  if (last_user_.load(std::memory_order_relaxed) == me) return;
  if (last_user_.exchange(me, std::memory_order_relaxed) == me) return;
  endpoint_used(id_, side_);
}

}  // namespace taskscope::detail
