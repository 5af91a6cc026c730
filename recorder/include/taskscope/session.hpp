// Recording sessions: start, stop, and flight-recorder dumps.
#pragma once

#include <cstdint>
#include <string>

namespace taskscope {

enum class Mode { kStream, kFlight };

struct Config {
  std::string output = "taskscope.tscope";  // stream: file written as we go; flight: dump target
  Mode mode = Mode::kStream;
  uint64_t ring_bytes = 1 << 20;       // per-thread ring
  // Process-wide budget of spill blocks, where a thread's events go while its
  // ring is full (0 = none: a full ring drops). The default keeps a burst of
  // 2 M events whole (docs/architecture.md, "Bursts: spill blocks").
  uint64_t spill_bytes = 64 << 20;
  uint64_t flight_bytes = 64 << 20;    // flight: compressed frames kept in memory
  uint64_t flush_interval_ms = 50;     // flusher timer (TASKSCOPE_FLUSH_INTERVAL)
  uint64_t hang_timeout_ms = 0;        // watchdog: dump when nothing progressed this long (0 = off)
  bool abort_on_hang = false;          // after the watchdog's dump, terminate the process
  int dump_signal = 12;                // SIGUSR2: dump the flight window (0 = none)
  bool dump_on_fatal_signal = true;    // SIGSEGV, SIGBUS, SIGABRT, SIGFPE
  // What a thread does when its ring and the spill budget are both full:
  // false = drop (counted), true = wait for the flusher (TASKSCOPE_ON_FULL=block).
  bool lossless = false;
  // true: every lock hold is recorded (TASKSCOPE_HOLDS=all). false: the preload
  // shim and taskscope::mutex keep an uncontended plain mutex's hold out of the
  // trace unless it adds a lock-order edge, is held while the thread waits or
  // records, or another thread waits for it (docs/architecture.md, "Uncontended
  // locks").
  bool every_hold = false;
  int zstd_level = 1;  // zstd's fast end: the flusher's main cost (docs/trace-format.md)
  // Permissions of trace files (before the umask). Private by default: a trace
  // holds what the program did, names and addresses included.
  unsigned file_mode = 0600;
  std::string process_name;            // default: /proc/self/comm
};

// Reads TASKSCOPE_OUTPUT, TASKSCOPE_MODE (stream|flight), TASKSCOPE_BUFFER (e.g. 64M),
// TASKSCOPE_RING, TASKSCOPE_SPILL (e.g. 64M, 0 = none), TASKSCOPE_ON_FULL (drop|block),
// TASKSCOPE_HANG_TIMEOUT (e.g. 2s, 500ms), TASKSCOPE_ABORT_ON_HANG (0|1),
// TASKSCOPE_SIGNAL (number, 0 = none), TASKSCOPE_LOSSLESS (0|1, as ON_FULL),
// TASKSCOPE_HOLDS (needed|all), TASKSCOPE_FILE_MODE
// (octal, e.g. 0640), TASKSCOPE_FLUSH_INTERVAL (e.g. 50ms) over `base`. In a
// secure-execution process (setuid, setgid, file capabilities: AT_SECURE) the
// environment is not trusted and `base` is returned unchanged.
Config config_from_environment(Config base = {});

// Starts recording. Returns false (and records nothing) if a session is already
// running or the output cannot be opened.
bool start(const Config& config);
// Flushes everything and closes the file (flight mode: dumps the window first).
// Safe while other threads are blocked or deadlocked; idempotent.
void stop();
// Flight mode: writes the current window to `path` (empty = the configured output).
// Stream mode: flushes. Returns false on I/O error.
bool dump(const std::string& path = {});
bool is_recording();

// Counters of the running (or last) session, for tests and `info`.
struct Stats {
  uint64_t events = 0;
  uint64_t dropped = 0;
  uint64_t frames = 0;
  uint64_t bytes = 0;
};
Stats session_stats();

}  // namespace taskscope
