// `taskscope diff --format html` (see html_report.hpp): the changes table of
// the text diff, and for each significant change the two distributions of its
// per-event values, base beside new, on one logarithmic scale. The values are
// the per-event samples `stats` keeps for the rank test (a uniform reservoir),
// so the drawing shows what the test compared.
#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>

#include "diff/diff_metrics.hpp"
#include "diff/diff_words.hpp"
#include "html/html_assets.hpp"
#include "html/html_text.hpp"
#include "html/page_frame.hpp"
#include "taskscope/analyzer/html_report.hpp"

namespace taskscope::analyzer {
namespace {

using html::escape;

constexpr int kBins = 28;
constexpr double kPanelWidth = 300, kPanelHeight = 110, kGap = 40, kLeft = 8, kBottom = 30;

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// One panel: the share of samples per logarithmic bin, and the median.
std::string panel(const std::vector<int64_t>& samples, double low, double high, double x0,
                  const char* color, const std::string& label, const MetricChange& change,
                  double median) {
  std::vector<double> bins(kBins, 0);
  const double span = std::max(high - low, 1e-9);
  for (int64_t value : samples) {
    const double position =
        (std::log10(std::max<double>(static_cast<double>(value), 1)) - low) / span;
    bins[std::clamp(static_cast<int>(position * kBins), 0, kBins - 1)] += 1;
  }
  const double peak = std::max(1.0, *std::max_element(bins.begin(), bins.end()));
  const double width = kPanelWidth / kBins;
  std::string out = "<g transform=\"translate(" + number(x0) + ",6)\">";
  out += "<rect x=\"0\" y=\"0\" width=\"" + number(kPanelWidth) + "\" height=\"" +
         number(kPanelHeight) + "\" fill=\"#fafbfc\" stroke=\"#d9dee7\"/>";
  for (int b = 0; b < kBins; ++b) {
    if (bins[b] == 0) continue;
    const double h = bins[b] / peak * (kPanelHeight - 6);
    out += "<rect x=\"" + number(b * width + 0.5) + "\" y=\"" + number(kPanelHeight - h) +
           "\" width=\"" + number(width - 1) + "\" height=\"" + number(h) + "\" fill=\"" + color +
           "\"/>";
  }
  const double m = (std::log10(std::max(median, 1.0)) - low) / span * kPanelWidth;
  out += "<line class=\"median\" x1=\"" + number(m) + "\" x2=\"" + number(m) + "\" y1=\"0\" y2=\"" +
         number(kPanelHeight) + "\" stroke=\"#1d2330\" stroke-dasharray=\"3 2\"/>";
  auto axis_label = [&](double x, double value, const char* anchor) {
    return "<text x=\"" + number(x) + "\" y=\"" + number(kPanelHeight + 13) +
           "\" font-size=\"10\" fill=\"#667085\" text-anchor=\"" + anchor + "\">" +
           escape(stats::show_value(change, value)) + "</text>";
  };
  out += axis_label(0, std::pow(10, low), "start");
  out += axis_label(kPanelWidth, std::pow(10, high), "end");
  out += "<text x=\"" + number(kPanelWidth / 2) + "\" y=\"" + number(kPanelHeight + 25) +
         "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1d2330\">" + escape(label) +
         ", median " + escape(stats::show_value(change, median)) + " (" +
         std::to_string(samples.size()) +
         (samples.size() == 1 ? " sample)</text>" : " samples)</text>");
  return out + "</g>";
}

std::string distributions(const MetricChange& change, const Distribution& base,
                          const Distribution& now) {
  const auto& a = base.samples();
  const auto& b = now.samples();
  if (a.empty() || b.empty()) return std::string();
  int64_t lowest = INT64_MAX, highest = 1;
  for (const auto* samples : {&a, &b})
    for (int64_t v : *samples)
      lowest = std::min(lowest, std::max<int64_t>(v, 1)), highest = std::max(highest, v);
  const double low = std::log10(static_cast<double>(lowest));
  const double high = std::max(std::log10(static_cast<double>(highest)), low + 0.5);
  auto median = [](std::vector<int64_t> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return static_cast<double>(v[v.size() / 2]);
  };
  std::string out = "<figure class=\"distribution\" data-metric=\"" + escape(change.name) + " " +
                    escape(change.metric) + "\"><figcaption>" + escape(change.subject) + " <b>" +
                    escape(change.name) + "</b> " + escape(change.metric) + "</figcaption>";
  out += "<svg viewBox=\"0 0 " + number(kLeft + 2 * kPanelWidth + kGap + 8) + " " +
         number(kPanelHeight + kBottom + 8) + "\" role=\"img\">";
  out += panel(a, low, high, kLeft, "#98a2b3", "base", change, median(a));
  out += panel(b, low, high, kLeft + kPanelWidth + kGap, "#3b6fc4", "new", change, median(b));
  return out + "</svg></figure>\n";
}

std::string cell(const std::string& text, double sort, const char* cls = "num") {
  return std::string("<td class=\"") + cls + "\" data-sort=\"" + number(sort) + "\">" +
         escape(text) + "</td>";
}

std::string trace_line(const char* label, const TraceSummary& t) {
  return std::string(label) + t.path + ": " + Names::count(t.events) + " events over " +
         Names::duration(t.duration_ns()) + ", " + t.status;
}

}  // namespace

void write_diff_html(const std::string& base_path, const std::string& new_path,
                     const DiffOptions& options, std::ostream& out) {
  StatsOptions stats_options;
  stats_options.reservoir_size = options.reservoir_size;
  const TraceStats base = compute_stats(base_path, stats_options);
  const TraceStats now = compute_stats(new_path, stats_options);
  const DiffResult diff = diff_stats(base, now, options);
  std::map<std::string, const Distribution*> base_dist, new_dist;
  for (const auto& series : stats::flatten(base)) base_dist[series.key()] = series.dist;
  for (const auto& series : stats::flatten(now)) new_dist[series.key()] = series.dist;

  out << html::page_head("taskscope diff");
  out << "<header><h1>taskscope diff</h1>\n<p class=\"muted\">"
      << escape(trace_line("base ", diff.base)) << "<br>" << escape(trace_line("new ", diff.now))
      << "</p></header>\n<main>\n";
  out << "<section id=\"verdict\" class=\"verdict "
      << (std::any_of(diff.changes.begin(), diff.changes.end(),
                      [](const MetricChange& c) { return c.significant; })
              ? "warning"
              : "ok")
      << "\"><p class=\"headline\">" << escape(diff.headline) << "</p>";
  if (!diff.same_program())
    out << "<p>These are different programs: base <b>" << escape(diff.base.process)
        << "</b>, new <b>" << escape(diff.now.process) << "</b>.</p>";
  out << "</section>\n";

  std::string figures;
  out << "<section id=\"changes\"><h2>Changes</h2><p class=\"muted hint\">Click a column to "
      << "sort. Significant changes are in bold, their distributions drawn below.</p>"
      << "<div class=\"table-wrap\"><table id=\"changes-table\" class=\"sortable\"><thead><tr>"
      << "<th data-type=\"text\">kind</th><th data-type=\"text\">name</th>"
      << "<th data-type=\"text\">metric</th><th>base</th><th>new</th><th>delta</th>"
      << "<th>p</th></tr></thead><tbody>\n";
  for (const MetricChange& c : diff.changes) {
    if (c.base == c.now) continue;
    const std::string key = stats::owner_key(c.kind, c.subject, c.name) + '\0' + c.metric;
    out << "<tr" << (c.significant ? " class=\"significant\"" : "") << ">";
    out << "<td data-sort=\"" << escape(c.subject) << "\">" << escape(c.subject) << "</td>";
    out << "<td data-sort=\"" << escape(c.name) << "\">" << escape(c.name) << "</td>";
    out << "<td data-sort=\"" << escape(c.metric) << "\">" << escape(c.metric) << "</td>";
    out << cell(stats::show_value(c, c.base), c.base) << cell(stats::show_value(c, c.now), c.now);
    const auto relative = c.relative();
    out << cell((c.delta() >= 0 ? "+" : "-") + stats::show_value(c, std::fabs(c.delta())) +
                    (relative ? " (" + number(*relative * 100) + " %)" : ""),
                c.delta());
    out << cell(c.p ? stats::p_text(*c.p) : "untested", c.p ? *c.p : 2);
    out << "</tr>\n";
    auto b = base_dist.find(key);
    auto n = new_dist.find(key);
    if (c.significant && b != base_dist.end() && n != new_dist.end() && b->second && n->second)
      figures += distributions(c, *b->second, *n->second);
  }
  out << "</tbody></table></div></section>\n";
  out << "<section id=\"distributions\"><h2>Distributions of the significant changes</h2>"
      << (figures.empty() ? "<p class=\"muted\">No significant change has per-event samples "
                            "on both sides.</p>"
                          : "<div class=\"chart-grid\">" + figures + "</div>")
      << "</section>\n</main>\n";
  out << "<script>\n" << html::kSortableJs << "</script>\n";
  out << "<script>document.body.setAttribute('data-rendered', 'true');</script>\n";
  out << "</body>\n</html>\n";
}

}  // namespace taskscope::analyzer
