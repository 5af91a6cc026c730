// Matching, testing and ranking of changes between two traces (see diff.hpp).
#include "taskscope/analyzer/diff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "diff/diff_metrics.hpp"
#include "diff/diff_words.hpp"
#include "taskscope/analyzer/stats_significance.hpp"
#include "taskscope/format/reader.hpp"
#include "common/units.hpp"

namespace taskscope::analyzer {

using stats::describe;
using stats::Measure;
using stats::MetricSeries;
using stats::p_text;
using stats::show_value;

std::string_view diff_kind_name(DiffKind kind) {
  switch (kind) {
    case DiffKind::kTask:
      return "task";
    case DiffKind::kSpan:
      return "span";
    case DiffKind::kResource:
      return "resource";
  }
  return "task";
}

std::optional<double> MetricChange::relative() const {
  if (base == 0) return std::nullopt;
  return delta() / base;
}

double MetricChange::effect_ns() const { return unit == "ns" ? std::fabs(delta()) : 0.0; }

namespace {

double relative_change(double from, double to) {
  return std::fabs(to - from) / std::max(std::fabs(from), 1.0);
}

const std::vector<int64_t>& samples_of(const MetricSeries* series) {
  static const std::vector<int64_t> kNone;
  return series && series->dist ? series->dist->samples() : kNone;
}

// Whether the exact rank test could give p < alpha at all for samples of n1 and
// n2 values: its smallest two-sided p, all of one sample below all of the
// other, is 2 / C(n1 + n2, n1). One value a side can never differ beyond noise.
bool rank_test_can_reject(size_t n1, size_t n2, double alpha) {
  if (n1 == 0 || n2 == 0) return false;
  const size_t k = std::min(n1, n2), m = std::max(n1, n2);
  double ways = 1;  // C(m + k, k), built up until it is large enough
  for (size_t i = 1; i <= k && 2 / ways >= alpha; ++i)
    ways = ways * static_cast<double>(m + i) / static_cast<double>(i);
  return 2 / ways < alpha;
}

// The same for the Poisson count test: its smallest p is for all events on one side.
bool count_test_can_reject(uint64_t n1, uint64_t n2, double alpha) {
  return poisson_counts_p(n1 + n2, 0) < alpha;
}

// Decides whether one metric changed beyond noise (the rules in diff.hpp).
void test_change(const MetricSeries* base, const MetricSeries* now, Measure measure,
                 const DiffOptions& options, MetricChange& change) {
  const double alpha = options.alpha, min_change = options.min_change;
  const uint64_t base_count = base ? base->count : 0, new_count = now ? now->count : 0;
  const size_t base_samples = samples_of(base).size(), new_samples = samples_of(now).size();
  const bool rank_testable = rank_test_can_reject(base_samples, new_samples, alpha);
  if ((measure == Measure::kTotalTime && !rank_testable &&
       !count_test_can_reject(base_count, new_count, alpha)) ||
      (measure == Measure::kMean && !rank_testable)) {
    change.too_few_samples = true;
    return;
  }
  switch (measure) {
    case Measure::kTotalTime: {
      const RankTest shift = mann_whitney_u(samples_of(base), samples_of(now));
      const double base_median = base && base->dist ? base->dist->quantile(0.5) : 0;
      const double new_median = now && now->dist ? now->dist->quantile(0.5) : 0;
      const bool shifted = shift.p < alpha && base_count && new_count &&
                           relative_change(base_median, new_median) >= min_change;
      const double count_p = poisson_counts_p(base_count, new_count);
      const bool recounted =
          count_p < alpha && relative_change(double(base_count), double(new_count)) >= min_change;
      const bool total_moved = relative_change(change.base, change.now) >= min_change;
      change.significant = total_moved && (shifted || recounted);
      change.p = shifted ? shift.p : recounted ? count_p : std::min(shift.p, count_p);
      break;
    }
    case Measure::kCount:
      change.p = poisson_counts_p(base_count, new_count);
      change.significant =
          *change.p < alpha && relative_change(change.base, change.now) >= min_change;
      break;
    case Measure::kMean: {
      const RankTest shift = mann_whitney_u(samples_of(base), samples_of(now));
      change.p = shift.p;
      change.significant =
          shift.p < alpha && relative_change(change.base, change.now) >= min_change;
      break;
    }
    case Measure::kUntested:
      break;
  }
}

// How specific an explanation a change is: a resource beats the span around its
// use, which beats the task or thread around the span.
int specificity(DiffKind kind) {
  return kind == DiffKind::kResource ? 2 : kind == DiffKind::kSpan ? 1 : 0;
}

std::string make_headline(const std::vector<MetricChange>& changes) {
  const MetricChange* top = nullptr;
  size_t significant = 0, untested = 0, changed = 0;
  for (const MetricChange& c : changes) {
    if (c.significant && (++significant, !top)) top = &c;
    if (c.base == c.now) continue;
    ++changed;
    untested += c.too_few_samples;
  }
  // Metrics too thin to test are neither a change nor noise: say how many.
  const std::string too_few = std::to_string(untested) + (untested == 1 ? " metric has" : " metrics have") +
                              " too few samples to test";
  if (!top && untested == 0) return "no significant change: every difference is within noise";
  if (!top)
    return "no significant change: " + too_few +
           (changed > untested ? ", every other difference is within noise" : "");
  // A lock held longer also lengthens the span and the thread around it, by about
  // as much: among effects close to the largest, name the most specific cause.
  for (const MetricChange& c : changes)
    if (c.significant && c.effect_ns() >= 0.8 * top->effect_ns() &&
        specificity(c.kind) > specificity(top->kind))
      top = &c;
  std::string line = describe(*top) + (top->delta() >= 0 ? " rose from " : " fell from ") +
                     show_value(*top, top->base) + " to " + show_value(*top, top->now) + " (" +
                     p_text(top->p.value_or(1)) + ")";
  if (significant == 1)
    return line + (untested ? "; " + too_few + ", everything else within noise"
                            : "; everything else within noise");
  // Name the next largest other changes, so the line says whether they follow
  // from the top one (the span around the lock) or are a second story.
  std::string also;
  size_t named = 0;
  for (const MetricChange& c : changes) {
    if (!c.significant || &c == top) continue;
    if (named == 2) {
      also += " and " + std::to_string(significant - 1 - named) + " more";
      break;
    }
    const auto relative = c.relative();
    also += std::string(named ? ", " : "") + describe(c) + " " +
            (relative ? stats::format_percent(*relative, true) : "(new)");
    ++named;
  }
  return line + "; also " + also;
}

}  // namespace

DiffResult diff_stats(const TraceStats& base, const TraceStats& now, const DiffOptions& options) {
  DiffResult result;
  result.base = base.trace;
  result.now = now.trace;
  result.options = options;
  const auto wanted = [&](DiffKind kind) { return !options.by || *options.by == kind; };

  // Names in only one trace are listed apart; metrics are compared for the rest.
  std::map<std::string, NameOnlyInOne> base_names, new_names;
  for (auto& n : stats::name_totals(base))
    base_names[stats::owner_key(n.kind, n.subject, n.name)] = n;
  for (auto& n : stats::name_totals(now))
    new_names[stats::owner_key(n.kind, n.subject, n.name)] = n;
  for (auto& [key, n] : base_names)
    if (!new_names.count(key) && wanted(n.kind)) result.only_in_base.push_back(n);
  for (auto& [key, n] : new_names)
    if (!base_names.count(key) && wanted(n.kind)) result.only_in_new.push_back(n);
  for (auto* list : {&result.only_in_base, &result.only_in_new})
    std::stable_sort(list->begin(), list->end(),
                     [](auto& x, auto& y) { return x.total_ns > y.total_ns; });

  const std::vector<MetricSeries> base_series = stats::flatten(base);
  const std::vector<MetricSeries> new_series = stats::flatten(now);
  std::map<std::string, std::pair<const MetricSeries*, const MetricSeries*>> matched;
  for (const auto& s : base_series)
    if (new_names.count(s.owner_key()) && wanted(s.kind)) matched[s.key()].first = &s;
  for (const auto& s : new_series)
    if (base_names.count(s.owner_key()) && wanted(s.kind)) matched[s.key()].second = &s;

  for (const auto& [key, pair] : matched) {
    const MetricSeries* any = pair.first ? pair.first : pair.second;
    MetricChange change;
    change.kind = any->kind;
    change.subject = any->subject;
    change.name = any->name;
    change.metric = any->metric;
    change.unit = any->unit;
    change.base = pair.first ? pair.first->value : 0;
    change.now = pair.second ? pair.second->value : 0;
    change.base_events = pair.first ? pair.first->count : 0;
    change.new_events = pair.second ? pair.second->count : 0;
    if (any->dist) {
      const auto median = [](const MetricSeries* s) {
        return s && s->dist ? static_cast<double>(s->dist->quantile(0.5)) : 0.0;
      };
      change.base_median = median(pair.first);
      change.new_median = median(pair.second);
    }
    if (change.base == 0 && change.now == 0) continue;
    test_change(pair.first, pair.second, any->measure, options, change);
    result.changes.push_back(std::move(change));
  }
  // Effect on total time first; metrics without time by relative change.
  std::stable_sort(result.changes.begin(), result.changes.end(),
                   [](const MetricChange& x, const MetricChange& y) {
                     if (x.effect_ns() != y.effect_ns()) return x.effect_ns() > y.effect_ns();
                     if (x.significant != y.significant) return x.significant;
                     return relative_change(x.base, x.now) > relative_change(y.base, y.now);
                   });
  result.headline = make_headline(result.changes);
  return result;
}

DiffResult diff_traces(const std::string& base_path, const std::string& new_path,
                       const DiffOptions& options) {
  StatsOptions stats_options;
  stats_options.reservoir_size = options.reservoir_size;
  const TraceStats base = compute_stats(base_path, stats_options);
  const TraceStats now = compute_stats(new_path, stats_options);
  return diff_stats(base, now, options);
}

}  // namespace taskscope::analyzer
