// The flight recorder's in-memory window of encoded frames.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "taskscope/format/writer.hpp"

namespace taskscope::detail {

// Keeps the last `window_bytes` of encoded frames in generations. Each
// generation starts with a snapshot frame, so dropping whole generations from
// the front always leaves a window that begins with complete state. String
// frames are kept apart and never dropped (a dump must resolve every name) and
// do not count against the window.
//
// Threads: only the flusher mutates it; a fatal-signal handler may read it
// (write_from_signal) after freeze(). Mutations are bracketed by
// begin_mutation()/end_mutation() so that a frozen buffer is never changed
// under a reader and a reader never walks a half-changed buffer.
class FlightBuffer {
 public:
  explicit FlightBuffer(uint64_t window_bytes);

  // True when the next round should open a new generation (none yet, or the
  // current one reached its share of the window).
  bool wants_generation() const noexcept;
  // The caller holds begin_mutation() for these four.
  void start_generation(format::Frame snapshot);
  void append(format::Frame frame, uint64_t events);
  void add_strings(format::Frame frame);
  // Replaces every string frame by one holding the whole table.
  void replace_strings(format::Frame all);
  size_t string_frame_count() const noexcept { return strings_.size(); }

  // False when the buffer is frozen (a crash dump reads it): do not touch it.
  bool begin_mutation() noexcept;
  void end_mutation() noexcept;

  // Writes header, string frames, every generation, `tail` and `footer` (if
  // any) to a new file (permissions `mode`) renamed to `path`, so a reader
  // never sees half a dump and a crash never leaves a half-overwritten older
  // one (output_file.hpp). Flusher thread only.
  bool write(const std::string& path, const format::Frame& header,
             const std::vector<format::Frame>& tail, const format::Frame* footer,
             mode_t mode) const;
  // Events and frames write() would put in the file (without header, strings,
  // tail and footer).
  uint64_t events() const noexcept;
  uint64_t frames() const noexcept;
  uint64_t bytes() const noexcept { return bytes_; }

  // Fatal-signal path. freeze() stops further mutations and waits (bounded) for
  // one in progress; write_from_signal() uses only async-signal-safe calls.
  bool freeze() noexcept;
  bool write_from_signal(const char* path, const char* temp_path,
                         const format::Frame& header, mode_t mode) const noexcept;

 private:
  bool write_window(int fd, const format::Frame& header) const noexcept;
  struct Generation {
    std::vector<format::Frame> frames;
    uint64_t bytes = 0;
    uint64_t events = 0;
  };
  void evict();

  uint64_t window_bytes_;
  uint64_t generation_bytes_;
  std::deque<Generation> generations_;
  std::vector<format::Frame> strings_;
  uint64_t bytes_ = 0;  // of all generations
  std::atomic<bool> mutating_{false};
  std::atomic<bool> frozen_{false};
};

}  // namespace taskscope::detail
