// Flattening of TraceStats into metrics (see diff_metrics.hpp).
#include "diff/diff_metrics.hpp"

#include "common/saturating.hpp"

namespace taskscope::analyzer::stats {
namespace {

class SeriesBuilder {
 public:
  SeriesBuilder(std::vector<MetricSeries>& out, DiffKind kind, std::string subject,
                std::string name)
      : out_(out), kind_(kind), subject_(std::move(subject)), name_(std::move(name)) {}

  void time(std::string metric, const Distribution& d) {
    add(std::move(metric), "ns", Measure::kTotalTime, &d, static_cast<double>(d.sum()), d.count());
  }
  void count(std::string metric, uint64_t n) {
    add(std::move(metric), "count", Measure::kCount, nullptr, static_cast<double>(n), n);
  }
  void mean(std::string metric, std::string unit, const Distribution& d, double value) {
    add(std::move(metric), std::move(unit), Measure::kMean, &d, value, d.count());
  }
  void untested(std::string metric, std::string unit, double value) {
    add(std::move(metric), std::move(unit), Measure::kUntested, nullptr, value, 0);
  }
  void blocked(const CauseDistributions& causes) {
    for (size_t c = 0; c < kBlockCauses; ++c)
      if (!causes[c].empty())
        time("blocked_" + std::string(block_cause_key(BlockCause(c))), causes[c]);
  }

 private:
  void add(std::string metric, std::string unit, Measure measure, const Distribution* d,
           double value, uint64_t n) {
    out_.push_back(
        {kind_, subject_, name_, std::move(metric), std::move(unit), measure, d, value, n});
  }

  std::vector<MetricSeries>& out_;
  DiffKind kind_;
  std::string subject_, name_;
};

}  // namespace

std::string owner_key(DiffKind kind, const std::string& subject, const std::string& name) {
  std::string key(1, static_cast<char>('0' + static_cast<int>(kind)));
  key += subject;
  key.push_back('\0');
  key += name;
  return key;
}

std::string MetricSeries::owner_key() const { return stats::owner_key(kind, subject, name); }

std::string MetricSeries::key() const {
  std::string k = owner_key();
  k.push_back('\0');
  k += metric;
  return k;
}

std::vector<MetricSeries> flatten(const TraceStats& stats) {
  std::vector<MetricSeries> out;
  for (const AgentGroupStats& g : stats.agents) {
    SeriesBuilder add(out, DiffKind::kTask, g.is_task ? "task" : "thread", g.name);
    add.time("busy_time", g.busy);
    if (g.is_task) add.time("sched_latency", g.sched_latency);
    add.blocked(g.blocked);
    add.count("agents", g.agents);
    if (g.is_task) add.count("polls", g.polls);
    if (g.contended) add.count("contended", g.contended);
    if (g.has_memory()) add.mean("memory_peak", "bytes", g.memory_peak, g.memory_peak.mean());
    if (!g.is_task && g.polls > 0) add.untested("utilisation", "ratio", g.utilisation());
  }
  for (const SpanStats& s : stats.spans) {
    SeriesBuilder add(out, DiffKind::kSpan, "span", s.name);
    add.time("duration", s.duration);
    add.count("entries", s.duration.count());
    add.blocked(s.blocked);
  }
  for (const ResourceStats& r : stats.resources) {
    SeriesBuilder add(out, DiffKind::kResource, std::string(format::resource_kind_name(r.kind)),
                      r.name);
    if (!r.hold.empty() || r.acquisitions) {
      add.time("hold_time", r.hold);
      add.count("acquisitions", r.acquisitions);
    }
    add.blocked(r.waits);
    if (r.contended) add.count("contended", r.contended);
    if (r.is_channel()) {
      add.count("sends", r.sends);
      add.count("recvs", r.recvs);
      add.mean("depth_mean", "items", r.depth, r.depth_mean());
      add.untested("depth_max", "items", static_cast<double>(r.depth.max()));
    }
    if (r.notifies) add.count("notifies", r.notifies);
  }
  return out;
}

std::vector<NameOnlyInOne> name_totals(const TraceStats& stats) {
  std::vector<NameOnlyInOne> out;
  for (const AgentGroupStats& g : stats.agents)
    out.push_back(
        {DiffKind::kTask, g.name, g.is_task ? "task" : "thread", saturating_add(g.busy.sum(), g.blocked_ns())});
  for (const SpanStats& s : stats.spans)
    out.push_back({DiffKind::kSpan, s.name, "span", s.duration.sum()});
  for (const ResourceStats& r : stats.resources)
    out.push_back({DiffKind::kResource, r.name, std::string(format::resource_kind_name(r.kind)),
                   saturating_add(r.hold.sum(), r.wait_ns())});
  return out;
}

}  // namespace taskscope::analyzer::stats
