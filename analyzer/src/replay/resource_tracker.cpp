#include "trackers.hpp"

namespace taskscope::analyzer::replay {

void ResourceTracker::create(const Event& e) {
  if (e.a == 0) return;
  const bool snapshot = (e.flags & format::kFlagSnapshot) != 0;
  Resource& resource = context_->state().resources.insert(e.a);
  if (!resource.created_seen && resource.first_seen_ns == 0) resource.first_seen_ns = e.ts_ns;
  resource.created_seen = true;
  if (e.op < static_cast<uint8_t>(format::ResourceKind::kBarrier) + 1)
    resource.kind = static_cast<format::ResourceKind>(e.op);
  resource.create_extra = e.b;
  if (e.str != 0) resource.name = e.str;
  if (resource.is_channel()) {
    resource.capacity = e.b;
    if (!snapshot) {
      // Created in the window: every endpoint it will ever have is opened from here on.
      resource.depth = 0;
      resource.depth_known = true;
      resource.endpoints_known = resource.endpoints.empty();
    }
  }
}

void ResourceTracker::destroy(const Event& e) {
  Resource* resource = context_->state().resources.find(e.a);
  if (resource == nullptr) return;
  // Keep it while anything still refers to it (a destroy racing its last use).
  if (resource->waiters > 0 || resource->owner != 0 || !resource->readers.empty() ||
      !resource->unit_holders.empty() || !resource->endpoints.empty())
    return;
  State& state = context_->state();
  if (resource->name != 0 && state.destroyed_names.size() < State::kRememberDestroyedNames)
    state.destroyed_names.emplace(e.a, std::make_pair(resource->kind, resource->name));
  state.resources.erase(e.a);
}

}  // namespace taskscope::analyzer::replay
