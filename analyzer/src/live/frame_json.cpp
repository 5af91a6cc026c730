// A live frame as one JSON line (schema taskscope.top/1, docs/top.md). Agents,
// resources, locations and findings are written exactly as the JSON report
// writes them (taskscope.report/2, docs/report-schema.md).
#include "common/rapidjson.hpp"
#include "taskscope/analyzer/live.hpp"
#include "taskscope/analyzer/report.hpp"

namespace taskscope::analyzer {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string(Writer& json, std::string_view text) {
  json.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

// A structure of the report, re-emitted on this document's single line: the
// report's indented text without the whitespace between its tokens (cheaper
// than parsing it again, which a frame of thousands of agents would repeat).
template <typename Structure>
void part(Writer& json, const Structure& structure) {
  const std::string indented = render_json_part(structure);
  std::string line;
  line.reserve(indented.size());
  bool in_string = false, escaped = false;
  for (const char c : indented) {
    if (in_string) {
      line += c;
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
      line += c;
      in_string = c == '"';
    }
  }
  json.RawValue(line.data(), line.size(), rapidjson::kObjectType);
}

void strings(Writer& json, const std::vector<std::string>& lines) {
  json.StartArray();
  for (const std::string& line : lines) string(json, line);
  json.EndArray();
}

void tally(Writer& json, const std::map<std::string, uint32_t>& by_state) {
  json.StartObject();
  for (const auto& [state, count] : by_state) {
    json.Key(state.c_str());
    json.Uint(count);
  }
  json.EndObject();
}

void agent(Writer& json, const LiveAgent& row) {
  json.StartObject();
  json.Key("agent");
  part(json, row.ref);
  json.Key("state");
  string(json, row.state);
  json.Key("state_for_ns");
  json.Int64(row.state_for_ns);
  json.Key("waiting_on");
  if (row.waiting_on.empty())
    json.Null();
  else
    string(json, row.waiting_on);
  json.Key("wait_site");
  part(json, row.wait_site);
  json.Key("busy_percent");
  if (row.busy_percent < 0)
    json.Null();
  else
    json.Double(row.busy_percent);
  json.Key("polls");
  json.Uint64(row.polls);
  json.Key("sched_p99_ns");
  if (row.sched_p99_ns < 0)
    json.Null();
  else
    json.Int64(row.sched_p99_ns);
  json.Key("memory_bytes");
  json.Int64(row.memory_bytes);
  json.Key("spans");
  strings(json, row.spans);
  json.Key("recent_waits");
  strings(json, row.recent_waits);
  json.EndObject();
}

}  // namespace

std::string render_live_json(const LiveFrame& frame) {
  rapidjson::StringBuffer buffer;
  Writer json(buffer);
  json.StartObject();
  json.Key("schema");
  string(json, "taskscope.top/1");
  json.Key("program");
  string(json, frame.program);
  json.Key("pid");
  json.Uint(frame.pid);
  json.Key("path");
  string(json, frame.path);
  json.Key("ended");
  json.Bool(frame.ended);
  json.Key("status");
  string(json, frame.status);
  json.Key("elapsed_ns");
  json.Int64(frame.elapsed_ns);
  json.Key("events");
  json.Uint64(frame.events);
  json.Key("events_per_s");
  json.Double(frame.events_per_s);
  json.Key("dropped_events");
  json.Uint64(frame.dropped_events);
  json.Key("threads_by_state");
  tally(json, frame.threads_by_state);
  json.Key("tasks_by_state");
  tally(json, frame.tasks_by_state);
  json.Key("agents");
  json.StartArray();
  for (const LiveAgent& row : frame.agents) agent(json, row);
  json.EndArray();
  json.Key("locks");
  json.StartArray();
  for (const LiveLock& lock : frame.locks) {
    json.StartObject();
    json.Key("resource");
    part(json, lock.ref);
    json.Key("waiters");
    strings(json, lock.waiters);
    json.EndObject();
  }
  json.EndArray();
  json.Key("channels");
  json.StartArray();
  for (const LiveChannel& channel : frame.channels) {
    json.StartObject();
    json.Key("resource");
    part(json, channel.ref);
    json.Key("depth_per_s");
    json.Double(channel.depth_per_s);
    json.EndObject();
  }
  json.EndArray();
  json.Key("warnings");
  json.StartArray();
  for (const Finding& finding : frame.warnings) part(json, finding);
  json.EndArray();
  json.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace taskscope::analyzer
