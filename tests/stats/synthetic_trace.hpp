// Hand-built traces for the stats, diff and export tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "taskscope/format/event.hpp"
#include "taskscope/format/trace.hpp"

namespace taskscope::stats_test {

using format::EventKind;

// Collects events from any thread in any order and writes a valid trace file:
// header, strings, then per-thread batches in time windows whose watermark is the
// window's first timestamp: every later frame, including the other threads'
// batches of the same window, holds no earlier event (FrameEncoder::batch's promise).
class SyntheticTrace {
 public:
  uint32_t intern(std::string_view text);
  void add(int64_t ts, uint64_t thread, EventKind kind, uint8_t op = 0, uint64_t a = 0,
           uint64_t b = 0, uint32_t str = 0, uint16_t flags = 0);
  template <typename Op>
  void add_op(int64_t ts, uint64_t thread, EventKind kind, Op op, uint64_t a = 0, uint64_t b = 0,
              uint32_t str = 0) {
    add(ts, thread, kind, static_cast<uint8_t>(op), a, b, str);
  }
  void write(const std::string& path, const std::string& process = "synthetic") const;
  size_t size() const { return events_.size(); }

 private:
  std::vector<format::StringEntry> strings_;
  std::vector<format::Event> events_;
};

// A path under the build tree for a test's output file, removed at exit.
std::string temp_path(const std::string& name);

// Runs a shell command; returns its exit status, with stderr captured in `err`.
int run_command(const std::string& command, std::string* out = nullptr, std::string* err = nullptr);

}  // namespace taskscope::stats_test
