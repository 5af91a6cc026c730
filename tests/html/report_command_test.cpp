// `taskscope report` on bad input: one line naming the file and the reason,
// exit status 2, and no page written.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "run_cli.hpp"

namespace taskscope::testing {
namespace {

std::string scratch(const std::string& name) {
  return std::string(TASKSCOPE_BINARY_DIR) + "/tests/html/" + name;
}

TEST_CASE("report of a missing trace is one line and exit status 2", "[html][cli]") {
  const std::string page = scratch("missing.html");
  std::filesystem::remove(page);
  const CliResult result = run_cli("report /nonexistent/none.tscope -o '" + page + "'");
  CHECK(result.status == 2);
  CHECK(count_lines(result.err) == 1);
  CHECK(result.err.find("/nonexistent/none.tscope") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(page));
}

TEST_CASE("report of a file that is not a trace is one line and exit status 2", "[html][cli]") {
  const std::string bogus = scratch("not-a-trace.tscope");
  std::ofstream(bogus) << "this is not a taskscope trace\n";
  const std::string page = scratch("not-a-trace.html");
  std::filesystem::remove(page);
  const CliResult result = run_cli("report '" + bogus + "' -o '" + page + "'");
  CHECK(result.status == 2);
  CHECK(count_lines(result.err) == 1);
  CHECK(result.err.find(bogus) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(page));
}

TEST_CASE("report --at outside the trace is refused", "[html][cli]") {
  const std::string trace = std::string(TASKSCOPE_SOURCE_DIR) + "/traces/abba/abba.tscope";
  const CliResult result = run_cli("report '" + trace + "' --at 1000s -o /dev/null");
  CHECK(result.status == 2);
  CHECK(count_lines(result.err) == 1);
  CHECK(result.err.find("outside the trace") != std::string::npos);
}

}  // namespace
}  // namespace taskscope::testing
