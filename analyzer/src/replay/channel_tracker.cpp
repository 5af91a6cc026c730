#include <algorithm>

#include "trackers.hpp"

namespace taskscope::analyzer::replay {

namespace {
using format::ResourceKind;
}  // namespace

void ChannelTracker::send(const Event& e, AgentId acting) {
  Resource& channel = context_->resource(e.a, ResourceKind::kChannel, e.ts_ns);
  channel.depth = e.b;
  channel.depth_known = true;
  channel.max_depth = std::max(channel.max_depth, e.b);
  if (e.flags & format::kFlagSnapshot) return;  // a snapshot only sets the depth
  if (channel.first_location == 0) channel.first_location = e.str;
  ++channel.sends;
  channel.last_send_ns = e.ts_ns;
  channel.last_sender = acting;
}

void ChannelTracker::recv(const Event& e, AgentId acting) {
  Resource& channel = context_->resource(e.a, ResourceKind::kChannel, e.ts_ns);
  if (channel.first_location == 0) channel.first_location = e.str;
  channel.depth = e.b;
  channel.depth_known = true;
  ++channel.recvs;
  channel.last_recv_ns = e.ts_ns;
  channel.last_receiver = acting;
}

void ChannelTracker::close(const Event& e) {
  context_->resource(e.a, ResourceKind::kChannel, e.ts_ns).closed = true;
}

void ChannelTracker::endpoint_open(const Event& e, AgentId acting) {
  if (e.a == 0) return;
  const bool snapshot = (e.flags & format::kFlagSnapshot) != 0;
  Resource& channel = context_->resource(e.b, ResourceKind::kChannel, e.ts_ns);
  bool created = false;
  Endpoint& endpoint = context_->state().endpoints.insert(e.a, &created);
  if (!created && endpoint.channel == e.b) return;  // a snapshot repeating a known endpoint
  endpoint.channel = e.b;
  endpoint.side = e.op == static_cast<uint8_t>(format::EndpointSide::kReceiver)
                      ? format::EndpointSide::kReceiver
                      : format::EndpointSide::kSender;
  endpoint.holder = acting;
  endpoint.strength = EndpointStrength::kCreated;
  endpoint.since_ns = e.ts_ns;
  channel.endpoints.push_back(endpoint.id);
  // A snapshot lists every live endpoint of the channels it describes.
  if (snapshot && channel.created_seen) channel.endpoints_known = true;
}

void ChannelTracker::endpoint_close(const Event& e) {
  Endpoint* endpoint = context_->state().endpoints.find(e.a);
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
  context_->state().endpoints.erase(e.a);
}

void ChannelTracker::endpoint_use(const Event& e, AgentId acting) {
  Endpoint* endpoint = context_->state().endpoints.find(e.a);
  if (endpoint == nullptr) {
    context_->mark_partial();
    return;
  }
  // A snapshot lists every agent that used the endpoint, not which used it
  // last: with more than one, who holds it now is not known. A live use settles it.
  const bool snapshot = (e.flags & format::kFlagSnapshot) != 0;
  endpoint->ambiguous =
      snapshot && endpoint->strength == EndpointStrength::kUsed && endpoint->holder != acting;
  endpoint->holder = acting;
  endpoint->strength = EndpointStrength::kUsed;
  endpoint->since_ns = e.ts_ns;
}

void ChannelTracker::endpoint_hand(const Event& e) {
  Endpoint* endpoint = context_->state().endpoints.find(e.a);
  if (endpoint == nullptr) {
    context_->mark_partial();
    return;
  }
  endpoint->holder = e.b;
  endpoint->ambiguous = false;
  endpoint->strength = EndpointStrength::kHanded;
  endpoint->since_ns = e.ts_ns;
}

}  // namespace taskscope::analyzer::replay
