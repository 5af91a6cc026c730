// Encoding of trace frames, and a file writer that appends them.
//
// A frame is a fixed 20-byte little-endian preamble followed by a zstd frame
// (content checksum on) holding one FlatBuffers buffer with the file identifier
// "TSCP". The encoder is separate from the file so that the flight recorder can
// keep encoded frames in memory and write them later.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "taskscope/format/event.hpp"
#include "taskscope/format/trace.hpp"

namespace taskscope::format {

using Frame = std::vector<uint8_t>;

// One recording thread's events of a flusher round, in time order.
struct ThreadEvents {
  uint64_t thread = 0;
  std::span<const Event> events;
};

// A batch of at most this many events shares a frame with the round's other
// small batches (FrameEncoder::batches).
inline constexpr size_t kSharedBatchMaxEvents = 256;

// Turns headers, strings and events into self-contained frames. Not thread-safe:
// one encoder per thread (it keeps scratch buffers between calls).
class FrameEncoder {
 public:
  explicit FrameEncoder(int zstd_level = 3);
  ~FrameEncoder();
  FrameEncoder(const FrameEncoder&) = delete;
  FrameEncoder& operator=(const FrameEncoder&) = delete;
  FrameEncoder(FrameEncoder&&) noexcept;
  FrameEncoder& operator=(FrameEncoder&&) noexcept;

  Frame header(const TraceHeader& header);
  Frame strings(std::span<const StringEntry> entries);
  // Events of one recording thread in time order. `watermark_ns` promises that
  // every event in any later frame has ts_ns >= watermark_ns (the reader's merge
  // bound). Appends one or more frames to `out` (long batches are split).
  void batch(uint64_t thread, std::span<const Event> events, int64_t watermark_ns,
             std::vector<Frame>& out);
  // The batches of one flusher round, all promising `watermark_ns`. A batch of
  // more than kSharedBatchMaxEvents events gets frames of its own, as batch()
  // writes them; the small ones share frames: their events are merged by time
  // (ties in the order given) and each keeps its thread in the thread column,
  // so that many short-lived threads cost a few bytes per event rather than a
  // frame each (docs/trace-format.md, "Event batch"). Appends the frames to
  // `out` and the live events each holds to `events_in_frame`.
  void batches(std::span<const ThreadEvents> batches, int64_t watermark_ns,
               std::vector<Frame>& out, std::vector<uint64_t>& events_in_frame);
  // An event batch with no events: it only promises `watermark_ns`, so that a
  // reader following a stream trace can release the events before it while the
  // program records nothing (every thread blocked).
  Frame watermark(int64_t watermark_ns);
  // Live state at `time_ns` as synthetic events (kFlagSnapshot set by the encoder),
  // for the start of a flight-recorder generation.
  Frame snapshot(int64_t time_ns, uint32_t generation, std::span<const Event> state);
  Frame footer(const TraceFooter& footer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Appends frames to a file. Errors are reported by return value, never thrown,
// because the recorder must not throw into the program it records.
class TraceFile {
 public:
  TraceFile() = default;
  ~TraceFile();
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;

  bool open(const std::string& path);  // truncates
  // Creates `path` as a new file with exactly `mode`: never an existing file,
  // never through a symlink (for a file renamed into place afterwards).
  bool create(const std::string& path, unsigned mode);
  bool write(const Frame& frame);
  bool write_raw(const uint8_t* data, size_t size);
  bool flush();
  void close();
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  uint64_t bytes_written() const { return bytes_; }

 private:
  int fd_ = -1;
  uint64_t bytes_ = 0;
};

}  // namespace taskscope::format
