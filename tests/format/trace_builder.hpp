// Builds small traces in memory or on disk for format tests.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "taskscope/format/reader.hpp"
#include "taskscope/format/writer.hpp"

namespace taskscope::format::testing {

inline TraceHeader test_header() {
  TraceHeader h;
  h.version_major = kFormatMajor;
  h.version_minor = kFormatMinor;
  h.process_name = "unit";
  h.pid = 42;
  h.mode = "stream";
  return h;
}

// A temporary file path removed when the object goes away.
class TempPath {
 public:
  explicit TempPath(const std::string& stem) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
              ".tscope"))
                .string();
  }
  ~TempPath() { std::filesystem::remove(path_); }
  const std::string& str() const { return path_; }

 private:
  std::string path_;
};

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Appends frames to a byte vector (an in-memory file).
struct TraceBytes {
  FrameEncoder encoder{1};
  std::vector<uint8_t> bytes;
  std::vector<size_t> frame_ends;

  void add(const Frame& frame) {
    bytes.insert(bytes.end(), frame.begin(), frame.end());
    frame_ends.push_back(bytes.size());
  }
  void header(TraceHeader h = test_header()) { add(encoder.header(h)); }
  void strings(std::vector<StringEntry> entries) { add(encoder.strings(entries)); }
  void batch(uint64_t thread, const std::vector<Event>& events, int64_t watermark) {
    std::vector<Frame> frames;
    encoder.batch(thread, events, watermark, frames);
    for (auto& f : frames) add(f);
  }
  void footer(TraceFooter f) { add(encoder.footer(f)); }
};

inline Event make_event(int64_t ts, uint64_t thread, EventKind kind, uint64_t a = 0,
                        uint64_t b = 0, uint8_t op = 0, uint32_t str = 0, uint16_t flags = 0) {
  Event e;
  e.ts_ns = ts;
  e.thread = thread;
  e.kind = kind;
  e.op = op;
  e.flags = flags;
  e.str = str;
  e.a = a;
  e.b = b;
  return e;
}

// Reads a whole trace back: its events in order, and the reader for its status.
struct ReadBack {
  explicit ReadBack(const std::string& path) : reader(path) {
    Event e;
    while (reader.next(e)) events.push_back(e);
  }
  TraceReader reader;
  std::vector<Event> events;
};

}  // namespace taskscope::format::testing
