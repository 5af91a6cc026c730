// The stats, diff and export commands end to end through the taskscope binary:
// output on success, and one line with exit status 2 on bad usage or input.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>

#include "scenarios.hpp"

namespace taskscope::stats_test {
namespace {

const std::string kCli = TASKSCOPE_CLI;

size_t lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::string sample_trace() {
  static const std::string path = [] {
    const std::string p = temp_path("cli.tscope");
    async_tasks_trace().write(p);
    return p;
  }();
  return path;
}

TEST_CASE("stats, diff and export succeed on a valid trace") {
  std::string out, err;
  CHECK(run_command(kCli + " stats " + sample_trace(), &out, &err) == 0);
  CHECK(out.find("TASKS AND THREADS") != std::string::npos);
  CHECK(run_command(kCli + " stats " + sample_trace() + " --format json", &out, &err) == 0);
  CHECK(out.rfind("{\"schema\":\"taskscope.stats/1\"", 0) == 0);
  CHECK(run_command(kCli + " diff " + sample_trace() + " " + sample_trace() + " --by task", &out,
                    &err) == 0);
  CHECK(out.find("no significant change") != std::string::npos);
  CHECK(run_command(kCli + " diff " + sample_trace() + " " + sample_trace() + " --format json",
                    &out, &err) == 0);
  CHECK(out.rfind("{\"schema\":\"taskscope.diff/1\"", 0) == 0);
  const std::string json = temp_path("cli-export.json");
  CHECK(run_command(kCli + " export " + sample_trace() + " --format chrome -o " + json, &out,
                    &err) == 0);
  CHECK(err.find("ui.perfetto.dev") != std::string::npos);
  std::ifstream exported(json);
  std::string first;
  std::getline(exported, first);
  CHECK(first.rfind("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", 0) == 0);
}

TEST_CASE("bad input or usage exits 2 with one line on stderr") {
  const std::string garbage = temp_path("garbage.tscope");
  std::ofstream(garbage) << "this is not a trace\n";
  const std::string missing = temp_path("missing.tscope");
  const std::vector<std::string> commands = {
      " stats " + missing,
      " stats " + garbage,
      " stats " + sample_trace() + " --format yaml",
      " stats",
      " diff " + sample_trace(),
      " diff " + sample_trace() + " " + garbage,
      " diff " + missing + " " + sample_trace(),
      " diff " + sample_trace() + " " + sample_trace() + " --by thread",
      " export " + sample_trace() + " --format chrome",
      " export " + sample_trace() + " --format svg -o " + temp_path("x.svg"),
      " export " + garbage + " --format chrome -o " + temp_path("x.json"),
      " export " + sample_trace() + " --format chrome -o /nonexistent-dir/x.json",
  };
  for (const std::string& command : commands) {
    INFO(command);
    std::string out, err;
    CHECK(run_command(kCli + command, &out, &err) == 2);
    CHECK(lines(err) == 1);
    CHECK(err.rfind("taskscope: ", 0) == 0);
  }
  std::string err;
  run_command(kCli + " stats " + missing, nullptr, &err);
  CHECK(err.find(missing) != std::string::npos);  // names the file
}

}  // namespace
}  // namespace taskscope::stats_test
