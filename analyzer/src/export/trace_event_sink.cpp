// Chrome trace-event writing (see trace_event_sink.hpp).
#include "export/trace_event_sink.hpp"

#include <algorithm>

namespace taskscope::analyzer {

TraceEventSink::TraceEventSink(std::ostream& out) : stream_(out), json_(stream_) {}

void TraceEventSink::begin_document() {
  json_.StartObject();
  json_.Key("displayTimeUnit");
  json_.String("ns");
  json_.Key("traceEvents");
  json_.StartArray();
}

void TraceEventSink::end_document(int64_t end_ns) {
  for (auto& [key, entry] : open_) {
    auto& [track, stack] = entry;
    for (; !stack.empty(); stack.pop_back())
      write_end(track, end_ns, {{"unfinished", "true"}});
  }
  open_.clear();
  stream_.break_line();
  json_.EndArray();
  json_.EndObject();
  stream_.break_line();
  stream_.Flush();
}

void TraceEventSink::header(char phase, TrackId track, int64_t ts) {
  stream_.break_line();
  json_.StartObject();
  json_.Key("ph");
  json_.String(&phase, 1);
  json_.Key("pid");
  json_.Int(track.pid);
  json_.Key("tid");
  json_.Uint64(track.tid);
  json_.Key("ts");
  json_micros(json_, ts);
}

void TraceEventSink::write_args(std::initializer_list<Arg> args) {
  if (args.size() == 0) return;
  json_.Key("args");
  json_.StartObject();
  for (const Arg& arg : args) {
    json_key(json_, arg.key);
    if (arg.text)
      json_string(json_, arg.text);
    else
      json_.Int64(arg.number);
  }
  json_.EndObject();
}

void TraceEventSink::open_metadata(int pid, std::optional<uint64_t> tid, const char* what) {
  stream_.break_line();
  json_.StartObject();
  json_.Key("ph");
  json_.String("M");
  json_.Key("pid");
  json_.Int(pid);
  if (tid) {
    json_.Key("tid");
    json_.Uint64(*tid);
  }
  json_.Key("name");
  json_.String(what);
  json_.Key("args");
  json_.StartObject();
}

void TraceEventSink::close_metadata() {
  json_.EndObject();
  json_.EndObject();
}

void TraceEventSink::name_process(int pid, std::string_view name, int sort_index) {
  open_metadata(pid, std::nullopt, "process_name");
  json_field(json_, "name", name);
  close_metadata();
  open_metadata(pid, std::nullopt, "process_sort_index");
  json_.Key("sort_index");
  json_.Int(sort_index);
  close_metadata();
}

void TraceEventSink::name_track(TrackId track, std::string_view name) {
  open_metadata(track.pid, track.tid, "thread_name");
  json_field(json_, "name", name);
  close_metadata();
}

void TraceEventSink::write_begin(TrackId track, int64_t ts, std::string_view name,
                                 std::string_view category, std::initializer_list<Arg> args) {
  header('B', track, ts);
  json_field(json_, "name", name);
  json_field(json_, "cat", category);
  write_args(args);
  json_.EndObject();
  ++slices_;
}

void TraceEventSink::begin(TrackId track, SliceKind kind, uint64_t id, int64_t ts,
                           std::string_view name, std::string_view category,
                           std::initializer_list<Arg> args) {
  write_begin(track, ts, name, category, args);
  auto& entry = open_[track_key(track)];
  entry.first = track;
  entry.second.push_back({kind, id, std::string(name), category});
}

void TraceEventSink::write_end(TrackId track, int64_t ts, std::initializer_list<Arg> args) {
  header('E', track, ts);
  write_args(args);
  json_.EndObject();
}

bool TraceEventSink::end(TrackId track, SliceKind kind, uint64_t id, int64_t ts,
                         std::initializer_list<Arg> args) {
  auto found = open_.find(track_key(track));
  if (found == open_.end()) return false;
  Stack& stack = found->second.second;
  auto it = std::find_if(stack.rbegin(), stack.rend(), [&](const OpenSlice& slice) {
    return slice.kind == kind && (id == kAnyId || slice.id == id);
  });
  if (it == stack.rend()) return false;
  const size_t keep = static_cast<size_t>(stack.rend() - it) - 1;
  cut_.clear();
  for (; stack.size() > keep + 1; stack.pop_back()) {  // inner slices first
    write_end(track, ts, {});
    if (stack.back().kind != SliceKind::kWait) cut_.push_back(std::move(stack.back()));
  }
  write_end(track, ts, args);
  stack.pop_back();
  // The cut slices go on, in their order (cut_ holds them innermost first).
  for (auto slice = cut_.rbegin(); slice != cut_.rend(); ++slice) {
    write_begin(track, ts, slice->name, slice->category, {});
    stack.push_back(std::move(*slice));
  }
  return true;
}

void TraceEventSink::close_track(TrackId track, int64_t ts) {
  auto found = open_.find(track_key(track));
  if (found == open_.end()) return;
  for (Stack& stack = found->second.second; !stack.empty(); stack.pop_back())
    write_end(track, ts, {});
  open_.erase(found);
}

void TraceEventSink::flow_start(TrackId track, int64_t ts, std::string_view marker,
                                std::string_view flow_name, uint64_t flow_id) {
  // B, s, E at one timestamp: the s is processed while the marker is open.
  begin(track, SliceKind::kMarker, flow_id, ts, marker, "flow");
  header('s', track, ts);
  json_field(json_, "name", flow_name);
  json_field(json_, "cat", "flow");
  json_field(json_, "id", flow_id);
  json_.EndObject();
  end(track, SliceKind::kMarker, flow_id, ts);
}

void TraceEventSink::flow_end(TrackId track, int64_t ts, std::string_view flow_name,
                              uint64_t flow_id) {
  header('f', track, ts);
  json_field(json_, "name", flow_name);
  json_field(json_, "cat", "flow");
  json_field(json_, "id", flow_id);
  json_field(json_, "bp", "e");
  json_.EndObject();
}

void TraceEventSink::counter(int pid, int64_t ts, std::string_view name, std::string_view key,
                             int64_t value) {
  stream_.break_line();
  json_.StartObject();
  json_.Key("ph");
  json_.String("C");
  json_.Key("pid");
  json_.Int(pid);
  json_.Key("ts");
  json_micros(json_, ts);
  json_field(json_, "name", name);
  json_.Key("args");
  json_.StartObject();
  json_field(json_, key, value);
  json_.EndObject();
  json_.EndObject();
  ++counters_;
}

void TraceEventSink::instant(TrackId track, int64_t ts, std::string_view name,
                             std::initializer_list<Arg> args) {
  header('i', track, ts);
  json_field(json_, "name", name);
  json_field(json_, "s", "t");
  write_args(args);
  json_.EndObject();
}

}  // namespace taskscope::analyzer
