// `taskscope top` end to end, in batch mode: a program that is stuck but still
// running (tests/top/programs/stuck_ring.cpp), recorded by top itself or
// followed through its stream trace, and finished corpus traces. No timing
// threshold decides anything: a live frame is awaited by asking again, with a
// generous deadline that only turns a bug into a failure instead of a hang.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <thread>

#include "mini_json.hpp"
#include "run_cli.hpp"
#include "trace_builder.hpp"

namespace {

using taskscope::testing::run_cli;
namespace json = taskscope::test::json;

// Non-empty lines; used by the `top -- COMMAND` tests, which sanitizer builds leave out.
[[maybe_unused]] std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

const json::Value* agent_named(const json::Value& frame, const std::string& name) {
  for (const json::Value& row : frame["agents"].array)
    if (row["agent"]["name"].string == name) return &row;
  return nullptr;
}

const json::Value* warning_of_kind(const json::Value& frame, const std::string& kind) {
  for (const json::Value& finding : frame["warnings"].array)
    if (finding["kind"].string == kind) return &finding;
  return nullptr;
}

// The three stages are blocked sending on their channels, and the
// channel-full cycle names them.
void check_stuck_ring(const json::Value& frame) {
  for (const char* stage : {"stage-a", "stage-b", "stage-c"}) {
    INFO(stage);
    const json::Value* row = agent_named(frame, stage);
    REQUIRE(row != nullptr);
    CHECK((*row)["state"].string == "blocked");
    CHECK((*row)["waiting_on"].string.find("sending on channel \"to-") != std::string::npos);
    CHECK((*row)["wait_site"].type != json::Value::Type::kNull);
  }
  const json::Value* cycle = warning_of_kind(frame, "channel_full_cycle");
  REQUIRE(cycle != nullptr);
  std::vector<std::string> names;
  for (const json::Value& agent : (*cycle)["agents"].array) names.push_back(agent["name"].string);
  for (const char* stage : {"stage-a", "stage-b", "stage-c"})
    CHECK(std::find(names.begin(), names.end(), stage) != names.end());
}

// A program recording itself in stream mode to `trace` (stuck_ring ARG).
class Program {
 public:
  Program(const std::string& trace, const std::string& arg) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setenv("TASKSCOPE_OUTPUT", trace.c_str(), 1);
      ::setenv("TASKSCOPE_MODE", "stream", 1);
      ::execl(TASKSCOPE_STUCK_RING, TASKSCOPE_STUCK_RING, arg.c_str(), nullptr);
      ::_exit(127);
    }
  }
  ~Program() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }

 private:
  pid_t pid_ = -1;
};

// Asks `top -b -n 1 --format json FILE` until its frame satisfies `done`.
std::optional<json::Value> frame_when(const std::string& trace,
                                      const std::function<bool(const json::Value&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto result = run_cli("top -b -n 1 --format json " + trace);
    if (result.status == 0) {
      const json::Value frame = json::parse(result.out);
      if (done(frame)) return frame;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

}  // namespace

#ifndef TASKSCOPE_TEST_NO_PRELOAD  // see tests/top/CMakeLists.txt
TEST_CASE("top -- COMMAND shows a stuck ring and its channel-full cycle", "[top]") {
  taskscope::format::testing::TempPath trace("top-command");
  const auto result = run_cli("top -b --format json -d 100ms -n 100000 -o " + trace.str() +
                              " -- " + std::string(TASKSCOPE_STUCK_RING) + " 200");
  INFO(result.err);
  REQUIRE(result.status == 0);
  const auto lines = lines_of(result.out);
  REQUIRE(!lines.empty());
  // The trace stays, complete, for analyze.
  CHECK(run_cli("analyze " + trace.str()).status == 1);
  for (const std::string& line : lines) {
    const json::Value frame = json::parse(line);  // every line is one frame
    CHECK(frame["schema"].string == "taskscope.top/1");
    CHECK(frame["program"].string == "stuck_ring");
    CHECK(frame.has("agents"));
  }
  // The program ended (its worker finished): the last frame is its final state.
  const json::Value last = json::parse(lines.back());
  CHECK(last["ended"].boolean);
  check_stuck_ring(last);
  const json::Value* worker = agent_named(last, "worker");
  REQUIRE(worker != nullptr);
  CHECK((*worker)["state"].string == "done");
}

TEST_CASE("top -b prints text frames with the agents and warnings", "[top]") {
  taskscope::format::testing::TempPath trace("top-text");
  const auto result = run_cli("top -b -d 100ms -o " + trace.str() + " -- " +
                              std::string(TASKSCOPE_STUCK_RING) + " 50");
  INFO(result.err);
  REQUIRE(result.status == 0);
  const std::string last = result.out.substr(result.out.rfind("taskscope top:"));
  CHECK(last.find("stage-a") != std::string::npos);
  CHECK(last.find("sending on channel \"to-b\"") != std::string::npos);
  CHECK(last.find("CHANNELS") != std::string::npos);
  CHECK(last.find("error channel_full_cycle") != std::string::npos);
}
#endif

TEST_CASE("top FILE shows a running program's stuck stages while it works", "[top]") {
  taskscope::format::testing::TempPath trace("top-live");
  Program program(trace.str(), "0");
  const auto frame = frame_when(trace.str(), [](const json::Value& f) {
    return warning_of_kind(f, "channel_full_cycle") != nullptr && agent_named(f, "worker");
  });
  REQUIRE(frame);
  CHECK_FALSE((*frame)["ended"].boolean);
  CHECK((*frame)["status"].string == "running");
  check_stuck_ring(*frame);
  const json::Value* worker = agent_named(*frame, "worker");
  CHECK((*worker)["state"].string != "done");
}

TEST_CASE("top FILE shows a hang live while every thread is blocked", "[top]") {
  // The last events (main's join) reach the file and pass the reader's merge
  // window only through the recorder's idle watermark (docs/top.md, "Freshness").
  taskscope::format::testing::TempPath trace("top-hang");
  Program program(trace.str(), "-1");
  const auto frame = frame_when(trace.str(), [](const json::Value& f) {
    const json::Value* main = agent_named(f, "main");
    // A frame read while the stages' names are still behind the watermark
    // shows the joined thread by number; a later one names it.
    return main != nullptr && (*main)["state"].string == "blocked" &&
           (*main)["waiting_on"].string == "joining stage-a" &&
           agent_named(f, "worker") != nullptr;
  });
  REQUIRE(frame);
  const json::Value* main = agent_named(*frame, "main");
  CHECK((*main)["waiting_on"].string == "joining stage-a");
  CHECK(agent_named(*frame, "worker") != nullptr);
  check_stuck_ring(*frame);
}

TEST_CASE("top FILE on a finished trace prints its final state once", "[top]") {
  const std::string trace =
      std::string(TASKSCOPE_SOURCE_DIR) + "/traces/pipeline_cycle/pipeline_cycle.tscope";
  const auto text = run_cli("top -b " + trace);
  REQUIRE(text.status == 0);
  size_t frames = 0;
  for (size_t at = text.out.find("taskscope top:"); at != std::string::npos;
       at = text.out.find("taskscope top:", at + 1))
    ++frames;
  CHECK(frames == 1);
  const auto line = run_cli("top -b --format json " + trace);
  REQUIRE(line.status == 0);
  const json::Value frame = json::parse(line.out);
  CHECK(frame["ended"].boolean);
  REQUIRE(!frame["warnings"].array.empty());
  // The same findings as analyze reports.
  const json::Value report = json::parse(run_cli("analyze --format json " + trace).out);
  REQUIRE(report["findings"].array.size() == frame["warnings"].array.size());
  for (size_t i = 0; i < frame["warnings"].array.size(); ++i)
    CHECK(frame["warnings"][i]["summary"].string == report["findings"][i]["summary"].string);
  for (const json::Value& agent : report["findings"][0]["agents"].array)
    CHECK(agent_named(frame, agent["name"].string) != nullptr);
}

TEST_CASE("top refuses bad input with one line and status 2", "[top]") {
  struct Case {
    std::string args, says;
  };
  const std::string trace =
      std::string(TASKSCOPE_SOURCE_DIR) + "/traces/pipeline_cycle/pipeline_cycle.tscope";
  for (const Case& c : {Case{"top -b /nonexistent/run.tscope", "/nonexistent/run.tscope"},
                        Case{"top -b -d soon " + trace, "-d"},
                        Case{"top -b -d 0 " + trace, "-d"},
                        Case{"top -b --format yaml " + trace, "--format"},
                        Case{"top -b --stall x " + trace, "--stall"},
                        Case{"top -b --hang-timeout 1s " + trace, "a program to record"},
                        Case{"top -b", "required"}}) {
    INFO(c.args);
    const auto result = run_cli(c.args);
    CHECK(result.status == 2);
    CHECK(taskscope::testing::count_lines(result.err) == 1);
    CHECK(result.err.find(c.says) != std::string::npos);
    CHECK(result.out.empty());
  }
}
