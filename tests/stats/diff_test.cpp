// `taskscope diff` on synthetic traces: ranking, significance and names in one run only.
#include "taskscope/analyzer/diff.hpp"

#include <catch2/catch.hpp>
#include <sstream>

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

}  // namespace
}  // namespace taskscope::stats_test
