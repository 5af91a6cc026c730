#include <algorithm>

#include "trackers.hpp"

namespace taskscope::model::replay {

namespace {
using format::ResourceKind;
}  // namespace

void ChannelTracker::send(const model::ChannelSend& v, AgentId acting) {
  Resource& channel = context_->resource(v.channel(), ResourceKind::kChannel, v.ts_ns());
  channel.depth = v.depth();
  channel.depth_known = true;
  channel.max_depth = std::max(channel.max_depth, v.depth());
  if (v.snapshot()) return;  // a snapshot only sets the depth
  if (channel.first_location == 0) channel.first_location = v.location();
  ++channel.sends;
  channel.last_send_ns = v.ts_ns();
  channel.last_sender = acting;
}

void ChannelTracker::recv(const model::ChannelRecv& v, AgentId acting) {
  Resource& channel = context_->resource(v.channel(), ResourceKind::kChannel, v.ts_ns());
  if (channel.first_location == 0) channel.first_location = v.location();
  channel.depth = v.depth();
  channel.depth_known = true;
  ++channel.recvs;
  channel.last_recv_ns = v.ts_ns();
  channel.last_receiver = acting;
}

void ChannelTracker::close(const model::ChannelClose& v) {
  context_->resource(v.channel(), ResourceKind::kChannel, v.ts_ns()).closed = true;
}

void ChannelTracker::endpoint_open(const model::EndpointOpen& v, AgentId acting) {
  if (v.endpoint() == 0) return;
  Resource& channel = context_->resource(v.channel(), ResourceKind::kChannel, v.ts_ns());
  bool created = false;
  Endpoint& endpoint = context_->state().endpoints.insert(v.endpoint(), &created);
  if (!created && endpoint.channel == v.channel()) return;  // a snapshot repeating a known one
  endpoint.channel = v.channel();
  endpoint.side = v.side() == format::EndpointSide::kReceiver ? format::EndpointSide::kReceiver
                                                              : format::EndpointSide::kSender;
  endpoint.holder = acting;
  endpoint.strength = EndpointStrength::kCreated;
  endpoint.since_ns = v.ts_ns();
  endpoint.opener = acting;
  endpoint.hander = 0;
  endpoint.handed_to = 0;
  endpoint.users = AgentSet{};
  channel.endpoints.push_back(endpoint.id);
  // A snapshot lists every live endpoint of the channels it describes.
  if (v.snapshot() && channel.created_seen && !channel.endpoints_by_use)
    channel.endpoints_known = true;
}

void ChannelTracker::endpoint_close(const model::EndpointClose& v) {
  Endpoint* endpoint = context_->state().endpoints.find(v.endpoint());
  if (endpoint == nullptr) {
    context_->mark_partial();  // opened before the window
    return;
  }
  if (Resource* channel = context_->state().resources.find(endpoint->channel)) {
    auto& list = channel->endpoints;
    auto it = std::find(list.begin(), list.end(), endpoint->id);
    if (it != list.end()) {
      *it = list.back();
      list.pop_back();
    }
  }
  context_->state().endpoints.erase(v.endpoint());
}

void ChannelTracker::endpoint_use(const model::EndpointUse& v, AgentId acting) {
  Endpoint* endpoint = context_->state().endpoints.find(v.endpoint());
  if (endpoint == nullptr) {
    context_->mark_partial();
    return;
  }
  // A snapshot lists every agent that used the endpoint, not which used it
  // last: with more than one, who holds it now is not known. A live use settles it.
  endpoint->ambiguous =
      v.snapshot() && endpoint->strength == EndpointStrength::kUsed && endpoint->holder != acting;
  endpoint->holder = acting;
  endpoint->strength = EndpointStrength::kUsed;
  endpoint->users.add(acting);
  endpoint->since_ns = v.ts_ns();
}

void ChannelTracker::endpoint_hand(const model::EndpointHand& v, AgentId acting) {
  Endpoint* endpoint = context_->state().endpoints.find(v.endpoint());
  if (endpoint == nullptr) {
    context_->mark_partial();
    return;
  }
  endpoint->holder = v.to();
  endpoint->hander = acting;
  endpoint->handed_to = v.to();
  endpoint->ambiguous = false;
  endpoint->strength = EndpointStrength::kHanded;
  endpoint->since_ns = v.ts_ns();
}

}  // namespace taskscope::model::replay
