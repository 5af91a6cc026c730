// The recorder's background thread: drains the per-thread rings, encodes and
// compresses batches, and writes them (stream) or keeps them (flight).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hot_path/clock.hpp"
#include "output/flight_buffer.hpp"
#include "process/modules.hpp"
#include "output/state_mirror.hpp"
#include "output/stream_writer.hpp"
#include "taskscope/format/writer.hpp"
#include "taskscope/session.hpp"
#include "hot_path/thread_context.hpp"
#include "process/watchdog.hpp"

namespace taskscope::detail {

// One session's flusher. Owns the encoder, the output (StreamWriter or
// FlightBuffer), the state mirror and the watchdog; all of them are touched by
// the flusher thread only (before start() and after the thread ended, by the
// session). Other threads reach it through the process-wide wake-up word, the
// request queue (dump()), and atomic flags (signals).
//
// Each round: note the time, drain every ring, (flight) open a generation with
// a snapshot when due, feed the mirror, write new strings, then one batch per
// thread. A batch's watermark is the start time of the previous round: a
// producer preempted between its timestamp and its commit is then still
// covered, so the reader's merge bound holds.
class Flusher {
 public:
  Flusher(const Config& config, const Calibration& clock, std::string output,
          std::vector<ModuleInfo> modules);
  ~Flusher();
  Flusher(const Flusher&) = delete;
  Flusher& operator=(const Flusher&) = delete;

  // Opens the output (stream: writes the header). False if it cannot.
  bool open();
  // Module map events for the start of a stream trace (flight mode puts them in
  // every snapshot instead).
  std::vector<format::Event> module_events(uint64_t thread) const;
  bool start_thread();
  // Last round, footer or final dump, close; joins the thread. `reason` goes
  // into a flight dump's header ("stop", "exit").
  void finish(const std::string& reason);
  // Blocks (bounded) until the flusher has done a round and, in flight mode,
  // written the window to `path`.
  bool dump(const std::string& path);

  // Fatal-signal support: header frames prepared in advance for each signal.
  const format::Frame* crash_header(int signal) const;
  FlightBuffer* flight() const { return flight_.get(); }
  const std::string& output() const { return output_; }
  int stream_fd() const { return stream_ != nullptr ? stream_->fd() : -1; }

 private:
  struct Segment {
    uint64_t agent = 0;
    std::vector<format::Event> events;
  };
  struct DumpRequest {
    std::string path;
    bool done = false;
    bool ok = false;
  };

  void run();
  // One round: every ring, and at most kSpillPerRound spilled records of each
  // thread (backlog_ says whether some were left for later rounds).
  void round(bool final);
  // Rounds until no spilled record is left (bounded: a program that keeps
  // spilling cannot hold the flusher here), before a dump, a crash or the end.
  void round_until_drained(bool final);
  void drain(ThreadContext* context, bool final);
  Segment& open_segment(uint64_t agent);
  void feed_mirror();
  void emit(format::Frame frame, uint64_t events);
  format::TraceHeader header(const std::string& reason) const;
  format::Frame footer_frame(uint64_t events, uint64_t frames);
  // Stream mode: writes the footer (counts, end time) and closes the file.
  void close_stream_with_footer();
  // Flight mode: writes the window, then the deferred holds of every thread.
  bool dump_window(const std::string& path, const std::string& reason, bool with_footer);
  // Deferred lock holds (deferred_holds.cpp): `context`'s as kAcquired events;
  // every thread's into its FlushCursor::deferred, written after the thread's
  // own events by the next drain (where recording ends); every thread's as
  // frames after a flight window (returns their events).
  void deferred_hold_events(ThreadContext* context, std::vector<format::Event>& out);
  void publish_deferred_holds();
  // Where recording ends: every ring and chain, then (stream mode) the holds
  // still deferred, after every event their threads wrote.
  void drain_with_deferred_holds(bool final);
  uint64_t deferred_hold_frames(std::vector<format::Frame>& out);
  void serve_requests();
  void on_hang();
  void on_crash(int signal);
  void park();
  // True when the program's last thread has ended and only this one keeps the
  // process alive (see last_thread.hpp); checked every kThreadCheckNs.
  bool program_ended();

  const Config config_;
  const Calibration clock_;
  const std::string output_;
  std::vector<ModuleInfo> modules_;
  format::FrameEncoder encoder_;
  std::unique_ptr<StreamWriter> stream_;
  std::unique_ptr<FlightBuffer> flight_;
  std::vector<std::pair<int, format::Frame>> crash_headers_;
  StateMirror mirror_;
  bool mirror_enabled_;
  HangWatchdog watchdog_;

  // Round state (flusher thread).
  std::vector<ThreadContext*> contexts_;
  std::vector<ThreadContext*> drained_retired_;
  std::vector<Segment> segments_;
  size_t segments_used_ = 0;
  std::vector<format::Event> scratch_;
  std::vector<format::Frame> frames_;
  bool backlog_ = false;  // the last round left spilled records for the next
  std::vector<format::ThreadEvents> round_batches_;  // round(): the batches to encode
  std::vector<uint64_t> frame_events_;              // round(): live events per frame
  std::vector<format::StringEntry> strings_;
  std::vector<DeferredHold> holds_;  // deferred_hold_events()' scratch
  uint32_t next_string_ = 1;
  int64_t watermark_ns_ = 0;
  int64_t newest_event_ns_ = -1;  // newest live event of the current round
  int64_t promised_watermark_ns_ = 0;  // stream: watermark of the last batch written
  int64_t last_batch_ns_ = 0;          // stream: round time of the last batch written
  uint32_t threads_at_hang_ = 0;   // the program's live threads when the watchdog fired
  uint32_t generation_ = 0;
  uint64_t strings_frames_since_compaction_ = 0;
  int64_t next_thread_check_ns_ = 0;

  std::thread thread_;
  std::atomic<bool> stop_requested_{false};
  bool crashed_ = false;  // a crash dump was written: leave everything as it is
  std::mutex requests_mutex_;
  std::condition_variable requests_done_;
  std::deque<std::shared_ptr<DumpRequest>> requests_;
  std::atomic<bool> requests_pending_{false};
};

}  // namespace taskscope::detail
