// The JSON report, schema "taskscope.report/2": every field is described in
// docs/report-schema.md and checked by docs/report.schema.json. Written with
// RapidJSON's streaming PrettyWriter straight from the findings' data; every
// field is always present, null when the trace does not tell.

#include "common/rapidjson.hpp"
#include "taskscope/analyzer/report.hpp"

namespace taskscope::analyzer {

namespace {

class ReportWriter {
 public:
  ReportWriter() : writer_(buffer_) { writer_.SetIndent(' ', 2); }

  std::string finish() { return std::string(buffer_.GetString(), buffer_.GetSize()) + "\n"; }

  void report(const Analysis& analysis) {
    const Report& report = analysis.report();
    writer_.StartObject();
    key("schema");
    string("taskscope.report/2");
    key("trace");
    trace(report.trace);
    key("at_ns");
    writer_.Int64(report.at_ns);
    key("has_error");
    writer_.Bool(report.has_error());
    key("findings");
    writer_.StartArray();
    for (const Finding& f : report.findings) finding(f);
    writer_.EndArray();
    key("census");
    strings(report.census);
    writer_.EndObject();
  }

  // One structure of the report on its own (the live view's JSON, docs/top.md).
  void fragment(const Finding& f) { finding(f); }
  void fragment(const AgentRef& a) { agent(a); }
  void fragment(const ResourceRef& r) { resource(r); }
  void fragment(const SourceLocation& where) { location(where); }

 private:
  void key(const char* name) { writer_.Key(name); }
  void string(std::string_view text) {
    writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  }
  void strings(const std::vector<std::string>& lines) {
    writer_.StartArray();
    for (const auto& line : lines) string(line);
    writer_.EndArray();
  }
  // A trace time or duration; -1 (unknown) is null.
  void time(int64_t ns) {
    if (ns < 0)
      writer_.Null();
    else
      writer_.Int64(ns);
  }
  void optional_string(const std::string& text) {
    if (text.empty())
      writer_.Null();
    else
      string(text);
  }

  void trace(const TraceInfo& trace) {
    writer_.StartObject();
    key("path");
    string(trace.path);
    key("process");
    string(trace.process);
    key("reason");
    string(trace.reason);
    key("status");
    string(trace.status);
    key("events");
    writer_.Uint64(trace.events);
    key("start_ns");
    writer_.Int64(trace.start_ns);
    key("end_ns");
    writer_.Int64(trace.end_ns);
    key("duration_ns");
    writer_.Int64(trace.duration_ns);
    key("dropped_events");
    writer_.Uint64(trace.dropped_events);
    key("truncated");
    writer_.Bool(trace.truncated);
    key("damaged");
    writer_.Bool(trace.damaged);
    key("inconsistent_events");
    writer_.Uint64(trace.inconsistent_events);
    key("missing_modules");
    writer_.StartArray();
    for (const MissingModule& module : trace.missing_modules) {
      writer_.StartObject();
      key("path");
      string(module.path);
      key("build_id");
      if (module.build_id.empty())
        writer_.Null();
      else
        string(module.build_id);
      writer_.EndObject();
    }
    writer_.EndArray();
    writer_.EndObject();
  }

  void location(const SourceLocation& where) {
    if (!where.known()) {
      writer_.Null();
      return;
    }
    writer_.StartObject();
    key("file");
    string(where.file);
    key("line");
    if (where.line == 0)
      writer_.Null();
    else
      writer_.Uint(where.line);
    key("function");
    optional_string(where.function);
    key("text");
    string(where.text);
    writer_.EndObject();
  }

  void ref(const NamedId& named) {
    writer_.StartObject();
    key("id");
    writer_.Uint64(named.id);
    key("name");
    string(named.name);
    writer_.EndObject();
  }
  void ref(const std::optional<NamedId>& named) {
    if (named)
      ref(*named);
    else
      writer_.Null();
  }

  void agent(const AgentRef& agent) {
    writer_.StartObject();
    key("type");
    string(agent.type);
    key("id");
    writer_.Uint64(agent.id);
    key("name");
    string(agent.name);
    key("state");
    string(agent.state);
    key("spawned_at");
    location(agent.spawned_at);
    key("spawn_chain");
    writer_.StartArray();
    for (const SpawnStep& step : agent.spawn_chain) {
      writer_.StartObject();
      key("type");
      string(step.type);
      key("id");
      writer_.Uint64(step.id);
      key("name");
      string(step.name);
      key("spawned_at");
      location(step.spawned_at);
      writer_.EndObject();
    }
    writer_.EndArray();
    key("holds");
    writer_.StartArray();
    for (const AgentHold& hold : agent.holds) {
      writer_.StartObject();
      key("resource");
      ref(hold.resource);
      key("mode");
      string(hold_mode_name(hold.mode));
      key("count");
      writer_.Int64(hold.count);
      key("since_ns");
      time(hold.since_ns);
      key("location");
      location(hold.location);
      writer_.EndObject();
    }
    writer_.EndArray();
    writer_.EndObject();
  }

  void channel(const std::optional<ChannelState>& channel) {
    if (!channel) {
      writer_.Null();
      return;
    }
    writer_.StartObject();
    key("bounded");
    writer_.Bool(channel->capacity != 0);
    key("capacity");
    if (channel->capacity == 0)
      writer_.Null();
    else
      writer_.Uint64(channel->capacity);
    key("depth");
    if (channel->depth_known)
      writer_.Uint64(channel->depth);
    else
      writer_.Null();
    key("closed");
    writer_.Bool(channel->closed);
    key("sends");
    writer_.Uint64(channel->sends);
    key("recvs");
    writer_.Uint64(channel->recvs);
    writer_.EndObject();
  }

  void resource(const ResourceRef& resource) {
    writer_.StartObject();
    key("type");
    string(resource.type);
    key("id");
    writer_.Uint64(resource.id);
    key("name");
    string(resource.name);
    key("named");
    writer_.Bool(resource.named);
    key("live");
    writer_.Bool(resource.live);
    key("first_used_at");
    location(resource.first_used_at);
    key("owner");
    ref(resource.owner);
    key("holders");
    writer_.StartArray();
    for (const ResourceHolder& holder : resource.holders) {
      writer_.StartObject();
      key("agent");
      ref(holder.agent);
      key("mode");
      string(hold_mode_name(holder.mode));
      key("count");
      writer_.Int64(holder.count);
      writer_.EndObject();
    }
    writer_.EndArray();
    key("waiters");
    writer_.Uint(resource.waiters);
    key("channel");
    channel(resource.channel);
    writer_.EndObject();
  }

  void wait(const FindingWait& wait) {
    writer_.StartObject();
    key("agent");
    ref(wait.agent);
    key("wait");
    string(wait_kind_name(wait.kind));
    key("resource");
    ref(wait.resource);
    key("waits_for");
    ref(wait.waits_for);
    key("reason");
    if (wait.reason)
      string(wait_reason_name(*wait.reason));
    else
      writer_.Null();
    key("since_ns");
    time(wait.since_ns);
    key("location");
    location(wait.location);
    key("in_cycle");
    writer_.Bool(wait.in_cycle);
    key("assumed");
    writer_.Bool(wait.assumed);
    key("endpoint");
    if (wait.endpoint) {
      writer_.StartObject();
      key("strength");
      string(wait.endpoint->strength);
      key("items");
      writer_.Uint64(wait.endpoint->items);
      key("last_ns");
      time(wait.endpoint->last_ns);
      writer_.EndObject();
    } else {
      writer_.Null();
    }
    key("text");
    string(wait.text);
    writer_.EndObject();
  }

  void lock_order(const LockOrderStep& step) {
    writer_.StartObject();
    key("agent");
    ref(step.agent);
    key("holding");
    ref(step.holding);
    key("held_at");
    location(step.held_at);
    key("took");
    ref(step.took);
    key("taken_at");
    location(step.taken_at);
    key("at_ns");
    time(step.at_ns);
    writer_.EndObject();
  }

  void finding(const Finding& f) {
    writer_.StartObject();
    key("kind");
    string(finding_kind_name(f.kind));
    key("severity");
    string(severity_name(f.severity));
    key("summary");
    string(f.summary);
    key("since_ns");
    time(f.since_ns);
    key("agents");
    writer_.StartArray();
    for (const AgentRef& a : f.agents) agent(a);
    writer_.EndArray();
    key("resources");
    writer_.StartArray();
    for (const ResourceRef& r : f.resources) resource(r);
    writer_.EndArray();
    key("wait_edges");
    writer_.StartArray();
    for (const FindingWait& w : f.wait_edges) wait(w);
    writer_.EndArray();
    key("lock_order");
    writer_.StartArray();
    for (const LockOrderStep& step : f.lock_order) lock_order(step);
    writer_.EndArray();
    key("explanation");
    strings(f.explanation);
    key("diagram");
    strings(cycle_diagram(f));
    writer_.EndObject();
  }

  rapidjson::StringBuffer buffer_;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer_;
};

}  // namespace

std::string json_quote(std::string_view text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

template <typename Structure>
std::string render_json_part(const Structure& structure) {
  ReportWriter writer;
  writer.fragment(structure);
  return writer.finish();
}
template std::string render_json_part(const Finding&);
template std::string render_json_part(const AgentRef&);
template std::string render_json_part(const ResourceRef&);
template std::string render_json_part(const SourceLocation&);

std::string render_json(const Analysis& analysis) {
  ReportWriter writer;
  writer.report(analysis);
  return writer.finish();
}

}  // namespace taskscope::analyzer
