// `taskscope diff` on synthetic traces: ranking, significance (including how it
// treats noise from distributions the test knows) and names in one run only.
#include "taskscope/analyzer/diff.hpp"

#include <catch2/catch.hpp>
#include <sstream>

#include "known_samples.hpp"
#include "scenarios.hpp"

namespace taskscope::stats_test {
namespace {

using analyzer::DiffKind;
using analyzer::DiffOptions;
using analyzer::DiffResult;

analyzer::TraceStats stats_of(const SyntheticTrace& trace, const std::string& name) {
  const std::string path = temp_path(name);
  trace.write(path);
  analyzer::StatsOptions options;
  options.reservoir_size = 4096;
  return analyzer::compute_stats(path, options);
}

// The recorded lock workload (lock_workload.cpp) with its timings drawn from
// known distributions instead of taken from a machine: threads fetcher and
// indexer take cache_lock and index_lock `holds` times each, inside spans
// fetch and index, holding them for latencies around `cache_hold_ns` and 30 us
// and then working for about 20 us.
SyntheticTrace lock_workload_trace(int holds, double cache_hold_ns, uint64_t seed) {
  SyntheticTrace t;
  KnownSamples samples(seed);
  const uint64_t kFetcher = 1, kIndexer = 2, kCache = 100, kIndex = 101;
  t.add(0, kFetcher, EventKind::kThreadStart, 0, kFetcher, 0, t.intern("fetcher"));
  t.add(0, kIndexer, EventKind::kThreadStart, 0, kIndexer, 0, t.intern("indexer"));
  t.add_op(1, kFetcher, EventKind::kResourceCreate, format::ResourceKind::kMutex, kCache, 0,
           t.intern("cache_lock"));
  t.add_op(1, kIndexer, EventKind::kResourceCreate, format::ResourceKind::kMutex, kIndex, 0,
           t.intern("index_lock"));
  const uint32_t fetch = t.intern("fetch"), index = t.intern("index");
  int64_t fetcher_at = 10, indexer_at = 10;
  const auto request = [&](uint64_t thread, uint64_t lock, uint32_t span, double hold_ns,
                           int64_t& at) {
    t.add(at, thread, EventKind::kSpanEnter, 0, span);
    t.add(at, thread, EventKind::kAcquired, 0, lock);
    at += samples.latency(hold_ns);
    t.add(at, thread, EventKind::kReleased, 0, lock);
    at += samples.latency(20000);
    t.add(at, thread, EventKind::kSpanExit, 0, span);
  };
  for (int i = 0; i < holds; ++i) {
    request(kFetcher, kCache, fetch, cache_hold_ns, fetcher_at);
    request(kIndexer, kIndex, index, 30000, indexer_at);
  }
  t.add(fetcher_at, kFetcher, EventKind::kThreadEnd, 0, kFetcher);
  t.add(indexer_at, kIndexer, EventKind::kThreadEnd, 0, kIndexer);
  return t;
}

std::string describe(const analyzer::MetricChange& change) {
  std::ostringstream out;
  out << change.subject << " " << change.name << " " << change.metric << ": " << change.base
      << " -> " << change.now << " p=" << change.p.value_or(-1);
  return out.str();
}

TEST_CASE("a lock held three times longer is the first, significant change") {
  const auto base = stats_of(two_locks_trace(300, 1000, 1), "base.tscope");
  const auto slow = stats_of(two_locks_trace(300, 3000, 2), "slow.tscope");
  DiffOptions options;
  options.by = DiffKind::kResource;
  const DiffResult diff = analyzer::diff_stats(base, slow, options);
  REQUIRE_FALSE(diff.changes.empty());
  const analyzer::MetricChange& top = diff.changes.front();
  CHECK(top.name == "cache_lock");
  CHECK(top.metric == "hold_time");
  CHECK(top.significant);
  REQUIRE(top.p);
  CHECK(*top.p < 0.001);
  CHECK(top.delta() > 0);
  CHECK(*top.relative() > 1.5);
  for (const auto& change : diff.changes) {
    CHECK(change.kind == DiffKind::kResource);
    if (change.name == "index_lock") CHECK_FALSE(change.significant);
  }
  CHECK(diff.headline.find("time mutex `cache_lock` was held rose from") == 0);
  CHECK(diff.headline.find("(p < 0.001); everything else within noise") != std::string::npos);

  // Without --by, threads and resources compete: the lock still leads the story.
  const DiffResult all = analyzer::diff_stats(base, slow, {});
  CHECK(all.headline.find("cache_lock") != std::string::npos);
  CHECK(all.changes.front().effect_ns() >= all.changes.back().effect_ns());
}

TEST_CASE("two runs of an identical workload show no significant change") {
  const auto first = stats_of(two_locks_trace(300, 1000, 3), "same1.tscope");
  const auto second = stats_of(two_locks_trace(300, 1000, 4), "same2.tscope");
  const DiffResult diff = analyzer::diff_stats(first, second, {});
  CHECK_FALSE(diff.changes.empty());
  for (const auto& change : diff.changes) {
    INFO(change.name << " " << change.metric);
    CHECK_FALSE(change.significant);
  }
  CHECK(diff.headline.rfind("no significant change", 0) == 0);
  CHECK(diff.only_in_base.empty());
  CHECK(diff.only_in_new.empty());
}

TEST_CASE("two runs drawn from one distribution differ beyond noise at most alpha of the time") {
  // Pairs of runs of the same workload whose latencies come from the same
  // distributions, outliers included: what two honest recordings differ by.
  // Four metrics of each diff vary from run to run (two hold times, two span
  // durations; the counts are equal by construction), so a calibrated rank test
  // gives p < alpha = 0.05 for 20 of the 400, standard deviation ~4.4. A change
  // is significant only when p < alpha and the effect reaches min_change, so
  // fewer still are. The seeds are fixed: the counts are the same on every run.
  constexpr int kPairs = 100;
  constexpr int kVarying = 4 * kPairs;
  int varying = 0, alarms = 0, significant = 0;
  std::string significant_changes;
  for (int pair = 0; pair < kPairs; ++pair) {
    const std::string tag = std::to_string(pair);
    const auto base = stats_of(lock_workload_trace(200, 30000, 2 * pair + 1), "noise" + tag + "a");
    const auto again = stats_of(lock_workload_trace(200, 30000, 2 * pair + 2), "noise" + tag + "b");
    const DiffResult diff = analyzer::diff_stats(base, again, {});
    REQUIRE_FALSE(diff.changes.empty());
    bool any = false;
    for (const auto& change : diff.changes) {
      if (!change.p) continue;
      varying += change.unit == "ns" && change.base_events > 1;
      alarms += *change.p < 0.05;
      if (!change.significant) continue;
      ++significant;
      any = true;
      significant_changes += "\npair " + tag + ": " + describe(change);
    }
    if (!any) CHECK(diff.headline.rfind("no significant change", 0) == 0);
  }
  CHECK(varying == kVarying);
  CHECK(alarms >= 7);
  CHECK(alarms <= 33);
  INFO("significant changes:" << significant_changes);
  CHECK(significant <= alarms);
  CHECK(significant * 20 <= kVarying);
}

TEST_CASE("a real shift smaller than min_change is within noise") {
  // cache_lock is held 2 % longer in every draw. With 4000 holds a side the
  // rank test is sure of it, but 2 % is below the 5 % that counts as an effect.
  const auto base = stats_of(lock_workload_trace(4000, 30000, 11), "small1.tscope");
  const auto slower = stats_of(lock_workload_trace(4000, 30600, 11), "small2.tscope");
  DiffOptions options;
  options.by = DiffKind::kResource;
  const DiffResult diff = analyzer::diff_stats(base, slower, options);
  const auto hold_of = [](const DiffResult& d) {
    for (const auto& change : d.changes)
      if (change.name == "cache_lock" && change.metric == "hold_time") return change;
    FAIL("no hold_time change for cache_lock");
    return analyzer::MetricChange{};
  };
  const analyzer::MetricChange hold = hold_of(diff);
  INFO(describe(hold));
  REQUIRE(hold.p);
  CHECK(*hold.p < 0.001);
  CHECK_FALSE(hold.significant);
  CHECK(diff.headline.rfind("no significant change", 0) == 0);

  // The same samples with a 1 % threshold: the effect rule, not the test, kept it out.
  options.min_change = 0.01;
  CHECK(hold_of(analyzer::diff_stats(base, slower, options)).significant);
}

TEST_CASE("a lock held half again as long is found whatever the draw") {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto base = stats_of(lock_workload_trace(200, 30000, 2 * seed + 100),
                               "shift" + std::to_string(seed) + "a");
    const auto slow = stats_of(lock_workload_trace(200, 45000, 2 * seed + 101),
                               "shift" + std::to_string(seed) + "b");
    DiffOptions options;
    options.by = DiffKind::kResource;
    const DiffResult diff = analyzer::diff_stats(base, slow, options);
    REQUIRE_FALSE(diff.changes.empty());
    const analyzer::MetricChange& top = diff.changes.front();
    INFO("seed " << seed << ": " << describe(top));
    CHECK(top.name == "cache_lock");
    CHECK(top.metric == "hold_time");
    CHECK(top.significant);
  }
}

TEST_CASE("names present in one trace only are listed apart") {
  const auto locks = stats_of(lock_and_channel_trace(), "only1.tscope");
  const auto tasks = stats_of(async_tasks_trace(), "only2.tscope");
  const DiffResult diff = analyzer::diff_stats(locks, tasks, {});
  const auto has = [](const std::vector<analyzer::NameOnlyInOne>& names, const std::string& n) {
    for (const auto& name : names)
      if (name.name == n) return true;
    return false;
  };
  CHECK(has(diff.only_in_base, "cache_lock"));
  CHECK(has(diff.only_in_base, "worker"));
  CHECK(has(diff.only_in_new, "fetch"));
  CHECK(has(diff.only_in_new, "parse"));
  for (const auto& change : diff.changes) CHECK(change.name == "main");  // in both

  std::ostringstream text;
  analyzer::write_diff_text(diff, text);
  CHECK(text.str().find("only in base: ") != std::string::npos);
}

TEST_CASE("diff JSON is versioned and lists changes largest effect first") {
  const auto base = stats_of(two_locks_trace(100, 1000, 5), "json1.tscope");
  const auto slow = stats_of(two_locks_trace(100, 4000, 6), "json2.tscope");
  const DiffResult diff = analyzer::diff_stats(base, slow, {});
  std::ostringstream json;
  analyzer::write_diff_json(diff, json);
  const std::string out = json.str();
  CHECK(out.rfind("{\"schema\":\"taskscope.diff/1\"", 0) == 0);
  const size_t first = out.find("\"changes\":[");
  REQUIRE(first != std::string::npos);
  for (const char* field : {"\"name\":", "\"kind\":", "\"metric\":", "\"base\":", "\"new\":",
                            "\"delta\":", "\"significant\":"})
    CHECK(out.find(field, first) != std::string::npos);
  for (size_t i = 1; i < diff.changes.size(); ++i)
    CHECK(diff.changes[i - 1].effect_ns() >= diff.changes[i].effect_ns());
}

// Thread main takes solo_lock once and holds it `hold_ns`.
SyntheticTrace one_hold_trace(int64_t hold_ns) {
  SyntheticTrace t;
  t.add(0, 1, EventKind::kThreadStart, 0, 1, 0, t.intern("main"));
  t.add_op(1, 1, EventKind::kResourceCreate, format::ResourceKind::kMutex, 100, 0,
           t.intern("solo_lock"));
  t.add(10, 1, EventKind::kAcquired, 0, 100);
  t.add(10 + hold_ns, 1, EventKind::kReleased, 0, 100);
  t.add(20 + hold_ns, 1, EventKind::kThreadEnd, 0, 1);
  return t;
}

TEST_CASE("a metric with too few samples to test says so instead of within noise") {
  // One hold a side: no rank test can tell 1 us from 3 us, so the change is
  // neither significant nor noise, just not tested.
  const auto base = stats_of(one_hold_trace(1000), "few1.tscope");
  const auto slow = stats_of(one_hold_trace(3000), "few2.tscope");
  const DiffResult diff = analyzer::diff_stats(base, slow, {});
  const analyzer::MetricChange* hold = nullptr;
  for (const auto& change : diff.changes)
    if (change.name == "solo_lock" && change.metric == "hold_time") hold = &change;
  REQUIRE(hold != nullptr);
  CHECK_FALSE(hold->p);
  CHECK_FALSE(hold->significant);
  std::ostringstream text;
  analyzer::write_diff_text(diff, text);
  INFO(text.str());
  std::string hold_row;
  std::istringstream lines(text.str());
  for (std::string line; std::getline(lines, line);)
    if (line.find("solo_lock") != std::string::npos && line.find("hold_time") != std::string::npos)
      hold_row = line;
  CHECK_THAT(hold_row, Catch::Contains("1 sample each: not tested"));
  CHECK_THAT(hold_row, !Catch::Contains("~"));
  CHECK_THAT(diff.headline, !Catch::Contains("every difference is within noise"));
  CHECK_THAT(diff.headline, Catch::Contains("too few samples"));
}

TEST_CASE("traces of two different programs are said to be so") {
  const std::string server = temp_path("server.tscope"), client = temp_path("client.tscope");
  one_hold_trace(1000).write(server, "server");
  one_hold_trace(1000).write(client, "client");
  const DiffResult diff = analyzer::diff_traces(server, client, {});
  std::ostringstream text;
  analyzer::write_diff_text(diff, text);
  INFO(text.str());
  CHECK_THAT(text.str(), Catch::Contains("different programs") &&
                             Catch::Contains("`server`") && Catch::Contains("`client`"));
  std::ostringstream json;
  analyzer::write_diff_json(diff, json);
  CHECK_THAT(json.str(), Catch::Contains("\"same_program\":false"));

  const DiffResult same = analyzer::diff_traces(server, server, {});
  std::ostringstream same_text;
  analyzer::write_diff_text(same, same_text);
  CHECK_THAT(same_text.str(), !Catch::Contains("different programs"));
}

}  // namespace
}  // namespace taskscope::stats_test
