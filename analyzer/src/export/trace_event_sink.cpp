// Chrome trace-event writing (see trace_event_sink.hpp).
#include "export/trace_event_sink.hpp"

#include <algorithm>

namespace taskscope::analyzer::stats {

TraceEventSink::TraceEventSink(std::ostream& out) : json_(out) {}

void TraceEventSink::begin_document() {
  json_.begin_object().field("displayTimeUnit", "ns");
  json_.key("traceEvents").begin_array();
}

void TraceEventSink::end_document(int64_t end_ns) {
  for (auto& [key, entry] : open_) {
    auto& [track, stack] = entry;
    while (!stack.empty()) {
      write_end(track, end_ns, {});
      stack.pop_back();
    }
  }
  open_.clear();
  json_.newline().end_array().end_object().newline();
}

void TraceEventSink::header(char phase, TrackId track, int64_t ts) {
  json_.newline().begin_object();
  json_.field("ph", std::string_view(&phase, 1));
  json_.field("pid", track.pid).field("tid", track.tid);
  json_.key("ts").micros(ts);
}

void TraceEventSink::write_args(std::initializer_list<Arg> args) {
  if (args.size() == 0) return;
  json_.key("args").begin_object();
  for (const Arg& arg : args) {
    if (arg.text)
      json_.field(arg.key, arg.text_view());
    else
      json_.field(arg.key, arg.number);
  }
  json_.end_object();
}

void TraceEventSink::name_process(int pid, std::string_view name, int sort_index) {
  json_.newline().begin_object().field("ph", "M").field("pid", pid).field("name", "process_name");
  json_.key("args").begin_object().field("name", name).end_object().end_object();
  json_.newline().begin_object().field("ph", "M").field("pid", pid);
  json_.field("name", "process_sort_index");
  json_.key("args").begin_object().field("sort_index", sort_index).end_object().end_object();
}

void TraceEventSink::name_track(TrackId track, std::string_view name) {
  json_.newline().begin_object().field("ph", "M").field("pid", track.pid);
  json_.field("tid", track.tid).field("name", "thread_name");
  json_.key("args").begin_object().field("name", name).end_object().end_object();
}

void TraceEventSink::begin(TrackId track, SliceKind kind, uint64_t id, int64_t ts,
                           std::string_view name, std::string_view category,
                           std::initializer_list<Arg> args) {
  header('B', track, ts);
  json_.field("name", name).field("cat", category);
  write_args(args);
  json_.end_object();
  auto& entry = open_[track_key(track)];
  entry.first = track;
  entry.second.push_back({kind, id});
  ++slices_;
}

void TraceEventSink::write_end(TrackId track, int64_t ts, std::initializer_list<Arg> args) {
  header('E', track, ts);
  write_args(args);
  json_.end_object();
}

bool TraceEventSink::end(TrackId track, SliceKind kind, uint64_t id, int64_t ts,
                         std::initializer_list<Arg> args) {
  auto found = open_.find(track_key(track));
  if (found == open_.end()) return false;
  auto& stack = found->second.second;
  auto it = std::find_if(stack.rbegin(), stack.rend(), [&](const OpenSlice& slice) {
    return slice.kind == kind && (id == kAnyId || slice.id == id);
  });
  if (it == stack.rend()) return false;
  const size_t keep = static_cast<size_t>(stack.rend() - it) - 1;
  while (stack.size() > keep + 1) {  // inner slices left open end with this one
    write_end(track, ts, {});
    stack.pop_back();
  }
  write_end(track, ts, args);
  stack.pop_back();
  return true;
}

void TraceEventSink::close_track(TrackId track, int64_t ts) {
  auto found = open_.find(track_key(track));
  if (found == open_.end()) return;
  for (auto& stack = found->second.second; !stack.empty(); stack.pop_back())
    write_end(track, ts, {});
  open_.erase(found);
}

void TraceEventSink::flow_start(TrackId track, int64_t ts, std::string_view marker,
                                std::string_view flow_name, uint64_t flow_id) {
  // B, s, E at one timestamp: the s is processed while the marker is open.
  begin(track, SliceKind::kMarker, flow_id, ts, marker, "flow");
  header('s', track, ts);
  json_.field("name", flow_name).field("cat", "flow").field("id", flow_id).end_object();
  end(track, SliceKind::kMarker, flow_id, ts);
}

void TraceEventSink::flow_end(TrackId track, int64_t ts, std::string_view flow_name,
                              uint64_t flow_id) {
  header('f', track, ts);
  json_.field("name", flow_name).field("cat", "flow").field("id", flow_id).field("bp", "e");
  json_.end_object();
}

void TraceEventSink::counter(int pid, int64_t ts, std::string_view name, std::string_view key,
                             int64_t value) {
  json_.newline().begin_object().field("ph", "C").field("pid", pid);
  json_.key("ts").micros(ts);
  json_.field("name", name);
  json_.key("args").begin_object().field(key, value).end_object().end_object();
  ++counters_;
}

void TraceEventSink::instant(TrackId track, int64_t ts, std::string_view name,
                             std::initializer_list<Arg> args) {
  header('i', track, ts);
  json_.field("name", name).field("s", "t");
  write_args(args);
  json_.end_object();
}

}  // namespace taskscope::analyzer::stats
