// `taskscope stats --format json` (schema taskscope.stats/1, see stats.hpp).
#include <ostream>

#include "common/json_output.hpp"
#include "taskscope/analyzer/stats.hpp"

namespace taskscope::analyzer {
namespace {

void distribution(JsonWriter& json, std::string_view name, const Distribution& d) {
  json_key(json, name);
  json.StartObject();
  json_field(json, "count", d.count());
  json_field(json, "total", d.sum());
  json_field(json, "p50", d.quantile(0.5));
  json_field(json, "p90", d.quantile(0.9));
  json_field(json, "p99", d.quantile(0.99));
  json_field(json, "max", d.max());
  json.EndObject();
}

void causes(JsonWriter& json, std::string_view name, const CauseDistributions& blocked) {
  json_key(json, name);
  json.StartObject();
  for (size_t c = 0; c < kBlockCauses; ++c)
    if (!blocked[c].empty()) distribution(json, block_cause_key(BlockCause(c)), blocked[c]);
  json.EndObject();
}

void agents(JsonStream& stream, JsonWriter& json, const TraceStats& stats) {
  json.Key("agents");
  json.StartArray();
  for (const AgentGroupStats& g : stats.agents) {
    stream.break_line();
    json.StartObject();
    json_field(json, "name", g.name);
    json_field(json, "kind", g.is_task ? "task" : "thread");
    json_field(json, "count", g.agents);
    json_field(json, "polls", g.polls);
    json_field(json, "contended", g.contended);
    distribution(json, "busy_ns", g.busy);
    if (g.is_task) distribution(json, "sched_latency_ns", g.sched_latency);
    causes(json, "blocked_ns", g.blocked);
    if (g.has_memory()) {
      json.Key("memory");
      json.StartObject();
      distribution(json, "peak_bytes", g.memory_peak);
      json_field(json, "allocated_bytes", g.memory_allocated);
      json_field(json, "live_bytes", g.memory_live);
      json.EndObject();
    }
    if (!g.is_task && g.polls > 0) {
      json.Key("worker");
      json.StartObject();
      json_field(json, "poll_ns", g.poll_ns);
      json_field(json, "lifetime_ns", g.lifetime_ns);
      json_field(json, "utilisation", g.utilisation());
      json_field(json, "descheduled_polls", g.descheduled_polls);
      json_field(json, "descheduled_max_ns", g.descheduled_max_ns);
      json.EndObject();
    }
    json.EndObject();
  }
  json.EndArray();
}

void spans(JsonStream& stream, JsonWriter& json, const TraceStats& stats) {
  json.Key("spans");
  json.StartArray();
  for (const SpanStats& s : stats.spans) {
    stream.break_line();
    json.StartObject();
    json_field(json, "name", s.name);
    distribution(json, "duration_ns", s.duration);
    causes(json, "blocked_ns", s.blocked);
    json.EndObject();
  }
  json.EndArray();
}

void resources(JsonStream& stream, JsonWriter& json, const TraceStats& stats) {
  json.Key("resources");
  json.StartArray();
  for (const ResourceStats& r : stats.resources) {
    stream.break_line();
    json.StartObject();
    json_field(json, "name", r.name);
    json_field(json, "kind", format::resource_kind_name(r.kind));
    json_field(json, "instances", r.instances);
    json_field(json, "acquisitions", r.acquisitions);
    json_field(json, "contended", r.contended);
    distribution(json, "hold_ns", r.hold);
    causes(json, "wait_ns", r.waits);
    if (r.is_channel()) {
      json.Key("channel");
      json.StartObject();
      json_field(json, "capacity", r.capacity);
      json_field(json, "sends", r.sends);
      json_field(json, "recvs", r.recvs);
      json_field(json, "depth_max", r.depth.max());
      json_field(json, "depth_mean", r.depth_mean());
      distribution(json, "depth", r.depth);
      json.EndObject();
    }
    if (r.kind == format::ResourceKind::kCondvar || r.kind == format::ResourceKind::kFutex)
      json_field(json, "notifies", r.notifies);
    json.EndObject();
  }
  json.EndArray();
}

void timeline(JsonStream& stream, JsonWriter& json, const TraceStats& stats) {
  json.Key("agents_by_state");
  json.StartObject();
  json.Key("states");
  json.StartArray();
  for (size_t s = 0; s < kAgentStates; ++s) json_value(json, agent_state_name(AgentState(s)));
  json.EndArray();
  json.Key("intervals");
  json.StartArray();
  for (const StateInterval& interval : stats.timeline) {
    stream.break_line();
    json.StartObject();
    json_field(json, "start_ns", interval.start_ns);
    json_field(json, "end_ns", interval.end_ns);
    for (size_t s = 0; s < kAgentStates; ++s)
      json_field(json, agent_state_name(AgentState(s)), interval.mean[s]);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
}

}  // namespace

void write_stats_json(const TraceStats& stats, std::ostream& out) {
  JsonStream stream(out);
  JsonWriter json(stream);
  json.StartObject();
  json_field(json, "schema", "taskscope.stats/1");
  const TraceSummary& t = stats.trace;
  json.Key("trace");
  json.StartObject();
  json_field(json, "path", t.path);
  json_field(json, "events", t.events);
  json_field(json, "duration_ns", t.duration_ns());
  json_field(json, "dropped_events", t.dropped_events);
  json_field(json, "truncated", t.truncated);
  json.EndObject();
  json_field(json, "quantile_relative_error", LogHistogram::kRelativeError);
  agents(stream, json, stats);
  spans(stream, json, stats);
  resources(stream, json, stats);
  timeline(stream, json, stats);
  json.EndObject();
  stream.break_line();
}

}  // namespace taskscope::analyzer
