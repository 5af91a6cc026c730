// The analyzer's main entry point: replay a trace (or an event stream), build
// the wait-for graph at the instant asked for, run every detector, and render
// the findings as text, JSON (taskscope.report/2, docs/report-schema.md) or
// Graphviz dot.
//
//   Analysis analysis(options);
//   for (const Event& e : events) if (!analysis.feed(e)) break;
//   analysis.finish(strings, trace_info);
//   std::cout << analysis.render(OutputFormat::kText);
//
// analyze_file() does the same for a trace file through format::TraceReader.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "taskscope/analyzer/finding.hpp"
#include "taskscope/analyzer/names.hpp"
#include "taskscope/analyzer/replay.hpp"
#include "taskscope/analyzer/state.hpp"
#include "taskscope/analyzer/wait_for_graph.hpp"
#include "taskscope/format/event.hpp"

namespace taskscope::analyzer {

struct AnalyzeOptions {
  std::optional<int64_t> at_ns;        // analyze the state at this instant (default: the end)
  int64_t stall_ns = 1'000'000'000;    // --stall: blocked or idle longer than this
  int64_t async_poll_ns = 10'000'000;  // a poll holding its worker longer than this
};

// What the report says about the trace file itself.
struct TraceInfo {
  std::string path;
  uint64_t events = 0;  // live events in the file
  // The file's time range (format::ReadStatus::start_ns/end_ns): --at must lie
  // in it, and the state is analyzed at end_ns unless --at says otherwise.
  int64_t start_ns = 0, end_ns = 0;
  int64_t duration_ns = 0;  // end_ns - start_ns
  uint64_t dropped_events = 0;
  bool truncated = false;
  bool damaged = false;  // truncated, or corrupt frames were skipped
  std::string status;  // format::ReadStatus::summary(): "complete", "truncated ..."
  // Events that contradicted the state replay had built (a release of a lock
  // not held, a sum past int64, ...): kept, flagged, and said in the report.
  uint64_t inconsistent_events = 0;
  std::string reason;  // why the file was written: "exit", "hang", "signal 11", ...
  std::string process;
  uint32_t threads_at_hang = 0;  // the program's live threads when the watchdog fired
  int64_t hang_timeout_ns = 0;
  // Modules whose files were not found here (or were another build): their
  // code is named "module+0x..." (docs/trace-format.md, "Module files").
  std::vector<MissingModule> missing_modules;
};

struct Report {
  TraceInfo trace;
  int64_t at_ns = 0;                // the instant the state describes
  std::vector<Finding> findings;    // errors first, then warnings, then info
  std::vector<std::string> census;  // agents by state, resources in use
  bool has_error() const;
};

enum class OutputFormat { kText, kJson, kDot };

class Detector;

class Analysis {
 public:
  explicit Analysis(AnalyzeOptions options = {});
  ~Analysis();
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;

  // Applies one event (time order). Returns false once the event lies past
  // --at: it was not applied, and the caller may stop feeding.
  bool feed(const format::Event& event);
  // Builds the wait-for graph, runs the detectors and fills report(). Keeps a
  // copy of `strings` for rendering. May be called again after more feed()s:
  // the live view (`taskscope top`, docs/top.md) replays a growing trace in
  // pieces and asks for the report after each; the last report is the one a
  // whole replay gives.
  void finish(const StringTable& strings, TraceInfo info);
  // Adds an observer of the replay (see Replayer::add_observer).
  void add_observer(EventObserver* observer) { replayer_.add_observer(observer); }

  const Report& report() const { return report_; }
  const State& state() const { return replayer_.state(); }
  const WaitForGraph& graph() const { return graph_; }
  const StuckSet& stuck() const { return stuck_; }
  const Names& names() const { return *names_; }
  std::string render(OutputFormat format) const;

 private:
  class ModuleCollector;
  AnalyzeOptions options_;
  Replayer replayer_;
  std::unique_ptr<Symbolizer> symbolizer_;
  std::unique_ptr<ModuleCollector> modules_;
  std::vector<std::unique_ptr<Detector>> detectors_;
  WaitForGraph graph_;
  StuckSet stuck_;
  std::vector<StuckGroup> groups_;
  StringTable strings_;
  std::unique_ptr<Names> names_;
  Report report_;
  bool past_at_ = false;
  size_t modules_symbolized_ = 0;  // modules_ already given to the symbolizer
};

// Reads and analyzes a trace file. Throws format::TraceError when the file is
// missing or not a trace; damage and truncation are reported, not thrown.
std::unique_ptr<Analysis> analyze_file(const std::string& path, const AnalyzeOptions& options = {});

}  // namespace taskscope::analyzer
