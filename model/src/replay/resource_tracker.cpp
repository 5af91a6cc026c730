#include "trackers.hpp"

namespace taskscope::model::replay {

void ResourceTracker::create(const model::ResourceCreate& v, AgentId acting) {
  if (v.resource() == 0) return;
  Resource& resource = context_->state().resources.insert(v.resource());
  if (!resource.created_seen && resource.first_seen_ns == 0) resource.first_seen_ns = v.ts_ns();
  resource.created_seen = true;
  resource.destroyed = false;
  resource.creator = acting;
  resource.units_available = v.detail();  // a semaphore's initial (or snapshot) units
  // A kind this build does not know leaves the kind as it was.
  if (v.resource_kind() <= format::ResourceKind::kFutex) resource.kind = v.resource_kind();
  resource.create_extra = v.detail();
  if (v.name() != 0) resource.name = v.name();
  if (resource.is_channel()) {
    resource.capacity = v.capacity();
    if (!v.snapshot()) {
      // Created in the window: every endpoint it will ever have is opened from here on.
      resource.depth = 0;
      resource.depth_known = true;
      resource.endpoints_by_use = v.endpoints_by_use();
      resource.endpoints_known = resource.endpoints.empty() && !resource.endpoints_by_use;
    }
  }
}

void ResourceTracker::destroy(const model::ResourceDestroy& v) {
  Resource* resource = context_->state().resources.find(v.resource());
  if (resource == nullptr) return;
  // Keep it while anything still refers to it (a destroy racing its last use).
  if (resource->waiters > 0 || resource->owner != 0 || !resource->readers.empty() ||
      !resource->unit_holders.empty() || !resource->endpoints.empty()) {
    resource->destroyed = true;
    return;
  }
  State& state = context_->state();
  if (resource->name != 0 && state.destroyed_names.size() < state.remember_destroyed_names)
    state.destroyed_names.emplace(v.resource(), std::make_pair(resource->kind, resource->name));
  state.resources.erase(v.resource());
}

}  // namespace taskscope::model::replay
