// Real recordings of lock_workload.cpp through the taskscope recorder: a diff
// against the same workload with one lock held ten times longer, and the export.
// Whether two runs of one workload stay within noise depends on how their
// timings are distributed, which a live machine does not promise: that is
// tested on samples of known distributions (significance_test.cpp, diff_test.cpp).
#include <catch2/catch.hpp>
#include <map>

#include "chrome_json.hpp"
#include "synthetic_trace.hpp"
#include "taskscope/analyzer/chrome_export.hpp"
#include "taskscope/analyzer/diff.hpp"

namespace taskscope::stats_test {
namespace {

using analyzer::DiffKind;

std::string record(const std::string& name, int cache_hold_us) {
  const std::string path = temp_path(name);
  std::string err;
  const int status = run_command(
      std::string(TASKSCOPE_STATS_WORKLOAD) + " " + path + " " + std::to_string(cache_hold_us),
      nullptr, &err);
  INFO(err);
  REQUIRE(status == 0);
  return path;
}

// Recorded once per test run and shared: each recording takes ~10-60 ms.
const std::string& base_run() {
  static const std::string path = record("base.tscope", 30);
  return path;
}

TEST_CASE("holding one lock longer puts that lock first, with a significant change") {
  const std::string slow = record("slow.tscope", 300);
  analyzer::DiffOptions options;
  options.by = DiffKind::kResource;
  const analyzer::DiffResult diff = analyzer::diff_traces(base_run(), slow, options);
  REQUIRE_FALSE(diff.changes.empty());
  const analyzer::MetricChange& top = diff.changes.front();
  CHECK(top.name == "cache_lock");
  CHECK(top.metric == "hold_time");
  CHECK(top.significant);
  REQUIRE(top.p);
  CHECK(*top.p < 0.001);
  CHECK(top.delta() > 0);

  const analyzer::DiffResult all = analyzer::diff_traces(base_run(), slow, {});
  INFO(all.headline);
  CHECK(all.headline.find("cache_lock") != std::string::npos);
}

TEST_CASE("a recorded run exports thread tracks, span slices and join waits") {
  const std::string out = temp_path("recorded.json");
  analyzer::export_chrome(base_run(), out);
  const std::vector<TraceEvent> events = load_chrome_trace(out);
  std::map<uint64_t, std::string> threads;
  for (const auto& e : events)
    if (e.ph == "M" && e.name == "thread_name") threads[e.tid] = e.args.get<std::string>("name");
  uint64_t fetcher = 0;
  for (const auto& [tid, name] : threads)
    if (name == "fetcher") fetcher = tid;
  REQUIRE(fetcher != 0);
  int fetch_spans = 0, joins = 0;
  for (const auto& e : events) {
    if (e.ph == "B" && e.cat == "span" && e.name == "fetch" && e.tid == fetcher) ++fetch_spans;
    if (e.ph == "B" && e.cat == "wait" && e.name.rfind("join ", 0) == 0) ++joins;
  }
  CHECK(fetch_spans == 200);
  CHECK(joins == 2);
}

}  // namespace
}  // namespace taskscope::stats_test
