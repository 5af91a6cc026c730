// `taskscope export --format chrome`: the trace as Chrome trace-event JSON, for
// ui.perfetto.dev and chrome://tracing.
//
// Layout of the output:
//  - process 1 ("<program>"): one track per OS thread (thread_name metadata); task
//    polls as slices named after the task, waits as slices named after what they
//    wait on (the resource's name, "join <agent>", "sleep", "io fd N"), the
//    thread's own spans and lock holds, marks as instants; counters
//    "channel <name>" (series "depth") for channel depth, and user counters.
//  - process 2 ("<program> tasks"): one track per async task, holding its lifetime
//    (spawn to end), its polls, the waits made inside them, and its own spans,
//    lock holds and marks (those made while it was polled).
//  - lock holds ("holding <lock>", "holding <lock> (shared)", category "hold") on
//    the holder's track, from its first acquisition to the release of its last
//    (a recursive mutex is one hold; each reader of a shared lock has its own);
//    a hold still open when its agent ends or the trace ends is closed there.
//  - flow arrows (ph "s" / "f", "bp": "e") from each spawn to the task's first poll
//    and from each wake to the poll it caused. The start of an arrow binds to a
//    zero-length "spawn"/"wake" slice at the waker, so it always has a slice.
// Tracks, tasks and resources are named by the naming service (name_catalog.hpp),
// as in every command; a task's track name ("fetch#2") comes when the task ends
// if it is final by then, every other track's at the end of the file, once the
// whole trace is known. Slices still open at the trace's last event are closed
// there, with the argument "unfinished": "true". The agent an event belongs to is
// its acting agent (docs/event-model.md, "The acting agent"). Slices that overlap without nesting
// (a lock released after the span it was taken in ended) are cut so that each
// track nests: the inner one goes on as a second slice of the same name. Events
// are written as they are read: memory is bounded by the live agents and
// resources, the names still to write and the runs of track ids, whatever the
// trace length.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace taskscope::format {
class TraceReader;
}

namespace taskscope::analyzer {

inline constexpr int kChromeThreadsPid = 1;
inline constexpr int kChromeTasksPid = 2;

struct ChromeExportSummary {
  uint64_t events_read = 0;
  uint64_t slices = 0;    // B/E pairs and zero-length markers
  uint64_t flows = 0;     // completed s/f pairs
  uint64_t counters = 0;  // C events
};

ChromeExportSummary export_chrome(format::TraceReader& reader, std::ostream& out);
// Reads `trace_path` (format::TraceError on unreadable input) and writes `out_path`
// ("-" for standard output); throws std::runtime_error when the output fails.
ChromeExportSummary export_chrome(const std::string& trace_path, const std::string& out_path);

}  // namespace taskscope::analyzer
