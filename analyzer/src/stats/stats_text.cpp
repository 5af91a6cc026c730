// The human-readable `taskscope stats` report (see stats.hpp).
#include <algorithm>
#include <cstdio>
#include <ostream>

#include "taskscope/analyzer/stats.hpp"
#include "common/units.hpp"

namespace taskscope::analyzer {
namespace {

using stats::format_bytes;
using stats::format_count;
using stats::format_duration;
using stats::format_percent;
using stats::printable;

std::string pad(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string pad_left(std::string text, size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

// "3 polls", "1 poll", "2 entries".
std::string counted(uint64_t n, std::string_view noun) {
  std::string text = format_count(n) + " " + std::string(noun);
  if (n == 1) return text;
  if (text.back() == 'y') return text.substr(0, text.size() - 1) + "ies";
  return text + "s";
}

// "    busy            812 ms  in 201 polls    p50 4.1 ms  p90 ...".
void distribution_line(std::ostream& out, const std::string& label, const Distribution& d,
                       const char* noun, bool bytes = false, bool with_total = true) {
  if (d.empty()) return;
  const auto show = [bytes](int64_t v) { return bytes ? format_bytes(v) : format_duration(v); };
  out << "    " << pad(label, 21) << pad_left(with_total ? show(d.sum()) : "", 10) << "  in "
      << pad(counted(d.count(), noun), 14) << "  p50 " << pad(show(d.quantile(0.5)), 9) << " p90 "
      << pad(show(d.quantile(0.9)), 9) << " p99 " << pad(show(d.quantile(0.99)), 9) << " max "
      << show(d.max()) << '\n';
}

void blocked_lines(std::ostream& out, const CauseDistributions& blocked, const char* prefix) {
  for (size_t c = 0; c < kBlockCauses; ++c)
    distribution_line(out, std::string(prefix) + std::string(block_cause_name(BlockCause(c))),
                      blocked[c], "wait");
}

void write_agents(const TraceStats& stats, std::ostream& out) {
  out << "\nTASKS AND THREADS (by busy + blocked time)\n";
  if (stats.agents.empty()) out << "  none recorded\n";
  for (const AgentGroupStats& g : stats.agents) {
    out << "  " << printable(g.name) << "  " << (g.is_task ? "task" : "thread") << " x"
        << format_count(g.agents);
    if (g.is_task) out << ", " << counted(g.polls, "poll");
    if (g.contended) out << ", " << counted(g.contended, "contended acquisition");
    out << '\n';
    distribution_line(out, "busy", g.busy, g.is_task ? "poll" : "run slice");
    distribution_line(out, "sched latency", g.sched_latency, "wake");
    blocked_lines(out, g.blocked, "blocked ");
    if (g.has_memory()) {
      distribution_line(out, "memory peak", g.memory_peak, "agent", true, false);
      out << "    " << pad("memory", 21) << "allocated " << format_bytes(g.memory_allocated)
          << ", live at end " << format_bytes(g.memory_live) << '\n';
    }
  }
}

void write_workers(const TraceStats& stats, std::ostream& out) {
  std::vector<const AgentGroupStats*> workers;
  for (const AgentGroupStats& g : stats.agents)
    if (!g.is_task && g.polls > 0) workers.push_back(&g);
  if (workers.empty()) return;
  std::sort(workers.begin(), workers.end(),
            [](auto* x, auto* y) { return x->utilisation() > y->utilisation(); });
  out << "\nWORKER THREADS (time polling tasks / lifetime)\n";
  for (const AgentGroupStats* g : workers)
    out << "  " << pad(printable(g->name), 20) << pad_left(format_percent(g->utilisation()), 8)
        << "  " << format_duration(g->poll_ns) << " of " << format_duration(g->lifetime_ns) << ", "
        << counted(g->polls, "poll") << ", " << counted(g->agents, "thread") << '\n';
  for (const AgentGroupStats* g : workers)
    if (g->descheduled_polls > 0)
      out << "  note: " << printable(g->name) << " was descheduled for up to "
          << format_duration(g->descheduled_max_ns) << " in "
          << counted(g->descheduled_polls, "poll")
          << " (off the CPU with no recorded wait: a loaded machine, or blocking that is not "
             "recorded)\n";
}

void write_spans(const TraceStats& stats, std::ostream& out) {
  if (stats.spans.empty()) return;
  out << "\nSPANS (by total time, inclusive)\n";
  for (const SpanStats& s : stats.spans) {
    out << "  " << printable(s.name) << '\n';
    distribution_line(out, "duration", s.duration, "entry");
    blocked_lines(out, s.blocked, "blocked ");
  }
}

// "mutex cache_lock"; an unnamed resource's name already says its kind
// ("mutex@bank.c:37", "mutex-12").
std::string resource_title(const ResourceStats& r) {
  const std::string kind(format::resource_kind_name(r.kind));
  const bool says_kind = r.name.size() > kind.size() && r.name.compare(0, kind.size(), kind) == 0 &&
                         (r.name[kind.size()] == '@' || r.name[kind.size()] == '-');
  return says_kind ? printable(r.name) : kind + " " + printable(r.name);
}

void write_resources(const TraceStats& stats, std::ostream& out) {
  if (stats.resources.empty()) return;
  out << "\nRESOURCES (by hold + wait time)\n";
  if (stats.trace.holds == "needed")
    out << "  note: uncontended mutex holds were recorded only where they matter; holds count "
           "those (record --holds all for every hold)\n";
  for (const ResourceStats& r : stats.resources) {
    out << "  " << resource_title(r);
    if (r.is_channel()) {
      out << " (" << (r.capacity ? "capacity " + format_count(r.capacity) : "unbounded")
          << "): " << counted(r.sends, "send") << ", " << counted(r.recvs, "recv") << ", depth max "
          << r.depth.max();
      char mean[32];
      std::snprintf(mean, sizeof mean, "%.2f", r.depth_mean());
      out << ", mean " << mean << " (time-weighted)";
    }
    if (r.acquisitions || r.contended) {
      out << (r.is_channel() ? "; " : ": ") << counted(r.acquisitions, "acquisition") << ", "
          << format_count(r.contended) << " contended";
      if (r.acquisitions)
        out << " (" << format_percent(static_cast<double>(r.contended) / r.acquisitions) << ")";
    }
    if (r.notifies) out << "; " << counted(r.notifies, "notify");
    out << '\n';
    distribution_line(out, "held", r.hold, "hold");
    blocked_lines(out, r.waits, "waited ");
    if (r.is_channel() && !r.depth.empty()) {
      const Distribution& d = r.depth;
      out << "    " << pad("depth", 21) << pad_left("", 10) << "  in "
          << pad(counted(d.count(), "op"), 14) << "  p50 "
          << pad(std::to_string(d.quantile(0.5)), 9) << " p90 "
          << pad(std::to_string(d.quantile(0.9)), 9) << " p99 "
          << pad(std::to_string(d.quantile(0.99)), 9) << " max " << d.max() << '\n';
    }
  }
}

void write_timeline(const TraceStats& stats, std::ostream& out, size_t rows) {
  if (stats.timeline.empty() || rows == 0) return;
  // Merge neighbouring intervals (weighted by length) down to `rows`.
  const size_t per_row = (stats.timeline.size() + rows - 1) / rows;
  out << "\nAGENTS BY STATE (mean number of agents per interval)\n";
  out << "  " << pad("from", 11) << pad("to", 11);
  for (size_t s = 0; s < kAgentStates; ++s)
    out << pad_left(std::string(agent_state_name(AgentState(s))), 10);
  out << '\n';
  for (size_t i = 0; i < stats.timeline.size(); i += per_row) {
    const size_t end = std::min(i + per_row, stats.timeline.size());
    std::array<double, kAgentStates> area{};
    for (size_t k = i; k < end; ++k) {
      const auto& interval = stats.timeline[k];
      for (size_t s = 0; s < kAgentStates; ++s)
        area[s] += interval.mean[s] * static_cast<double>(interval.end_ns - interval.start_ns);
    }
    const int64_t from = stats.timeline[i].start_ns, to = stats.timeline[end - 1].end_ns;
    out << "  " << pad(format_duration(from - stats.trace.first_ns), 11)
        << pad(format_duration(to - stats.trace.first_ns), 11);
    for (size_t s = 0; s < kAgentStates; ++s) {
      char cell[32];
      std::snprintf(cell, sizeof cell, "%10.2f",
                    to > from ? area[s] / static_cast<double>(to - from) : 0.0);
      out << cell;
    }
    out << '\n';
  }
}

}  // namespace

void write_stats_text(const TraceStats& stats, std::ostream& out, size_t timeline_rows) {
  const TraceSummary& t = stats.trace;
  out << t.path << ": " << format_count(t.events) << " events over "
      << format_duration(t.duration_ns()) << ", " << format_count(t.dropped_events) << " dropped, "
      << t.status << '\n';
  out << "Distributions: total, then p50/p90/p99/max per event (log-linear histograms, within "
      << format_percent(LogHistogram::kRelativeError) << ").\n";
  write_agents(stats, out);
  write_workers(stats, out);
  write_spans(stats, out);
  write_resources(stats, out);
  write_timeline(stats, out, timeline_rows);
}

}  // namespace taskscope::analyzer
