// The per-agent table (see agent_table.hpp).
#include "html/agent_table.hpp"

#include <map>
#include <set>

#include "common/units.hpp"
#include "html/html_text.hpp"

namespace taskscope::analyzer::html {
namespace {

// "fetch#19" -> "fetch": stats groups agents by name, without the ordinal.
std::string group_of(const std::string& name) {
  const size_t hash = name.rfind('#');
  if (hash == std::string::npos || hash == 0 || hash + 1 == name.size()) return name;
  for (size_t i = hash + 1; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return name;
  return name.substr(0, hash);
}

std::map<std::string, std::set<std::string>> spawners(const Analysis& analysis) {
  std::map<std::string, std::set<std::string>> by_group;
  const Names& names = analysis.names();
  analysis.state().agents.for_each([&](const Agent& agent) {
    if (agent.parent == 0) return;
    const std::string name = names.agent(agent.id);
    std::set<std::string>& parents = by_group[group_of(name)];
    if (parents.size() < 4) parents.insert(group_of(names.agent(agent.parent)));
    by_group[name].insert(names.agent(agent.parent));
  });
  return by_group;
}

std::string cell(const std::string& text, int64_t sort, const char* cls = "num") {
  return "<td class=\"" + std::string(cls) + "\" data-sort=\"" + std::to_string(sort) + "\">" +
         escape(text) + "</td>";
}

std::string duration_cell(const Distribution& d, int64_t value) {
  return cell(d.empty() ? "" : Names::duration(value), d.empty() ? -1 : value);
}

// Blocked time by kind: a small stacked bar and the kinds in words.
std::string blocked_cell(const AgentGroupStats& group) {
  const int64_t total = group.blocked_ns();
  std::string bar, words;
  for (size_t c = 0; c < kBlockCauses; ++c) {
    const int64_t ns = group.blocked[c].sum();
    if (ns <= 0) continue;
    const std::string key(block_cause_key(static_cast<BlockCause>(c)));
    const double percent = total > 0 ? 100.0 * static_cast<double>(ns) / total : 0;
    bar += "<span class=\"seg blocked-" + key + "\" style=\"width:" + std::to_string(percent) +
           "%\"></span>";
    words += (words.empty() ? "" : ", ") +
             std::string(block_cause_name(static_cast<BlockCause>(c))) + " " + Names::duration(ns);
  }
  if (total <= 0) return "<td class=\"num\" data-sort=\"0\"></td>";
  return "<td data-sort=\"" + std::to_string(total) + "\"><span class=\"total\">" +
         escape(Names::duration(total)) + "</span><span class=\"stack\">" + bar +
         "</span><span class=\"muted small\">" + escape(words) + "</span></td>";
}

}  // namespace

std::string agent_table(const Analysis& analysis, const TraceStats& stats) {
  const auto parents = spawners(analysis);
  std::string out =
      "<table id=\"agent-table\" class=\"sortable\"><thead><tr>"
      "<th data-type=\"text\">name</th><th data-type=\"text\">kind</th>"
      "<th>agents</th><th>polls</th><th>busy</th><th>busy p99</th>"
      "<th>blocked (by kind)</th><th>sched. latency p50</th><th>sched. latency p99</th>"
      "<th>memory peak</th><th data-type=\"text\">spawned by</th></tr></thead><tbody>\n";
  for (const AgentGroupStats& g : stats.agents) {
    std::string spawned_by;
    if (auto found = parents.find(g.name); found != parents.end())
      for (const std::string& parent : found->second)
        spawned_by += (spawned_by.empty() ? "" : ", ") + parent;
    out += "<tr>";
    out += "<td class=\"name\" data-sort=\"" + escape(g.name) + "\">" + escape(g.name) + "</td>";
    out += "<td data-sort=\"" + std::string(g.is_task ? "task" : "thread") + "\">" +
           (g.is_task ? "task" : "thread") + "</td>";
    out += cell(Names::count(g.agents), static_cast<int64_t>(g.agents));
    out += cell(g.polls ? Names::count(g.polls) : "", static_cast<int64_t>(g.polls));
    out += duration_cell(g.busy, g.busy.sum());
    out += duration_cell(g.busy, g.busy.quantile(0.99));
    out += blocked_cell(g);
    out += duration_cell(g.sched_latency, g.sched_latency.quantile(0.5));
    out += duration_cell(g.sched_latency, g.sched_latency.quantile(0.99));
    const int64_t memory = g.has_memory() ? g.memory_peak.max() : -1;
    out += cell(memory >= 0 ? stats::format_bytes(memory) : "", memory);
    out += "<td data-sort=\"" + escape(spawned_by) + "\">" + escape(spawned_by) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

}  // namespace taskscope::analyzer::html
