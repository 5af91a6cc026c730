// The end of the stats pass: groups named by the naming service, and groups that
// read alike merged (see stats_collector.hpp). Names are resolved here, once per
// group, so the pass itself never symbolizes, and module paths written late in
// the trace are known.
#include <algorithm>
#include <map>

#include "common/saturating.hpp"
#include "stats/stats_collector.hpp"

namespace taskscope::analyzer::stats {
namespace {

void merge_causes(CauseDistributions& into, const CauseDistributions& from) {
  for (size_t c = 0; c < kBlockCauses; ++c) into[c].merge(from[c]);
}

void merge(AgentGroupStats& into, const AgentGroupStats& from) {
  into.agents += from.agents;
  into.polls += from.polls;
  into.busy.merge(from.busy);
  into.sched_latency.merge(from.sched_latency);
  merge_causes(into.blocked, from.blocked);
  into.contended += from.contended;
  into.memory_peak.merge(from.memory_peak);
  into.memory_allocated = saturating_add(into.memory_allocated, from.memory_allocated);
  into.memory_live = saturating_add(into.memory_live, from.memory_live);
  into.lifetime_ns = saturating_add(into.lifetime_ns, from.lifetime_ns);
  into.poll_ns = saturating_add(into.poll_ns, from.poll_ns);
  into.descheduled_polls += from.descheduled_polls;
  into.descheduled_max_ns = std::max(into.descheduled_max_ns, from.descheduled_max_ns);
}

void merge(ResourceStats& into, const ResourceStats& from) {
  into.instances += from.instances;
  into.acquisitions += from.acquisitions;
  into.contended += from.contended;
  into.hold.merge(from.hold);
  merge_causes(into.waits, from.waits);
  if (into.capacity == 0) into.capacity = from.capacity;
  into.sends += from.sends;
  into.recvs += from.recvs;
  into.depth.merge(from.depth);
  into.depth_area += from.depth_area;
  into.depth_time_ns = saturating_add(into.depth_time_ns, from.depth_time_ns);
  into.notifies += from.notifies;
}

// Moves each group into `out` under its name, merging groups that read alike.
// `key` orders the merge, so the result does not depend on hash order.
template <typename Stats, typename Group, typename Name>
std::vector<Stats> by_name(std::vector<std::unique_ptr<Group>> groups, Name&& name) {
  std::map<std::pair<int, std::string>, Stats> named;
  for (auto& group : groups) {
    auto [kind, text] = name(*group);
    auto [it, added] = named.try_emplace({kind, text});
    if (added) {
      it->second = std::move(static_cast<Stats&>(*group));
      it->second.name = std::move(text);
    } else {
      merge(it->second, *group);
    }
  }
  std::vector<Stats> out;
  out.reserve(named.size());
  for (auto& [key, stats] : named) out.push_back(std::move(stats));
  return out;
}

template <typename Group, typename Key>
std::vector<std::unique_ptr<Group>> drain(std::unordered_map<Key, std::unique_ptr<Group>>& map,
                                          bool (*before)(const Group&, const Group&)) {
  std::vector<std::unique_ptr<Group>> groups;
  groups.reserve(map.size());
  for (auto& [key, group] : map) groups.push_back(std::move(group));
  map.clear();
  std::sort(groups.begin(), groups.end(), [before](auto& x, auto& y) { return before(*x, *y); });
  return groups;
}

}  // namespace

std::vector<AgentGroupStats> StatsCollector::named_agent_groups() {
  auto groups = drain<AgentGroup>(agent_groups_, [](const AgentGroup& x, const AgentGroup& y) {
    return x.recorded_name != y.recorded_name ? x.recorded_name < y.recorded_name
                                              : x.is_task < y.is_task;
  });
  return by_name<AgentGroupStats>(std::move(groups), [this](const AgentGroup& g) {
    std::string text = names_.symbolic(g.recorded_name);
    if (text.empty()) text = g.is_task ? "(unnamed task)" : "(unnamed thread)";
    return std::pair<int, std::string>{g.is_task, std::move(text)};
  });
}

std::vector<ResourceStats> StatsCollector::named_resource_groups() {
  auto groups =
      drain<ResourceGroup>(resource_groups_, [](const ResourceGroup& x, const ResourceGroup& y) {
        return x.first_id != y.first_id ? x.first_id < y.first_id : x.kind < y.kind;
      });
  return by_name<ResourceStats>(std::move(groups), [this](const ResourceGroup& g) {
    const ResourceIdentity identity{g.kind, g.first_id, g.recorded_name, g.first_location};
    return std::pair<int, std::string>{static_cast<int>(g.kind), names_.resource(identity)};
  });
}

}  // namespace taskscope::analyzer::stats
