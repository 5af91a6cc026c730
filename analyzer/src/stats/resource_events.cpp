// Resources, ownership and channels: hold times, contention and queue depth
// (see stats_collector.hpp).
#include <algorithm>

#include "common/saturating.hpp"
#include "stats/stats_collector.hpp"

namespace taskscope::analyzer::stats {

using format::ResourceKind;

ResourceGroup* StatsCollector::resource_group(ResourceKind kind, StringId name, ResourceId id) {
  // Named resources group by their recorded name; an unnamed one is its own
  // group until the naming service reads it (by its first use) at the end.
  std::string key(1, static_cast<char>('A' + static_cast<int>(kind)));
  key += name ? "n" + std::to_string(name) : "#" + std::to_string(id);
  auto& slot = resource_groups_[key];
  if (!slot) {
    slot = std::make_unique<ResourceGroup>();
    slot->recorded_name = name;
    slot->first_id = id;
    slot->kind = kind;
    slot->hold = new_distribution();
    slot->depth = new_distribution();
    for (auto& d : slot->waits) d.keep_samples(options_.reservoir_size);
  }
  return slot.get();
}

LiveResource& StatsCollector::resource(uint64_t id, ResourceKind kind_hint, int64_t ts) {
  bool added = false;
  LiveResource& res = resources_.get_or_insert(id, &added);
  if (added) {
    // Never announced (the trace began after its creation): unnamed, of the
    // kind its use tells.
    res.group = resource_group(kind_hint, 0, id);
    ++res.group->instances;
    res.created_ns = res.depth_since = ts;
  }
  return res;
}

void StatsCollector::used_at(LiveResource& res, StringId location) {
  if (res.group->first_location == 0) res.group->first_location = location;
}

void StatsCollector::on_resource_create(const model::ResourceCreate& v) {
  if (LiveResource* old = resources_.find(v.resource())) {
    close_resource(*old, v.ts_ns());  // id reused, or seen before its creation
    resources_.erase(v.resource());
  }
  LiveResource& res = resources_.get_or_insert(v.resource());
  res.group = resource_group(v.resource_kind(), v.name(), v.resource());
  ++res.group->instances;
  res.created_ns = res.depth_since = v.ts_ns();
  if (v.resource_kind() == ResourceKind::kChannel) res.group->capacity = v.capacity();
}

void StatsCollector::on_resource_destroy(const model::ResourceDestroy& v) {
  LiveResource* res = resources_.find(v.resource());
  if (!res) return;
  close_resource(*res, v.ts_ns());
  resources_.erase(v.resource());
}

void StatsCollector::sample_depth(LiveResource& res, int64_t ts) {
  res.group->depth_area +=
      static_cast<double>(res.depth) * static_cast<double>(span_ns(res.depth_since, ts));
  res.depth_since = std::max(res.depth_since, ts);
}

void StatsCollector::close_resource(LiveResource& res, int64_t ts) {
  ResourceStats& group = *res.group;
  for (const Holder& holder : res.holders) group.hold.add(span_ns(holder.since, ts));
  res.holders.clear();
  if (group.is_channel()) {
    sample_depth(res, ts);
    group.depth_time_ns = saturating_add(group.depth_time_ns, span_ns(res.created_ns, ts));
  }
}

void StatsCollector::on_acquired(const model::Acquired& v) {
  const bool shared = v.mode() == format::LockMode::kShared;
  LiveResource& res =
      resource(v.resource(), shared ? ResourceKind::kRwLock : ResourceKind::kMutex, v.ts_ns());
  used_at(res, v.location());
  const uint64_t agent = acting_agent(v).id;
  if (!v.snapshot()) ++res.group->acquisitions;
  auto it = std::find_if(res.holders.begin(), res.holders.end(),
                         [agent](const Holder& h) { return h.agent == agent; });
  if (it != res.holders.end())
    ++it->depth;  // recursive: the hold lasts until the outermost release
  else
    res.holders.push_back({agent, v.ts_ns(), 1});
}

void StatsCollector::on_released(const model::Released& v) {
  LiveResource* found = resources_.find(v.resource());
  if (!found) return;
  LiveResource& res = *found;
  if (res.holders.empty()) return;  // acquired before the trace began
  const uint64_t agent = acting_agent(v).id;
  auto it = std::find_if(res.holders.begin(), res.holders.end(),
                         [agent](const Holder& h) { return h.agent == agent; });
  // Released by a non-holder (a semaphore posted by another agent, or a lock
  // handed over): it closes the oldest hold.
  if (it == res.holders.end()) it = res.holders.begin();
  if (--it->depth > 0) return;
  res.group->hold.add(span_ns(it->since, v.ts_ns()));
  res.holders.erase(it);
}

void StatsCollector::on_channel_op(uint64_t channel, uint64_t depth, bool send, StringId location,
                                   const model::ViewBase& v) {
  LiveResource& res = resource(channel, ResourceKind::kChannel, v.ts_ns());
  used_at(res, location);
  sample_depth(res, v.ts_ns());
  res.depth = depth;
  if (v.snapshot()) return;
  res.group->depth.add(static_cast<int64_t>(depth));
  if (send)
    ++res.group->sends;
  else
    ++res.group->recvs;
}

}  // namespace taskscope::analyzer::stats
