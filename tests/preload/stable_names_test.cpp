// Names that survive a second run, end to end: held_lock.c, a PIE whose static
// mutexes move with every run, recorded twice through `taskscope record`, the
// second run holding queue_lock 20 times longer. Every command must name the
// mutexes by their variables (the naming service, analyzer/name_resolver.hpp),
// so that `diff` matches them across the runs and finds the one that changed.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "support.hpp"
#include "taskscope/analyzer/diff.hpp"

namespace taskscope::preload_test {
namespace {

using Catch::Matchers::Contains;

constexpr const char* kRounds = "150";

// A recording of held_lock holding queue_lock `hold_us` per round.
std::string recorded(const std::string& hold_us) {
  const Recording recording = record("held_lock", kFinishOptions, hold_us + " " + kRounds);
  INFO(recording.run.err);
  REQUIRE(recording.run.status == 0);
  REQUIRE(recording.run.out == "items 450 served 450\n");
  return recording.trace;
}

// Recorded once per test run and shared by the cases below.
const std::string& short_hold() {
  static const std::string path = recorded("10");
  return path;
}
const std::string& long_hold() {
  static const std::string path = recorded("200");
  return path;
}

RunResult cli(const std::string& arguments) {
  RunResult result = run_shell(std::string(TASKSCOPE_CLI) + " " + arguments);
  INFO(arguments << "\n" << result.err);
  CHECK((result.status == 0 || result.status == 1));  // 1: analyze found an error
  return result;
}

// The raw name a trace gives a mutex created in static storage: "sym:0x...".
std::set<std::string> static_mutex_names(const std::string& trace_path) {
  const Trace trace = read_trace(trace_path);
  std::set<std::string> names;
  for (const format::Event& e : trace.of_kind(format::EventKind::kResourceCreate))
    if (trace.text(e.str).rfind("sym:0x", 0) == 0) names.insert(trace.text(e.str));
  return names;
}

bool is_pie(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  unsigned char header[18] = {};
  file.read(reinterpret_cast<char*>(header), sizeof header);
  return file && header[16] == 3 && header[17] == 0;  // e_type ET_DYN, little-endian
}

}  // namespace

TEST_CASE("the PIE's static mutexes are recorded at addresses that move between runs",
          "[preload][names]") {
  REQUIRE(is_pie(program("held_lock")));
  const auto first = static_mutex_names(short_hold());
  const auto second = static_mutex_names(long_hold());
  CHECK(first.size() == 2);
  CHECK(second.size() == 2);
  std::ifstream aslr("/proc/sys/kernel/randomize_va_space");
  int randomized = 0;
  aslr >> randomized;
  // Without address randomization (a debugger's setting) the addresses stay; the
  // names below must not depend on that either way.
  if (randomized != 0) CHECK(first != second);
}

TEST_CASE("diff by resource puts the mutex held longer first, by its variable name",
          "[preload][names]") {
  analyzer::DiffOptions options;
  options.by = analyzer::DiffKind::kResource;
  const analyzer::DiffResult diff = analyzer::diff_traces(short_hold(), long_hold(), options);
  REQUIRE_FALSE(diff.changes.empty());
  const analyzer::MetricChange& top = diff.changes.front();
  INFO(top.subject << " " << top.name << " " << top.metric);
  CHECK(top.name == "queue_lock");
  CHECK(top.subject == "mutex");
  CHECK(top.significant);
  CHECK(top.delta() > 0);
  // Both mutexes are matched across the runs, none left over as "only in one".
  CHECK(diff.only_in_base.empty());
  CHECK(diff.only_in_new.empty());
  bool hold_matched = false;
  for (const auto& change : diff.changes)
    hold_matched |= change.name == "queue_lock" && change.metric == "hold_time" &&
                    change.base_events > 0 && change.new_events > 0 && change.significant;
  CHECK(hold_matched);

  // The command says the same: the first row and the headline name queue_lock.
  const RunResult text = cli("diff --by resource " + quote(short_hold()) + " " + quote(long_hold()));
  INFO(text.out);
  const size_t queue = text.out.find("queue_lock"), stats = text.out.find("stats_lock");
  CHECK(queue != std::string::npos);
  CHECK((stats == std::string::npos || queue < stats));
  CHECK_THAT(text.out, !Contains("no significant change"));
}

TEST_CASE("stats and dump name the static mutexes by their variables", "[preload][names]") {
  const RunResult stats = cli("stats " + quote(long_hold()));
  INFO(stats.out);
  CHECK_THAT(stats.out, Contains("mutex queue_lock") && Contains("mutex stats_lock"));
  // The three workers are one row, named by their start routine.
  CHECK_THAT(stats.out, Contains("worker  thread x3"));

  const RunResult dump = cli("dump " + quote(long_hold()) + " --kind acquired --limit 50");
  INFO(dump.out);
  CHECK_THAT(dump.out, Contains("resource=mutex \"queue_lock\""));
  CHECK_THAT(dump.out, Contains("held_lock.c:"));  // the call site, symbolized
  // Agents numbered as analyze numbers them: three threads run worker().
  const RunResult all = cli("dump " + quote(long_hold()) + " --kind thread_start");
  CHECK_THAT(all.out, Contains("agent=worker#1") && Contains("agent=worker#3"));
}

TEST_CASE("info and analyze report one duration for one file", "[preload][names]") {
  const RunResult info = cli("info " + quote(short_hold()));
  const RunResult report = cli("analyze --format json " + quote(short_hold()));
  const std::string key = "\"duration_ns\": ";
  const size_t at = report.out.find(key);
  REQUIRE(at != std::string::npos);
  const std::string ns = report.out.substr(at + key.size(),
                                           report.out.find_first_not_of("0123456789", at + key.size()) -
                                               (at + key.size()));
  INFO(info.out << report.out);
  CHECK_THAT(info.out, Contains("(" + ns + " ns)"));
}

TEST_CASE("no command shows an address where debug info names the thing", "[preload][names]") {
  const std::string a = quote(short_hold()), b = quote(long_hold());
  const std::string chrome = scratch_path("held_lock.json");
  const std::vector<std::string> commands = {
      "analyze " + b,
      "analyze --format json " + b,
      "analyze --format dot " + b,
      "stats " + b,
      "stats --format json " + b,
      "diff " + a + " " + b,
      "diff --format json " + a + " " + b,
      "dump " + b,
      "info " + b,
  };
  for (const std::string& command : commands) {
    const RunResult result = cli(command);
    INFO(command << "\n" << result.out.substr(0, 4000));
    CHECK_FALSE(result.out.empty());
    CHECK_THAT(result.out, !Contains("sym:0x") && !Contains("pc:0x"));
  }
  const RunResult exported = cli("export --format chrome " + b + " -o " + quote(chrome));
  std::ifstream file(chrome);
  const std::string json((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  INFO(json.substr(0, 4000));
  CHECK_FALSE(json.empty());
  CHECK_THAT(json, !Contains("sym:0x") && !Contains("pc:0x"));
}

}  // namespace taskscope::preload_test
