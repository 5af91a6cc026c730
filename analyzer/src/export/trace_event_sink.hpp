// Writing Chrome trace events with well-nested slices (private to the analyzer).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/json_output.hpp"

namespace taskscope::analyzer {

struct TrackId {
  int pid = 0;
  uint64_t tid = 0;
};

enum class SliceKind : uint8_t { kLifetime, kPoll, kWait, kSpan, kHold, kMarker };

// One "args" entry: text, or a number when `text` is null.
struct Arg {
  std::string_view key;
  const char* text = nullptr;
  int64_t number = 0;
};

// Writes the traceEvents array. Trace viewers match an "E" to the latest open "B"
// of the same track, so an end that does not match the innermost slice would
// close the wrong one. Invariant: open_[track] mirrors the B events not yet ended,
// innermost last; end() closes the inner slices first, and end_document() closes
// everything, so the output always nests.
//
// Slices need not nest in the trace (a lock taken inside a span and released
// after it, a hold or span of a task that outlasts its poll). An inner slice
// that outlasts the one end() closes is cut there and goes on as a second slice
// of the same name, so every slice covers its whole time. A wait is the
// exception: it belongs to the poll it was made in (the worker is free once the
// poll returns), so it ends with it.
class TraceEventSink {
 public:
  explicit TraceEventSink(std::ostream& out);
  void begin_document();
  // Closes every open slice at `end_ns` (marked "unfinished") and finishes the
  // JSON document.
  void end_document(int64_t end_ns);

  void name_process(int pid, std::string_view name, int sort_index);
  void name_track(TrackId track, std::string_view name);
  // `category` must be a string literal: it is kept while the slice is open.
  void begin(TrackId track, SliceKind kind, uint64_t id, int64_t ts, std::string_view name,
             std::string_view category, std::initializer_list<Arg> args = {});
  // Ends the innermost open slice of `kind` (and `id`, unless kAnyId) on the track;
  // false when none is open (its begin preceded the trace).
  static constexpr uint64_t kAnyId = UINT64_MAX;
  bool end(TrackId track, SliceKind kind, uint64_t id, int64_t ts,
           std::initializer_list<Arg> args = {});
  // Ends every slice open on the track (its agent ended).
  void close_track(TrackId track, int64_t ts);
  // A zero-length slice at `ts` carrying the start of flow `flow_id`.
  void flow_start(TrackId track, int64_t ts, std::string_view marker, std::string_view flow_name,
                  uint64_t flow_id);
  // The end of flow `flow_id`, bound to the slice open on `track` at `ts`.
  void flow_end(TrackId track, int64_t ts, std::string_view flow_name, uint64_t flow_id);
  void counter(int pid, int64_t ts, std::string_view name, std::string_view key, int64_t value);
  void instant(TrackId track, int64_t ts, std::string_view name, std::initializer_list<Arg> args);

  uint64_t slices() const { return slices_; }
  uint64_t counters() const { return counters_; }

 private:
  struct OpenSlice {
    SliceKind kind;
    uint64_t id;
    std::string name;
    std::string_view category;
  };
  using Stack = std::vector<OpenSlice>;
  static uint64_t track_key(TrackId track) {
    return (track.tid << 1) | static_cast<uint64_t>(track.pid == 2);
  }
  void header(char phase, TrackId track, int64_t ts);
  // A metadata event ("ph": "M") named `what`, for a process (no tid) or a
  // track, up to its open "args" object; close_metadata() ends both.
  void open_metadata(int pid, std::optional<uint64_t> tid, const char* what);
  void close_metadata();
  void write_begin(TrackId track, int64_t ts, std::string_view name, std::string_view category,
                   std::initializer_list<Arg> args);
  void write_args(std::initializer_list<Arg> args);
  void write_end(TrackId track, int64_t ts, std::initializer_list<Arg> args);

  JsonStream stream_;
  JsonWriter json_;
  std::unordered_map<uint64_t, std::pair<TrackId, Stack>> open_;
  Stack cut_;  // scratch for end(): the inner slices it cuts, outermost first
  uint64_t slices_ = 0, counters_ = 0;
};

}  // namespace taskscope::analyzer
