// Streaming trace reader.
//
// FrameReader walks the frames of a file one at a time, verifying each (preamble
// check, zstd content checksum, FlatBuffers Verifier); a damaged frame is reported
// and skipped by resynchronising on the next preamble. TraceReader builds on it
// and yields events in global time order by merging per-thread batches; memory is
// bounded by the merge window each batch states (its watermark), not by the file.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "taskscope/format/event.hpp"
#include "taskscope/format/trace.hpp"

struct ZSTD_DCtx_s;

namespace taskscope::format {

// A problem found in the file that did not stop reading.
struct Damage {
  uint64_t offset = 0;  // byte offset of the frame (or of the bytes skipped)
  std::string reason;
};

// What the reader found about the file as a whole. Complete after the last event.
struct ReadStatus {
  uint64_t frames = 0;             // complete, valid frames
  uint64_t frames_by_type[6] = {};  // indexed by FrameType
  uint64_t events = 0;             // live events yielded (snapshot events not counted)
  uint64_t snapshot_events = 0;
  uint64_t late_events = 0;        // events that arrived after their merge window
  uint64_t bytes = 0;              // file size
  bool truncated = false;          // file ends inside a frame
  uint64_t truncated_at = 0;       // offset of the incomplete frame
  std::vector<Damage> damage;      // corrupt frames skipped
  std::optional<TraceFooter> footer;
  uint64_t dropped_events = 0;     // sum of kDropped events seen
  int64_t first_ns = 0, last_ns = 0;

  bool clean() const { return !truncated && damage.empty(); }
  // The trace's time range, the one every command reports: from the first live
  // event to the later of the last event and the footer's close (a trace ended
  // by the watchdog or after a signal ends when the program stopped, which may
  // be long after its last event). Starts at 0 when there is no event.
  int64_t start_ns() const { return events ? first_ns : 0; }
  int64_t end_ns() const {
    const int64_t end = events ? last_ns : 0;
    return footer && footer->end_ns > end ? footer->end_ns : end;
  }
  // Saturates: a forged trace can put its events 2^63 ns apart.
  int64_t duration_ns() const {
    int64_t duration;
    return __builtin_sub_overflow(end_ns(), start_ns(), &duration) ? INT64_MAX : duration;
  }
  // One line: "truncated after 12 complete frames", "2 corrupt frames (first at
  // offset 4096: zstd checksum mismatch)", or "complete".
  std::string summary() const;
};

// One decoded frame. Only the member matching `type` is filled.
struct FrameView {
  FrameType type{};
  uint64_t offset = 0;
  uint64_t stored_size = 0;  // preamble + compressed payload
  uint64_t raw_size = 0;
  TraceHeader header;
  std::vector<StringEntry> strings;
  uint64_t thread = 0;            // batch: recording thread
  int64_t watermark_ns = 0;       // batch
  uint32_t generation = 0;        // snapshot
  std::vector<Event> events;      // batch or snapshot (time-ordered)
  TraceFooter footer;
};

class FrameReader {
 public:
  // Opens the file and reads its first frame, which must be a valid header.
  // Throws TraceError ("FILE: not a taskscope trace (bad magic)", "...: empty
  // file", "...: format version 3.0 is newer than this reader (1.x)").
  explicit FrameReader(const std::string& path);
  ~FrameReader();

  const std::string& path() const { return path_; }
  const TraceHeader& header() const { return header_; }
  // Next valid frame after the header; nullopt at end of file. Damage and
  // truncation are recorded in status(), never thrown.
  std::optional<FrameView> next();
  ReadStatus& status() { return status_; }
  const ReadStatus& status() const { return status_; }
  // Gives back a frame's event vector once consumed: the next frames decode
  // into it, so reading allocates (and faults in) no fresh memory per frame.
  void recycle(std::vector<Event>&& events);
  // Following a file that is still being written (`taskscope top`): looks at
  // the file's size again and, when it grew, lets next() go on from the end of
  // the last complete frame (an incomplete last frame is read again whole).
  // Returns true when there are new bytes.
  bool refresh();

 private:
  bool read_at(uint64_t offset, void* out, size_t size);
  // Offset of the next well-formed preamble at or after `from`, or size_ if none.
  uint64_t resync(uint64_t from);
  // Decodes the frame whose preamble is at pos_; on damage records it and returns
  // nullopt with pos_ moved past what was skipped.
  std::optional<FrameView> decode_at_pos();

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t pos_ = 0;
  TraceHeader header_;
  ReadStatus status_;
  std::vector<uint8_t> compressed_, raw_;
  std::vector<std::vector<Event>> spare_events_;
  ZSTD_DCtx_s* zstd_ = nullptr;  // reused for every frame
};

class TraceReader {
 public:
  explicit TraceReader(const std::string& path);  // throws TraceError like FrameReader
  ~TraceReader();

  const std::string& path() const;
  const TraceHeader& header() const;
  // Next event in time order; false at the end.
  bool next(Event& out);
  // Name or location text of a string id ("" for 0, "?<id>" when never defined).
  // The view stays valid until the next call of string() or next().
  std::string_view string(uint32_t id) const;
  const std::unordered_map<uint32_t, std::string>& strings() const { return strings_; }
  const ReadStatus& status() const;

  // Following a growing file (docs/top.md): while `following`, reaching the end
  // of the file's complete frames does not release events past the watermark
  // (a later frame may still precede them); next() returns false, and after
  // resume() found new bytes it goes on. Turning following off releases the rest.
  void set_following(bool following) { following_ = following; }
  // Looks for frames written since the end was reached; true when there are.
  bool resume();
  // No later frame holds an event before this time (the latest batch's promise).
  int64_t watermark_ns() const { return watermark_ns_; }
  // The footer was read: the writer closed the file.
  bool closed() const { return frames_.status().footer.has_value(); }

 private:
  // One slot of the merge: a batch, and the later batches of the same thread
  // that follow it in time, queued (a thread's frames then cost one slot).
  struct Cursor {
    std::vector<Event> events;
    size_t pos = 0;
    uint64_t thread = 0;  // 0: a shared batch or a snapshot, never queued to
    int64_t last_ns = 0;  // time of the last event, queued batches included
    std::deque<std::pair<std::vector<Event>, uint64_t>> queued;  // events, file offset
  };
  // The merge key of a slot's head event, inline so that ordering never chases
  // a pointer; `sequence` (file offset of the head's frame) breaks ties
  // deterministically. A free slot's time is INT64_MAX, after every trace time.
  struct Key {
    int64_t ts;
    uint64_t sequence;
  };
  bool refill();
  void admit(FrameView& frame);
  // Plays the matches from the winning slot's leaf to the root after its key
  // changed (its batch moved on or ended).
  void replay(uint32_t slot);
  // Plays the whole tournament (after a batch was admitted).
  void build();

  FrameReader frames_;
  std::unordered_map<uint32_t, std::string> strings_;
  // A tournament (loser) tree over slots: each event costs log2(slots)
  // comparisons (Knuth, TAOCP vol. 3, 5.4.1). losers_[0] is the slot with the
  // earliest head, losers_[n] for n >= 1 the loser of the match at inner node n.
  std::vector<Cursor> cursors_;  // per slot
  std::vector<Key> keys_;        // per slot
  std::vector<uint32_t> losers_;
  std::vector<uint32_t> winners_;  // build()'s scratch
  uint32_t active_ = 0;            // slots holding a batch
  int64_t watermark_ns_ = INT64_MIN;
  int64_t last_ns_ = INT64_MIN;
  bool eof_ = false;
  bool snapshot_taken_ = false;
  bool batch_seen_ = false;
  bool following_ = false;
  mutable std::string scratch_;
};

}  // namespace taskscope::format
