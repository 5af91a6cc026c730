// `taskscope stats --format json` (schema taskscope.stats/1, see stats.hpp).
#include <ostream>

#include "common/json_writer.hpp"
#include "taskscope/analyzer/stats.hpp"

namespace taskscope::analyzer {
namespace {

using stats::JsonWriter;

void distribution(JsonWriter& json, std::string_view name, const Distribution& d) {
  json.key(name).begin_object();
  json.field("count", d.count()).field("total", d.sum());
  json.field("p50", d.quantile(0.5)).field("p90", d.quantile(0.9));
  json.field("p99", d.quantile(0.99)).field("max", d.max());
  json.end_object();
}

void causes(JsonWriter& json, std::string_view name, const CauseDistributions& blocked) {
  json.key(name).begin_object();
  for (size_t c = 0; c < kBlockCauses; ++c)
    if (!blocked[c].empty()) distribution(json, block_cause_key(BlockCause(c)), blocked[c]);
  json.end_object();
}

void agents(JsonWriter& json, const TraceStats& stats) {
  json.key("agents").begin_array();
  for (const AgentGroupStats& g : stats.agents) {
    json.newline().begin_object();
    json.field("name", g.name).field("kind", g.is_task ? "task" : "thread");
    json.field("count", g.agents).field("polls", g.polls).field("contended", g.contended);
    distribution(json, "busy_ns", g.busy);
    if (g.is_task) distribution(json, "sched_latency_ns", g.sched_latency);
    causes(json, "blocked_ns", g.blocked);
    if (g.has_memory()) {
      json.key("memory").begin_object();
      distribution(json, "peak_bytes", g.memory_peak);
      json.field("allocated_bytes", g.memory_allocated).field("live_bytes", g.memory_live);
      json.end_object();
    }
    if (!g.is_task && g.polls > 0) {
      json.key("worker").begin_object();
      json.field("poll_ns", g.poll_ns).field("lifetime_ns", g.lifetime_ns);
      json.field("utilisation", g.utilisation());
      json.field("descheduled_polls", g.descheduled_polls)
          .field("descheduled_max_ns", g.descheduled_max_ns);
      json.end_object();
    }
    json.end_object();
  }
  json.end_array();
}

void spans(JsonWriter& json, const TraceStats& stats) {
  json.key("spans").begin_array();
  for (const SpanStats& s : stats.spans) {
    json.newline().begin_object().field("name", s.name);
    distribution(json, "duration_ns", s.duration);
    causes(json, "blocked_ns", s.blocked);
    json.end_object();
  }
  json.end_array();
}

void resources(JsonWriter& json, const TraceStats& stats) {
  json.key("resources").begin_array();
  for (const ResourceStats& r : stats.resources) {
    json.newline().begin_object();
    json.field("name", r.name).field("kind", format::resource_kind_name(r.kind));
    json.field("instances", r.instances).field("acquisitions", r.acquisitions);
    json.field("contended", r.contended);
    distribution(json, "hold_ns", r.hold);
    causes(json, "wait_ns", r.waits);
    if (r.is_channel()) {
      json.key("channel").begin_object();
      json.field("capacity", r.capacity).field("sends", r.sends).field("recvs", r.recvs);
      json.field("depth_max", r.depth.max()).field("depth_mean", r.depth_mean());
      distribution(json, "depth", r.depth);
      json.end_object();
    }
    if (r.kind == format::ResourceKind::kCondvar) json.field("notifies", r.notifies);
    json.end_object();
  }
  json.end_array();
}

void timeline(JsonWriter& json, const TraceStats& stats) {
  json.key("agents_by_state").begin_object();
  json.key("states").begin_array();
  for (size_t s = 0; s < kAgentStates; ++s) json.value(agent_state_name(AgentState(s)));
  json.end_array();
  json.key("intervals").begin_array();
  for (const StateInterval& interval : stats.timeline) {
    json.newline().begin_object();
    json.field("start_ns", interval.start_ns).field("end_ns", interval.end_ns);
    for (size_t s = 0; s < kAgentStates; ++s)
      json.field(agent_state_name(AgentState(s)), interval.mean[s]);
    json.end_object();
  }
  json.end_array();
  json.end_object();
}

}  // namespace

void write_stats_json(const TraceStats& stats, std::ostream& out) {
  JsonWriter json(out);
  json.begin_object().field("schema", "taskscope.stats/1");
  const TraceSummary& t = stats.trace;
  json.key("trace").begin_object();
  json.field("path", t.path).field("events", t.events).field("duration_ns", t.duration_ns());
  json.field("dropped_events", t.dropped_events).field("truncated", t.truncated);
  json.end_object();
  json.field("quantile_relative_error", LogHistogram::kRelativeError);
  agents(json, stats);
  spans(json, stats);
  resources(json, stats);
  timeline(json, stats);
  json.end_object().newline();
}

}  // namespace taskscope::analyzer
