// Text and JSON output of `taskscope diff` (see diff.hpp).
#include <algorithm>
#include <cmath>
#include <optional>
#include <ostream>

#include "common/json_output.hpp"
#include "common/units.hpp"
#include "diff/diff_words.hpp"
#include "taskscope/analyzer/diff.hpp"

namespace taskscope::analyzer {
namespace {

using stats::format_count;
using stats::format_duration;
using stats::format_percent;

void trace_line(std::ostream& out, const char* label, const TraceSummary& t) {
  out << label << t.path << ": " << format_count(t.events) << " events over "
      << format_duration(t.duration_ns()) << ", " << t.status << '\n';
}

std::string delta_text(const MetricChange& c) {
  std::string text = c.delta() >= 0 ? "+" : "-";
  text += stats::show_value(c, std::fabs(c.delta()));
  if (auto relative = c.relative())
    text += " (" + format_percent(*relative, true) + ")";
  else
    text += " (new)";
  if (!c.significant && c.p) text = "~ " + text;
  return text;
}

void write_table(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], row[i].size());
    }
  for (const auto& row : rows) {
    std::string line = " ";
    for (size_t i = 0; i < row.size(); ++i) {
      line += ' ' + row[i];
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 1, ' ');
    }
    out << line << '\n';
  }
}

// "1 sample each: not tested", "1 and 3 samples: not tested".
std::string untested_text(const MetricChange& c) {
  const auto samples = [](uint64_t n) {
    return std::to_string(n) + (n == 1 ? " sample" : " samples");
  };
  return (c.base_events == c.new_events
              ? samples(c.base_events) + " each"
              : std::to_string(c.base_events) + " and " + samples(c.new_events)) +
         ": not tested";
}

void only_in(std::ostream& out, const char* label, const std::vector<NameOnlyInOne>& names) {
  if (names.empty()) return;
  out << label;
  for (size_t i = 0; i < names.size(); ++i)
    out << (i ? ", " : "") << names[i].subject << " `" << stats::printable(names[i].name) << "` ("
        << format_duration(names[i].total_ns) << ")";
  out << '\n';
}

}  // namespace

void write_diff_text(const DiffResult& diff, std::ostream& out) {
  trace_line(out, "base ", diff.base);
  trace_line(out, "new  ", diff.now);
  // Names are matched across the traces; across programs, the same name need
  // not be the same thing.
  if (!diff.same_program())
    out << "these are different programs: base `" << stats::printable(diff.base.process)
        << "`, new `" << stats::printable(diff.now.process) << "`\n";
  if (diff.base.holds == "needed" || diff.now.holds == "needed")
    out << "note: uncontended mutex holds were recorded only where they matter; hold times "
           "compare those (record --holds all for every hold)\n";
  out << '\n' << diff.headline << "\n\n";
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"kind", "name", "metric", "base", "new", "delta", "p50 per event", "p"});
  size_t unchanged = 0;
  for (const MetricChange& c : diff.changes) {
    if (c.base == c.now) {
      ++unchanged;
      continue;
    }
    std::string p = c.too_few_samples ? untested_text(c) : c.p ? stats::p_text(*c.p) : "untested";
    if (c.p && c.unit != "count")  // as benchstat: how many values the test saw
      p += " n=" + std::to_string(c.base_events) + "+" + std::to_string(c.new_events);
    std::string medians;
    if (c.base_median && c.new_median)
      medians = stats::show_value(c, *c.base_median) + " -> " + stats::show_value(c, *c.new_median);
    rows.push_back({c.subject, stats::printable(c.name), c.metric, stats::show_value(c, c.base),
                    stats::show_value(c, c.now), delta_text(c), medians, p});
  }
  if (rows.size() == 1)
    out << "  no metric changed\n";
  else
    write_table(rows, out);
  if (unchanged) out << "  (" << unchanged << " unchanged metrics not shown)\n";
  out << '\n';
  only_in(out, "only in base: ", diff.only_in_base);
  only_in(out, "only in new:  ", diff.only_in_new);
  out << "~ within noise: Mann-Whitney U on per-event samples (Poisson test for counts) "
      << "p >= " << diff.options.alpha << ", or the median per event (the count, for counts) "
      << "moved under " << format_percent(diff.options.min_change) << '\n';
}

void write_diff_json(const DiffResult& diff, std::ostream& out) {
  JsonStream stream(out);
  JsonWriter json(stream);
  const auto trace = [&](const char* key, const TraceSummary& t) {
    json.Key(key);
    json.StartObject();
    json_field(json, "path", t.path);
    json_field(json, "process", t.process);
    json_field(json, "events", t.events);
    json_field(json, "duration_ns", t.duration_ns());
    json.EndObject();
  };
  const auto number = [&](const char* key, const MetricChange& c, double v) {
    json.Key(key);
    if (c.unit == "ns" || c.unit == "count" || c.unit == "bytes")
      json.Int64(static_cast<int64_t>(std::llround(v)));
    else
      json_value(json, v);
  };
  const auto optional = [&](const char* key, const std::optional<double>& v) {
    json.Key(key);
    if (v)
      json_value(json, *v);
    else
      json.Null();
  };
  json.StartObject();
  json_field(json, "schema", "taskscope.diff/1");
  trace("base", diff.base);
  trace("new", diff.now);
  json_field(json, "same_program", diff.same_program());
  json_field(json, "headline", diff.headline);
  json_field(json, "alpha", diff.options.alpha);
  json_field(json, "min_change", diff.options.min_change);
  json.Key("changes");
  json.StartArray();
  for (const MetricChange& c : diff.changes) {
    stream.break_line();
    json.StartObject();
    json_field(json, "name", c.name);
    json_field(json, "kind", diff_kind_name(c.kind));
    json_field(json, "subject", c.subject);
    json_field(json, "metric", c.metric);
    json_field(json, "unit", c.unit);
    number("base", c, c.base);
    number("new", c, c.now);
    number("delta", c, c.delta());
    optional("relative", c.relative());
    optional("p", c.p);
    json_field(json, "significant", c.significant);
    json_field(json, "too_few_samples", c.too_few_samples);
    json_field(json, "base_events", c.base_events);
    json_field(json, "new_events", c.new_events);
    if (c.base_median && c.new_median) {
      number("base_p50", c, *c.base_median);
      number("new_p50", c, *c.new_median);
    }
    json.EndObject();
  }
  json.EndArray();
  for (const auto& [key, list] : {std::pair{"only_in_base", &diff.only_in_base},
                                  std::pair{"only_in_new", &diff.only_in_new}}) {
    json.Key(key);
    json.StartArray();
    for (const NameOnlyInOne& n : *list) {
      stream.break_line();
      json.StartObject();
      json_field(json, "name", n.name);
      json_field(json, "kind", diff_kind_name(n.kind));
      json_field(json, "subject", n.subject);
      json_field(json, "total_ns", n.total_ns);
      json.EndObject();
    }
    json.EndArray();
  }
  json.EndObject();
  stream.break_line();
}

}  // namespace taskscope::analyzer
