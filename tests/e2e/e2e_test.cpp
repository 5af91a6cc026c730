// End to end: run a real program that records itself, analyze its trace with the
// CLI, and check the exact finding kinds and agent names in the JSON report.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "mini_json.hpp"
#include "run_cli.hpp"

namespace taskscope::test {

namespace {

struct Outcome {
  int program_status = -1;
  int analyze_status = -1;
  json::Value report;
  std::string text;
  std::string stats;  // `taskscope stats` of the trace, when asked for
};

// Runs programs/<name> recording to a temporary trace, then analyzes it.
Outcome record_and_analyze(const std::string& name, bool with_stats = false) {
  static int counter = 0;
  const std::string trace =
      (std::filesystem::temp_directory_path() / ("e2e-" + name + "-" + std::to_string(::getpid()) +
                                                 "-" + std::to_string(counter++) + ".tscope"))
          .string();
  Outcome outcome;
  const std::string program = std::string(TASKSCOPE_E2E_PROGRAMS) + "/e2e_" + name;
  const int status = std::system((program + " " + trace).c_str());
  outcome.program_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  const auto json_run = testing::run_cli("analyze --format json " + trace);
  outcome.analyze_status = json_run.status;
  INFO(json_run.err);
  outcome.report = json::parse(json_run.out);
  outcome.text = testing::run_cli("analyze " + trace).out;
  if (with_stats) outcome.stats = testing::run_cli("stats " + trace).out;
  std::remove(trace.c_str());
  return outcome;
}

std::vector<std::string> kinds(const Outcome& outcome) {
  std::vector<std::string> out;
  for (const auto& finding : outcome.report["findings"].array)
    out.push_back(finding["kind"].string);
  return out;
}

std::vector<std::string> agents(const json::Value& finding, bool sort = true) {
  std::vector<std::string> out;
  for (const auto& agent : finding["agents"].array) out.push_back(agent["name"].string);
  if (sort) std::sort(out.begin(), out.end());
  return out;
}

// The lines of programs/<source> whose text contains `mark`.
std::set<unsigned> marked_lines(const std::string& source, const std::string& mark) {
  std::string path = __FILE__;
  path = path.substr(0, path.rfind('/') + 1) + "programs/" + source;
  std::ifstream in(path);
  REQUIRE(in.good());
  std::set<unsigned> lines;
  std::string line;
  for (unsigned number = 1; std::getline(in, line); ++number)
    if (line.find(mark) != std::string::npos) lines.insert(number);
  return lines;
}

// Every source location in a JSON report (objects with file, line and text),
// wherever it sits: wait edges, holds, spawn sites, first uses.
void collect_locations(const json::Value& value, std::vector<const json::Value*>& out) {
  if (value.type == json::Value::Type::kObject) {
    if (value.has("file") && value.has("line") && value.has("text")) out.push_back(&value);
    for (const auto& [key, child] : value.object) collect_locations(child, out);
  } else if (value.type == json::Value::Type::kArray) {
    for (const auto& child : value.array) collect_locations(child, out);
  }
}

// Records programs/lock_sites.cpp built as e2e_lock_sites_<level> and checks
// that every location the report gives is a marked line of that file, every
// frame of its text too (no libstdc++ header, no taskscope header), and that
// each marked line is reported.
void check_lock_sites(const std::string& level) {
  const Outcome outcome = record_and_analyze("lock_sites_" + level);
  INFO(outcome.text);
  REQUIRE(outcome.program_status == 0);
  CHECK(outcome.analyze_status == 1);
  const std::string file = "programs/lock_sites.cpp";
  const std::set<unsigned> blocks = marked_lines("lock_sites.cpp", "// blocks here");
  const std::set<unsigned> spawns = marked_lines("lock_sites.cpp", "// spawned here");
  REQUIRE(blocks.size() == 5);
  REQUIRE(spawns.size() == 4);
  std::vector<const json::Value*> locations;
  collect_locations(outcome.report, locations);
  REQUIRE(!locations.empty());
  std::set<unsigned> reported;
  for (const json::Value* location : locations) {
    const std::string& text = (*location)["text"].string;
    INFO("location " << text);
    const std::string& where = (*location)["file"].string;
    CHECK(where.ends_with(file));
    REQUIRE((*location)["line"].type == json::Value::Type::kNumber);
    const auto line = static_cast<unsigned>((*location)["line"].number);
    CHECK((blocks.count(line) == 1 || spawns.count(line) == 1));
    reported.insert(line);
    for (size_t begin = 0; begin <= text.size();) {
      size_t end = text.find(" <- ", begin);
      if (end == std::string::npos) end = text.size();
      CHECK(text.compare(begin, file.size(), file) == 0);
      begin = end + 4;
    }
    CHECK(text.find("/usr/include") == std::string::npos);
  }
  for (unsigned line : blocks) {
    INFO("blocking line " << line);
    CHECK(reported.count(line) == 1);
  }
  for (unsigned line : spawns) {
    INFO("spawning line " << line);
    CHECK(reported.count(line) == 1);
  }
}

}  // namespace

TEST_CASE("e2e: two-thread ABBA deadlock", "[e2e]") {
  const Outcome outcome = record_and_analyze("abba");
  INFO(outcome.text);
  REQUIRE(outcome.program_status == 0);
  CHECK(outcome.analyze_status == 1);
  REQUIRE(kinds(outcome) == std::vector<std::string>{"deadlock"});
  const auto& finding = outcome.report["findings"][0];
  CHECK(finding["severity"].string == "error");
  CHECK(agents(finding) == std::vector<std::string>{"transfer#1", "transfer#2"});
  CHECK(outcome.text.rfind("DEADLOCK: 2 threads stuck in a lock cycle", 0) == 0);
}

TEST_CASE("e2e: five dining philosophers", "[e2e]") {
  const Outcome outcome = record_and_analyze("philosophers");
  INFO(outcome.text);
  REQUIRE(outcome.program_status == 0);
  CHECK(outcome.analyze_status == 1);
  REQUIRE(kinds(outcome) == std::vector<std::string>{"deadlock"});
  CHECK(agents(outcome.report["findings"][0]) ==
        std::vector<std::string>{"philosopher-0", "philosopher-1", "philosopher-2", "philosopher-3",
                                 "philosopher-4"});
}

TEST_CASE("e2e: three-stage channel-full cycle", "[e2e]") {
  const Outcome outcome = record_and_analyze("channel_cycle");
  INFO(outcome.text);
  REQUIRE(outcome.program_status == 0);
  CHECK(outcome.analyze_status == 1);
  REQUIRE(kinds(outcome) == std::vector<std::string>{"channel_full_cycle"});
  const auto& finding = outcome.report["findings"][0];
  CHECK(finding["severity"].string == "error");
  CHECK(agents(finding) == std::vector<std::string>{"stage-a", "stage-b", "stage-c"});
}

TEST_CASE("e2e: condvar lost wakeup", "[e2e]") {
  const Outcome outcome = record_and_analyze("lost_wakeup");
  INFO(outcome.text);
  REQUIRE(outcome.program_status == 0);
  CHECK(outcome.analyze_status == 1);
  REQUIRE(kinds(outcome) == std::vector<std::string>{"lost_wakeup"});
  CHECK(agents(outcome.report["findings"][0], false) ==
        std::vector<std::string>{"consumer", "producer"});
}

TEST_CASE("e2e: self-deadlock", "[e2e]") {
  const Outcome outcome = record_and_analyze("self_deadlock");
  INFO(outcome.text);
  REQUIRE(outcome.program_status == 0);
  CHECK(outcome.analyze_status == 1);
  REQUIRE(kinds(outcome) == std::vector<std::string>{"deadlock"});
  CHECK(agents(outcome.report["findings"][0]) == std::vector<std::string>{"worker"});
}

TEST_CASE("e2e: a thread exits holding a lock another waits for", "[e2e]") {
  const Outcome outcome = record_and_analyze("exit_holding_lock");
  INFO(outcome.text);
  REQUIRE(outcome.program_status == 0);
  CHECK(outcome.analyze_status == 1);
  REQUIRE(kinds(outcome) == std::vector<std::string>{"blocked_forever"});
  CHECK(agents(outcome.report["findings"][0], false) ==
        std::vector<std::string>{"reader", "loader"});
}

TEST_CASE("e2e: a join on a stuck thread", "[e2e]") {
  const Outcome outcome = record_and_analyze("join_stuck");
  INFO(outcome.text);
  REQUIRE(outcome.program_status == 0);
  CHECK(outcome.analyze_status == 1);
  REQUIRE(kinds(outcome) == std::vector<std::string>{"blocked_forever"});
  CHECK(agents(outcome.report["findings"][0], false) ==
        std::vector<std::string>{"worker", "loader", "main"});
}

TEST_CASE("e2e: a correct producer/consumer pipeline has no findings", "[e2e]") {
  const Outcome outcome = record_and_analyze("pipeline");
  INFO(outcome.text);
  REQUIRE(outcome.program_status == 0);
  CHECK(outcome.analyze_status == 0);
  CHECK(kinds(outcome).empty());
  CHECK(outcome.text.rfind("OK: no agent is stuck", 0) == 0);
}

TEST_CASE("e2e: a sibling that first runs after its creator joined the other still races it",
          "[e2e]") {
  // Created before the join, started after it: the lock orders of the two
  // threads are unordered, so their inversion is reported.
  const Outcome outcome = record_and_analyze("late_sibling");
  INFO(outcome.text);
  REQUIRE(outcome.program_status == 0);
  CHECK(outcome.analyze_status == 0);  // a warning: no deadlock happened
  REQUIRE(kinds(outcome) == std::vector<std::string>{"lock_order_inversion"});
  CHECK(agents(outcome.report["findings"][0]) == std::vector<std::string>{"first", "second"});
}

TEST_CASE("e2e: polls that burn CPU or block are reported, a descheduled poll is not",
          "[e2e]") {
  // Each of burn, nap and stopped holds the one worker for about 50 ms of wall
  // time; only stopped spends it off the CPU with nothing recorded (the process
  // was stopped), which is what preemption on a loaded machine looks like.
  const Outcome outcome = record_and_analyze("poll_time", /*with_stats=*/true);
  INFO(outcome.text << outcome.stats);
  REQUIRE(outcome.program_status == 0);
  CHECK(outcome.analyze_status == 0);  // warnings only
  REQUIRE(kinds(outcome) == std::vector<std::string>{"blocking_in_async", "blocking_in_async"});
  std::vector<std::string> tasks;
  for (const auto& finding : outcome.report["findings"].array) {
    CHECK(finding["severity"].string == "warning");
    tasks.push_back(finding["agents"][0]["name"].string);
    if (tasks.back() == "burn")
      CHECK(finding["summary"].string.find("of CPU in one poll") != std::string::npos);
    if (tasks.back() == "nap")
      CHECK(finding["summary"].string.find("inside a poll: sleeping") != std::string::npos);
  }
  std::sort(tasks.begin(), tasks.end());
  CHECK(tasks == std::vector<std::string>{"burn", "nap"});
  // stats tells the descheduled poll, as information about the worker.
  CHECK(outcome.stats.find("was descheduled for up to") != std::string::npos);
}

TEST_CASE("e2e: contended std::lock_guard / std::unique_lock sites at -O0 are the program's lines",
          "[e2e][sites]") {
  // Unoptimised, taskscope::mutex::lock() returns into std::lock_guard's
  // constructor, a libstdc++ header function compiled into the program.
  check_lock_sites("O0");
}

TEST_CASE("e2e: contended std::lock_guard / std::unique_lock sites at -O2 are the program's lines",
          "[e2e][sites]") {
  check_lock_sites("O2");
}

}  // namespace taskscope::test
