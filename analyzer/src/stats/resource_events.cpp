// Resources, ownership and channels: hold times, contention and queue depth
// (see stats_collector.hpp).
#include <algorithm>

#include "stats/stats_collector.hpp"

namespace taskscope::analyzer::stats {

using format::Event;
using format::ResourceKind;

namespace {
bool is_snapshot(const Event& event) { return event.flags & format::kFlagSnapshot; }
}  // namespace

ResourceStats* StatsCollector::resource_group(ResourceKind kind, const std::string& name) {
  auto& slot =
      resource_groups_[std::string(1, static_cast<char>('A' + static_cast<int>(kind))) + name];
  if (!slot) {
    slot = std::make_unique<ResourceStats>();
    slot->name = name;
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
    // Never announced (the trace began after its creation): named by kind and id.
    const std::string name(format::resource_kind_name(kind_hint));
    res.group = resource_group(kind_hint, name + "#" + std::to_string(id));
    ++res.group->instances;
    res.created_ns = res.depth_since = ts;
  }
  return res;
}

void StatsCollector::on_resource_create(const Event& event) {
  if (LiveResource* old = resources_.find(event.a)) {
    close_resource(*old, event.ts_ns);  // id reused, or seen before its creation
    resources_.erase(event.a);
  }
  const auto kind = static_cast<ResourceKind>(event.op);
  std::string name(event.str ? strings_(event.str) : std::string_view{});
  if (name.empty())
    name = std::string(format::resource_kind_name(kind)) + "#" + std::to_string(event.a);
  LiveResource& res = resources_.get_or_insert(event.a);
  res.group = resource_group(kind, name);
  ++res.group->instances;
  res.created_ns = res.depth_since = event.ts_ns;
  if (kind == ResourceKind::kChannel) res.group->capacity = event.b;
}

void StatsCollector::on_resource_destroy(const Event& event) {
  LiveResource* res = resources_.find(event.a);
  if (!res) return;
  close_resource(*res, event.ts_ns);
  resources_.erase(event.a);
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
    group.depth_time_ns += span_ns(res.created_ns, ts);
  }
}

void StatsCollector::on_acquired(const Event& event) {
  const bool shared = static_cast<format::LockMode>(event.op) == format::LockMode::kShared;
  LiveResource& res =
      resource(event.a, shared ? ResourceKind::kRwLock : ResourceKind::kMutex, event.ts_ns);
  const uint64_t agent = acting_agent(event).id;
  if (!is_snapshot(event)) ++res.group->acquisitions;
  auto it = std::find_if(res.holders.begin(), res.holders.end(),
                         [agent](const Holder& h) { return h.agent == agent; });
  if (it != res.holders.end())
    ++it->depth;  // recursive: the hold lasts until the outermost release
  else
    res.holders.push_back({agent, event.ts_ns, 1});
}

void StatsCollector::on_released(const Event& event) {
  LiveResource* found = resources_.find(event.a);
  if (!found) return;
  LiveResource& res = *found;
  if (res.holders.empty()) return;  // acquired before the trace began
  const uint64_t agent = acting_agent(event).id;
  auto it = std::find_if(res.holders.begin(), res.holders.end(),
                         [agent](const Holder& h) { return h.agent == agent; });
  // Released by a non-holder (a semaphore posted by another agent, or a lock
  // handed over): it closes the oldest hold.
  if (it == res.holders.end()) it = res.holders.begin();
  if (--it->depth > 0) return;
  res.group->hold.add(span_ns(it->since, event.ts_ns));
  res.holders.erase(it);
}

void StatsCollector::on_channel_op(const Event& event) {
  LiveResource& res = resource(event.a, ResourceKind::kChannel, event.ts_ns);
  sample_depth(res, event.ts_ns);
  res.depth = event.b;
  if (is_snapshot(event)) return;
  res.group->depth.add(static_cast<int64_t>(event.b));
  if (event.kind == format::EventKind::kChannelSend)
    ++res.group->sends;
  else
    ++res.group->recvs;
}

}  // namespace taskscope::analyzer::stats
