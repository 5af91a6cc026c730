// A live frame as plain text: `taskscope top -b` prints one per interval
// (docs/top.md shows one).
#include <algorithm>
#include <cstdio>

#include "taskscope/analyzer/live.hpp"
#include "taskscope/analyzer/names.hpp"

namespace taskscope::analyzer {
namespace {

std::string tally(const std::map<std::string, uint32_t>& by_state) {
  uint32_t total = 0;
  std::string parts;
  for (const auto& [state, count] : by_state) {
    total += count;
    parts += (parts.empty() ? "" : ", ") + std::to_string(count) + " " + state;
  }
  return std::to_string(total) + (parts.empty() ? "" : " (" + parts + ")");
}

std::string percent(double value) {
  if (value < 0) return "-";
  char text[16];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

std::string bytes(int64_t value) {
  if (value == 0) return "-";
  char text[32];
  const double v = static_cast<double>(value);
  if (value >= (1 << 20) || value <= -(1 << 20))
    std::snprintf(text, sizeof text, "%.1f MiB", v / (1 << 20));
  else if (value >= 1024 || value <= -1024)
    std::snprintf(text, sizeof text, "%.1f KiB", v / 1024);
  else
    std::snprintf(text, sizeof text, "%lld B", static_cast<long long>(value));
  return text;
}

std::string rate(double per_s) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f/s", per_s);
  return text;
}

// Left-aligned columns as wide as their widest cell; the last is not padded.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) {
      if (widths.size() <= c) widths.push_back(0);
      widths[c] = std::max(widths[c], row[c].size());
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line = " ";
    for (size_t c = 0; c < row.size(); ++c) {
      line += " " + row[c];
      if (c + 1 < row.size()) line.append(widths[c] - row[c].size() + 1, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::vector<std::vector<std::string>> live_agent_rows(const LiveFrame& frame) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"AGENT", "TYPE", "STATE", "FOR", "WAIT SITE", "BUSY%", "POLLS", "SCHED.p99",
                  "MEM"});
  for (const LiveAgent& agent : frame.agents) {
    const bool task = agent.ref.type == "task";
    rows.push_back({agent.ref.name, agent.ref.type,
                    agent.waiting_on.empty() ? agent.state : agent.state + " " + agent.waiting_on,
                    Names::duration(agent.state_for_ns),
                    agent.wait_site.known() ? agent.wait_site.text : "-", percent(agent.busy_percent),
                    task ? std::to_string(agent.polls) : "-",
                    agent.sched_p99_ns >= 0 ? Names::duration(agent.sched_p99_ns) : "-",
                    bytes(agent.memory_bytes)});
  }
  return rows;
}

std::string render_live_text(const LiveFrame& frame) {
  std::string out = "taskscope top: " + (frame.program.empty() ? "?" : frame.program) + " (pid " +
                    std::to_string(frame.pid) + "), " + frame.path + ", " + frame.status + "\n";
  char line[256];
  std::snprintf(line, sizeof line, "elapsed %s   events %s (%.0f/s)   dropped %s\n",
                Names::duration(frame.elapsed_ns).c_str(), Names::count(frame.events).c_str(),
                frame.events_per_s, Names::count(frame.dropped_events).c_str());
  out += line;
  out += "threads " + tally(frame.threads_by_state) + "   tasks " + tally(frame.tasks_by_state) +
         "\n\n";
  out += table(live_agent_rows(frame));

  if (!frame.locks.empty()) {
    out += "\nLOCKS\n";
    std::vector<std::vector<std::string>> rows{{"NAME", "KIND", "OWNER", "WAITERS"}};
    for (const LiveLock& lock : frame.locks) {
      std::string owners;
      for (const ResourceHolder& holder : lock.ref.holders)
        owners += (owners.empty() ? "" : ", ") + holder.agent.name;
      std::string waiting;
      for (const std::string& waiter : lock.waiters)
        waiting += (waiting.empty() ? "" : ", ") + waiter;
      rows.push_back({lock.ref.name, lock.ref.type, owners.empty() ? "-" : owners,
                      waiting.empty() ? "-" : waiting});
    }
    out += table(rows);
  }
  if (!frame.channels.empty()) {
    out += "\nCHANNELS\n";
    std::vector<std::vector<std::string>> rows{{"NAME", "DEPTH", "CAPACITY", "CHANGE", "STATE"}};
    for (const LiveChannel& channel : frame.channels) {
      const ChannelState* state = channel.ref.channel ? &*channel.ref.channel : nullptr;
      const bool known = state != nullptr && state->depth_known;
      rows.push_back({channel.ref.name, known ? std::to_string(state->depth) : "?",
                      state == nullptr || state->capacity == 0 ? "unbounded"
                                                               : std::to_string(state->capacity),
                      rate(channel.depth_per_s),
                      state != nullptr && state->closed
                          ? "closed"
                          : known && state->capacity != 0 && state->depth >= state->capacity
                                ? "full"
                                : "open"});
    }
    out += table(rows);
  }
  out += "\nWARNINGS\n";
  if (frame.warnings.empty()) out += "  none\n";
  for (const Finding& finding : frame.warnings) {
    out += "  " + std::string(severity_name(finding.severity)) + " " +
           std::string(finding_kind_name(finding.kind)) + ": " + finding.summary + "\n";
    std::string agents;
    for (const AgentRef& agent : finding.agents) agents += (agents.empty() ? "" : ", ") + agent.name;
    if (!agents.empty()) out += "    agents: " + agents + "\n";
  }
  return out;
}

}  // namespace taskscope::analyzer
