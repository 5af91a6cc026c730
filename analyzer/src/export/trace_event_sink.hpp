// Writing Chrome trace events with well-nested slices (private to the analyzer).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/json_writer.hpp"

namespace taskscope::analyzer::stats {

struct TrackId {
  int pid = 0;
  uint64_t tid = 0;
};

enum class SliceKind : uint8_t { kLifetime, kPoll, kWait, kSpan, kMarker };

// One "args" entry: text, or a number when `text` is null.
struct Arg {
  std::string_view key;
  const char* text = nullptr;
  int64_t number = 0;
  std::string_view text_view() const { return text ? std::string_view(text) : std::string_view(); }
};

// Writes the traceEvents array. Trace viewers match an "E" to the latest open "B"
// of the same track, so an end that does not match the innermost slice would
// close the wrong one. Invariant: open_[track] mirrors the B events not yet ended,
// innermost last; end() closes the inner slices first, and end_document() closes
// everything, so the output always nests.
class TraceEventSink {
 public:
  explicit TraceEventSink(std::ostream& out);
  void begin_document();
  // Closes every open slice at `end_ns` and finishes the JSON document.
  void end_document(int64_t end_ns);

  void name_process(int pid, std::string_view name, int sort_index);
  void name_track(TrackId track, std::string_view name);
  void begin(TrackId track, SliceKind kind, uint64_t id, int64_t ts, std::string_view name,
             std::string_view category, std::initializer_list<Arg> args = {});
  // Ends the innermost open slice of `kind` (and `id`, unless kAnyId) on the track;
  // false when none is open (its begin preceded the trace).
  static constexpr uint64_t kAnyId = UINT64_MAX;
  bool end(TrackId track, SliceKind kind, uint64_t id, int64_t ts,
           std::initializer_list<Arg> args = {});
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
  };
  static uint64_t track_key(TrackId track) {
    return (track.tid << 1) | static_cast<uint64_t>(track.pid == 2);
  }
  void header(char phase, TrackId track, int64_t ts);
  void write_args(std::initializer_list<Arg> args);
  void write_end(TrackId track, int64_t ts, std::initializer_list<Arg> args);

  JsonWriter json_;
  std::unordered_map<uint64_t, std::pair<TrackId, std::vector<OpenSlice>>> open_;
  uint64_t slices_ = 0, counters_ = 0;
};

}  // namespace taskscope::analyzer::stats
