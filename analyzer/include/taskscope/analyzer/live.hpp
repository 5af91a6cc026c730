// The live view of a running program (`taskscope top`, docs/top.md): a stream
// trace followed while it is written, replayed in pieces into the analyzer's one
// State (an Analysis fed as frames arrive), and summarised into frames — what
// each agent does now and for how long, the locks and channels in use, and the
// findings that the events so far prove.
//
//   LiveSession session(path, options);
//   while (...) { session.poll(); show(session.frame()); sleep(interval); }
//
// Memory is bounded by what is live, as replay's is: the reader holds one merge
// window, the state forgets ended agents, and the per-agent meters and recent
// waits here are dropped with their agents.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "taskscope/analyzer/analysis.hpp"
#include "taskscope/analyzer/finding.hpp"
#include "taskscope/format/reader.hpp"

namespace taskscope::analyzer {

struct LiveOptions {
  int64_t stall_ns = 1'000'000'000;        // --stall: the stalled finding's threshold
  int64_t done_visible_ns = 5'000'000'000;  // ended agents stay in the table this long
  size_t done_rows = 200;                   // and the table shows at most this many, newest
  size_t recent_waits = 4;                  // finished waits kept per agent
};

// One agent's line in the table, with what a selection shows about it.
struct LiveAgent {
  AgentRef ref;            // name, type, run state, spawn chain, holds (as in reports)
  std::string state;       // running, polling, runnable, blocked, idle, done, unknown
  int64_t state_for_ns = 0;
  std::string waiting_on;  // "sending on channel \"to-b\"" (blocked only)
  SourceLocation wait_site;
  double busy_percent = -1;  // since the previous frame; -1 unknown
  uint64_t polls = 0;
  int64_t sched_p99_ns = -1;  // poll scheduling latency (woken to polled), -1 none
  int64_t memory_bytes = 0;
  std::vector<std::string> spans;         // outermost first: "fetch(url=...)"
  std::vector<std::string> recent_waits;  // newest first: "locking mutex m for 2 ms at f.c:3"
};

struct LiveLock {
  ResourceRef ref;  // owner, holders and waiters as in reports
  std::vector<std::string> waiters;
};

struct LiveChannel {
  ResourceRef ref;
  double depth_per_s = 0;  // change of depth since the previous frame
};

struct LiveFrame {
  std::string program;
  uint32_t pid = 0;
  std::string path;
  bool ended = false;     // the writer closed the file (or the program ended)
  std::string status;     // "running", or how the trace ended ("exit", "hang", ...)
  int64_t elapsed_ns = 0;  // trace time the state describes
  uint64_t events = 0;
  double events_per_s = 0;
  uint64_t dropped_events = 0;
  std::map<std::string, uint32_t> threads_by_state, tasks_by_state;
  std::vector<LiveAgent> agents;
  std::vector<LiveLock> locks;
  std::vector<LiveChannel> channels;
  std::vector<Finding> warnings;  // every finding of the analysis, errors first
};

class LiveSession {
 public:
  // Opens the trace (format::TraceError when it is missing or not a trace).
  LiveSession(const std::string& path, LiveOptions options = {});
  ~LiveSession();
  LiveSession(const LiveSession&) = delete;
  LiveSession& operator=(const LiveSession&) = delete;

  // Replays what the file holds now beyond what was replayed before, up to the
  // writer's watermark. Returns the number of events applied.
  uint64_t poll();
  // The writer is gone (its program ended): replays the rest, past the watermark.
  uint64_t finish();
  // The file is complete (its footer was read), or finish() was called.
  bool ended() const;
  // The state now, summarised. Rates are since the previous frame().
  LiveFrame frame();

  const Analysis& analysis() const { return *analysis_; }

 private:
  class Meter;
  uint64_t drain();
  TraceInfo trace_info() const;

  LiveOptions options_;
  format::TraceReader reader_;
  std::unique_ptr<Analysis> analysis_;
  std::unique_ptr<Meter> meter_;
  bool finished_ = false;
  // Values at the previous frame, for rates.
  int64_t previous_ns_ = -1;
  uint64_t previous_events_ = 0;
  std::map<ResourceId, uint64_t> previous_depth_;
};

// The agents table as cells, header row first (AGENT, TYPE, STATE, FOR, WAIT
// SITE, BUSY%, POLLS, SCHED.p99, MEM): the text frame's and the screen's.
std::vector<std::vector<std::string>> live_agent_rows(const LiveFrame& frame);
// One frame as plain text (batch mode, docs/top.md), ending with a newline.
std::string render_live_text(const LiveFrame& frame);
// One frame as one JSON line (schema taskscope.top/1, docs/top.md), no newline.
std::string render_live_json(const LiveFrame& frame);

}  // namespace taskscope::analyzer
