// Plain C++ views of the trace file's non-event frames, shared by the writer
// and the reader. No FlatBuffers types leak through this header.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace taskscope::format {

// Frame types, as stored in each frame's preamble.
enum class FrameType : uint8_t {
  kHeader = 1,
  kStrings = 2,
  kEventBatch = 3,
  kSnapshot = 4,
  kFooter = 5,
};
const char* frame_type_name(FrameType type);

struct TraceHeader {
  uint16_t version_major = 0;
  uint16_t version_minor = 0;
  std::string process_name;
  uint32_t pid = 0;
  int64_t start_unix_ns = 0;        // wall clock at trace time 0
  double ticks_per_ns = 0;          // clock calibration: timestamp counter ticks per ns
  uint64_t start_ticks = 0;         // counter value at trace time 0
  std::string mode;                 // "stream" or "flight"
  uint64_t buffer_bytes = 0;        // per-thread ring size (stream) or flight window size
  int64_t hang_timeout_ns = 0;      // 0 = watchdog off
  std::string reason;               // why the file was written ("exit", "hang", "signal 11", ...)
  // Written on hang (format 1.3): the program's live threads when the watchdog
  // fired, the recorder's own excluded (0 = not known). When every one of them is
  // a recorded agent inside a recorded wait, nobody is left to act.
  uint32_t threads_at_hang = 0;
  // Format 1.5: which lock holds were recorded. "all": every one; "needed": an
  // uncontended plain mutex's hold only where it matters (docs/architecture.md,
  // "Uncontended locks"). Empty in older traces, which recorded every hold.
  std::string holds{};
};

// Trace times (ns since the trace's start) lie within +-2^61 ns (73 years); a
// frame that holds a time outside is damaged (docs/trace-format.md, "Damage
// and truncation"). Any two trace times then differ by less than int64 holds.
inline constexpr int64_t kMaxTraceTimeNs = int64_t{1} << 61;
constexpr bool trace_time_valid(int64_t ns) { return ns >= -kMaxTraceTimeNs && ns <= kMaxTraceTimeNs; }

struct StringEntry {
  uint32_t id = 0;
  std::string text;
};

struct TraceFooter {
  uint64_t events = 0;          // events written (excluding snapshot events)
  uint64_t frames = 0;          // frames written before the footer
  uint64_t dropped_events = 0;  // events lost in full rings
  int64_t end_ns = 0;           // trace time of the clean close
};

// Every failure to read a trace: names the file, and the byte offset when known.
class TraceError : public std::runtime_error {
 public:
  TraceError(const std::string& path, const std::string& reason);
  const std::string& path() const { return path_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string path_;
  std::string reason_;
};

}  // namespace taskscope::format
