// The text, JSON and dot renderings of an analysis.
#include "taskscope/analyzer/report.hpp"

#include <catch2/catch.hpp>

#include "mini_json.hpp"
#include "script.hpp"

namespace taskscope::test {

namespace {

Script abba_with_warning() {
  Script s;
  s.thread(1, "main").mutex(1, 10, "accounts[3].lock").mutex(1, 11, "accounts[7].lock");
  s.thread(2, "transfer", 1).thread(3, "transfer", 1);
  s.at(1).lock(2, 10, "/src/app/bank.c:37 void transfer(int, int)");
  s.lock(3, 11, "/src/app/bank.c:37 void transfer(int, int)");
  s.at(2).block_lock(2, 11, "bank.c:41").block_lock(3, 10, "bank.c:41");
  s.at(3).wait_begin(1, 0, WaitOp::kIo, 7);
  s.at(2000).emit(2, EventKind::kMark, 0, s.str("tick"));
  return s;
}

}  // namespace

TEST_CASE("report: JSON follows taskscope.report/1", "[report]") {
  auto analysis = abba_with_warning().analyze();
  const auto doc = json::parse(analysis->render(analyzer::OutputFormat::kJson));
  CHECK(doc["schema"].string == "taskscope.report/1");
  const auto& trace = doc["trace"];
  CHECK(trace["path"].string == "synthetic");
  CHECK(trace["events"].type == json::Value::Type::kNumber);
  CHECK(trace["duration_ns"].number == 2000.0 * kMs);
  CHECK(trace["dropped_events"].number == 0);
  CHECK(trace["truncated"].type == json::Value::Type::kBool);
  const auto& findings = doc["findings"].array;
  REQUIRE(findings.size() == 2);
  CHECK(findings[0]["kind"].string == "deadlock");
  CHECK(findings[0]["severity"].string == "error");
  CHECK(findings[1]["kind"].string == "stalled");
  CHECK(findings[1]["severity"].string == "warning");
  for (const auto& finding : findings) {
    CHECK(finding.object.size() == 6);  // exactly the schema's fields
    CHECK(finding["summary"].type == json::Value::Type::kString);
    for (const auto& agent : finding["agents"].array) {
      CHECK(agent.object.size() == 3);
      CHECK((agent["type"].string == "thread" || agent["type"].string == "task"));
      CHECK(agent["id"].type == json::Value::Type::kNumber);
      CHECK(!agent["name"].string.empty());
    }
    for (const auto& resource : finding["resources"].array) {
      CHECK(resource.object.size() == 3);
      CHECK(!resource["name"].string.empty());
    }
    CHECK(!finding["explanation"].array.empty());
  }
  CHECK(findings[0]["agents"][0]["name"].string.rfind("transfer#", 0) == 0);
}

TEST_CASE("report: JSON of a clean trace has an empty findings array", "[report]") {
  Script s;
  s.thread(1, "main").at(5).emit(1, EventKind::kMark, 0, s.str("x"));
  const auto doc = json::parse(s.analyze()->render(analyzer::OutputFormat::kJson));
  CHECK(doc["findings"].array.empty());
}

TEST_CASE("report: text puts the verdict first, then warnings, census and trace", "[report]") {
  auto analysis = abba_with_warning().analyze();
  const std::string text = analysis->render(analyzer::OutputFormat::kText);
  CHECK(text.rfind("DEADLOCK: 2 threads stuck in a lock cycle\n", 0) == 0);
  const auto warnings = text.find("\nWarnings\n");
  const auto census = text.find("\nCensus at 2.00 s: 3 threads (2 stuck, 1 waiting on I/O)");
  const auto trace = text.find("\nTrace: synthetic, ");
  CHECK(warnings != std::string::npos);
  CHECK(census != std::string::npos);
  CHECK(trace != std::string::npos);
  CHECK(warnings < census);
  CHECK(census < trace);
  // Locations are tidied: the last two path components and the function name.
  CHECK(text.find("app/bank.c:37 (transfer)") != std::string::npos);
  CHECK(text.find("holds mutex \"accounts[3].lock\" since") != std::string::npos);
}

TEST_CASE("report: the census counts locks left held by agents that exited", "[report]") {
  for (bool released : {false, true}) {
    Script s;
    s.thread(1, "main").mutex(1, 10, "db").mutex(1, 11, "log").thread(2, "loader", 1);
    s.at(1).lock(2, 10).lock(1, 11);
    if (released) s.unlock(2, 10);
    s.thread_end(2).at(5).emit(1, EventKind::kMark, 0, s.str("x"));
    const std::string text = s.analyze()->render(analyzer::OutputFormat::kText);
    INFO(text);
    CHECK((text.find("2 resources, 1 lock held (and 1 by an agent that exited).") !=
           std::string::npos) == !released);
    CHECK((text.find("2 resources, 1 lock held.") != std::string::npos) == released);
  }
}

TEST_CASE("report: a hang that no recorded wait explains says where to look", "[report]") {
  for (const char* reason : {"hang", ""}) {
    Script s;
    s.reason = reason;
    s.thread(1, "main").thread(2, "worker", 1).join(1, 2);
    s.at(500).emit(1, EventKind::kMark, 0, s.str("x"));
    const std::string text = s.analyze()->render(analyzer::OutputFormat::kText);
    INFO(text);
    CHECK(text.rfind("OK: no agent is stuck", 0) == 0);
    CHECK((text.find("no recorded wait explains it") != std::string::npos) ==
          (std::string(reason) == "hang"));
  }
}

TEST_CASE("report: text of a clean trace says so", "[report]") {
  Script s;
  s.thread(1, "main").at(5).emit(1, EventKind::kMark, 0, s.str("x"));
  const std::string text = s.analyze()->render(analyzer::OutputFormat::kText);
  CHECK(text.rfind("OK: no agent is stuck at 0.0050 s", 0) == 0);
}

TEST_CASE("report: dot highlights the stuck nodes", "[report]") {
  auto analysis = abba_with_warning().analyze();
  const std::string dot = analysis->render(analyzer::OutputFormat::kDot);
  CHECK(dot.rfind("digraph wait_for {", 0) == 0);
  CHECK(dot.find("n2 -> n3 [label=\"accounts[7].lock (owns)\", color=red]") != std::string::npos);
  CHECK(dot.find("fillcolor=\"#f4a6a6\"") != std::string::npos);
  CHECK(dot.back() == '\n');
}

TEST_CASE("report: json_quote escapes control characters", "[report]") {
  CHECK(analyzer::json_quote("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
}

}  // namespace taskscope::test
