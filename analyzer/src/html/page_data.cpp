// The HTML report's embedded data (see page_data.hpp).
#include "html/page_data.hpp"

#include "common/rapidjson.hpp"

namespace taskscope::analyzer::html {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key(Writer& json, const char* name) { json.Key(name); }
void string(Writer& json, const std::string& text) {
  json.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
}

void timeline(Writer& json, const TimelineSummary& t) {
  const int64_t origin = t.start_ns();
  json.StartObject();
  key(json, "lanes");
  json.StartArray();
  for (const TimelineLane& lane : t.lanes()) {
    json.StartObject();
    key(json, "name");
    string(json, lane.name.empty() ? "#" + std::to_string(lane.id) : lane.name);
    key(json, "type");
    json.String(lane.pid == 2 ? "task" : "thread");
    key(json, "focus");
    json.Bool(lane.focus);
    json.EndObject();
  }
  json.EndArray();
  key(json, "strings");
  json.StartArray();
  for (const std::string& s : t.strings()) string(json, s);
  json.EndArray();
  // [lane, start, end, kind, tag, label, detail]
  key(json, "slices");
  json.StartArray();
  for (const TimelineSlice& s : t.slices()) {
    json.StartArray();
    json.Uint(s.lane);
    json.Int64(s.start_ns - origin);
    json.Int64(s.end_ns - origin);
    json.Uint(static_cast<unsigned>(s.kind));
    json.Uint(s.tag);
    json.Uint(s.label);
    json.Uint(s.detail);
    json.EndArray();
  }
  json.EndArray();
  // [lane, column, runnable ns, running ns, blocked ns, idle ns]
  key(json, "column_ns");
  json.Int64(t.column_ns());
  key(json, "cells");
  json.StartArray();
  for (const TimelineCell& c : t.cells()) {
    json.StartArray();
    json.Uint(c.lane);
    json.Uint(c.column);
    for (int64_t ns : c.ns) json.Int64(ns);
    json.EndArray();
  }
  json.EndArray();
  key(json, "arrows");
  json.StartArray();
  for (const TimelineArrow& a : t.arrows()) {
    json.StartArray();
    json.Uint(a.from_lane);
    json.Int64(a.from_ns - origin);
    json.Uint(a.to_lane);
    json.Int64(a.to_ns - origin);
    json.EndArray();
  }
  json.EndArray();
  key(json, "min_kept_ns");
  json.Int64(t.min_kept_ns());
  key(json, "folded_slices");
  json.Uint64(t.folded_slices());
  key(json, "omitted_lanes");
  json.Uint64(t.omitted_lanes());
  json.EndObject();
}

void channels(Writer& json, const TimelineSummary& t, const TraceStats& stats) {
  json.StartArray();
  for (const ChannelSeries& series : t.channels()) {
    json.StartObject();
    key(json, "name");
    string(json, series.name);
    for (const ResourceStats& r : stats.resources)
      if (r.is_channel() && r.name == series.name) {
        key(json, "capacity");
        json.Uint64(r.capacity);
        break;
      }
    // [ts, low, high, last]
    key(json, "points");
    json.StartArray();
    for (const auto& p : series.points) {
      json.StartArray();
      json.Int64(p.ts_ns - t.start_ns());
      json.Int64(p.low);
      json.Int64(p.high);
      json.Int64(p.last);
      json.EndArray();
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
}

void states(Writer& json, const TraceStats& stats, int64_t origin) {
  json.StartObject();
  key(json, "names");
  json.StartArray();
  for (size_t s = 0; s < kAgentStates; ++s)
    string(json, std::string(agent_state_name(static_cast<AgentState>(s))));
  json.EndArray();
  // [start, end, mean count per state...]
  key(json, "intervals");
  json.StartArray();
  for (const StateInterval& interval : stats.timeline) {
    json.StartArray();
    json.Int64(interval.start_ns - origin);
    json.Int64(interval.end_ns - origin);
    for (double mean : interval.mean) json.Double(mean);
    json.EndArray();
  }
  json.EndArray();
  json.EndObject();
}

}  // namespace

std::string script_safe(std::string json) {
  for (size_t at = json.find("</"); at != std::string::npos; at = json.find("</", at + 3))
    json.replace(at, 2, "<\\/");
  return json;
}

std::string timeline_json(const TimelineSummary& t) {
  rapidjson::StringBuffer buffer;
  Writer json(buffer);
  timeline(json, t);
  return script_safe(std::string(buffer.GetString(), buffer.GetSize()));
}

std::string page_data_json(const Analysis& analysis, const TraceStats& stats,
                           const TimelineSummary& t) {
  rapidjson::StringBuffer buffer;
  Writer json(buffer);
  const TraceInfo& trace = analysis.report().trace;
  json.StartObject();
  key(json, "start_ns");
  json.Int64(trace.start_ns);
  key(json, "duration_ns");
  json.Int64(t.end_ns() - t.start_ns());
  key(json, "at_ns");
  json.Int64(analysis.report().at_ns - trace.start_ns);
  key(json, "timeline");
  timeline(json, t);
  key(json, "states");
  states(json, stats, trace.start_ns);
  key(json, "channels");
  channels(json, t, stats);
  json.EndObject();
  return script_safe(std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace taskscope::analyzer::html
