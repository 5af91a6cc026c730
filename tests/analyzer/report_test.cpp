// The text, JSON and dot renderings of an analysis.
#include "taskscope/analyzer/report.hpp"

#include <catch2/catch.hpp>
#include <map>

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

TEST_CASE("report: JSON follows taskscope.report/2", "[report]") {
  auto analysis = abba_with_warning().analyze();
  const auto doc = json::parse(analysis->render(analyzer::OutputFormat::kJson));
  CHECK(doc["schema"].string == "taskscope.report/2");
  CHECK(doc["has_error"].boolean);
  CHECK(doc["at_ns"].number == 2000.0 * kMs);  // the last event
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
    CHECK(finding["summary"].type == json::Value::Type::kString);
    CHECK(!finding["explanation"].array.empty());
    for (const auto& agent : finding["agents"].array) {
      CHECK((agent["type"].string == "thread" || agent["type"].string == "task"));
      CHECK(agent["id"].type == json::Value::Type::kNumber);
      CHECK(!agent["name"].string.empty());
    }
  }
  CHECK(findings[0]["agents"][0]["name"].string.rfind("transfer#", 0) == 0);
  CHECK(findings[0]["diagram"].array.size() > 2);
}

TEST_CASE("report: a deadlock's JSON carries its cycle as wait edges", "[report]") {
  auto analysis = abba_with_warning().analyze();
  const auto doc = json::parse(analysis->render(analyzer::OutputFormat::kJson));
  const auto& deadlock = doc["findings"][0];
  REQUIRE(deadlock["kind"].string == "deadlock");
  CHECK(deadlock["since_ns"].number == 1.0 * kMs);  // the first lock of the cycle
  // Each transfer waits to lock what the other owns, at bank.c:41.
  const auto& edges = deadlock["wait_edges"].array;
  REQUIRE(edges.size() == 2);
  std::map<double, std::string> waits_on;  // agent id -> resource name
  for (const auto& edge : edges) {
    CHECK(edge["in_cycle"].boolean);
    CHECK(edge["wait"].string == "lock");
    CHECK(edge["reason"].string == "owns");
    CHECK(edge["since_ns"].number == 2.0 * kMs + (edge["agent"]["id"].number == 3 ? 1000 : 0));
    CHECK(edge["location"]["file"].string == "bank.c");
    CHECK(edge["location"]["line"].number == 41);
    CHECK(edge["location"]["function"].type == json::Value::Type::kNull);
    CHECK(edge["waits_for"]["id"].number != edge["agent"]["id"].number);
    waits_on[edge["agent"]["id"].number] = edge["resource"]["name"].string;
  }
  CHECK(waits_on ==
        std::map<double, std::string>{{2, "accounts[7].lock"}, {3, "accounts[3].lock"}});
  // Agents: blocked, spawned by main, each holding one account's lock since 1 ms.
  for (const auto& agent : deadlock["agents"].array) {
    CHECK(agent["state"].string == "blocked");
    REQUIRE(agent["spawn_chain"].array.size() == 1);
    CHECK(agent["spawn_chain"][0]["name"].string == "main");
    REQUIRE(agent["holds"].array.size() == 1);
    const auto& hold = agent["holds"][0];
    CHECK(hold["mode"].string == "exclusive");
    CHECK(hold["location"]["file"].string == "app/bank.c");
    CHECK(hold["location"]["line"].number == 37);
    CHECK(hold["location"]["function"].string == "transfer");
  }
  // Resources: each lock owned by the other transfer, with one waiter.
  REQUIRE(deadlock["resources"].array.size() == 2);
  for (const auto& resource : deadlock["resources"].array) {
    CHECK(resource["type"].string == "mutex");
    CHECK(resource["live"].boolean);
    CHECK(resource["owner"]["id"].number ==
          waits_on.begin()->first + (resource["id"].number == 10 ? 0 : 1));
    CHECK(resource["waiters"].number == 1);
    CHECK(resource["channel"].type == json::Value::Type::kNull);
  }
}

TEST_CASE("report: a channel-full cycle's JSON gives the channel's depth and capacity",
          "[report]") {
  // main creates the aggregator, which creates fetch, hands it the sender of
  // "results" (capacity 2), receives once, then joins fetch; fetch fills
  // "results" and blocks on a third send.
  Script s;
  s.thread(1, "main").create_thread(1, 2, "src/server.cpp:64").thread(2, "aggregator", 1);
  s.channel(2, 20, "results", 2).open(2, 100, 20, false).open(2, 101, 20, true);
  s.create_thread(2, 3, "src/aggregate.cpp:41").thread(3, "fetch", 2).hand(2, 100, 3);
  s.use(2, 101, true).recv(2, 20, 0);
  s.at(1).use(3, 100, false).send(3, 20, 1).send(3, 20, 2);
  s.at(2).wait_begin(3, 20, WaitOp::kSend);
  s.at(3).join(2, 3);
  s.at(500).emit(1, EventKind::kMark, 0, s.str("tick"));
  auto analysis = s.analyze();
  const auto doc = json::parse(analysis->render(analyzer::OutputFormat::kJson));
  INFO(analysis->render(analyzer::OutputFormat::kText));
  REQUIRE(doc["findings"].array.size() >= 1);
  const auto& finding = doc["findings"][0];
  REQUIRE(finding["kind"].string == "channel_full_cycle");
  const auto& channel = finding["resources"][0];
  CHECK(channel["name"].string == "results");
  CHECK(channel["channel"]["bounded"].boolean);
  CHECK(channel["channel"]["capacity"].number == 2);
  CHECK(channel["channel"]["depth"].number == 2);
  CHECK(channel["channel"]["sends"].number == 2);
  std::vector<std::string> waits;
  for (const auto& edge : finding["wait_edges"].array)
    if (edge["in_cycle"].boolean)
      waits.push_back(edge["wait"].string + ":" + edge["reason"].string);
  CHECK(sorted(waits) == std::vector<std::string>{"join:joined", "send:receiver"});
  // fetch was created by the aggregator at src/aggregate.cpp:41, the aggregator
  // by main at src/server.cpp:64.
  bool fetch_seen = false;
  for (const auto& agent : finding["agents"].array) {
    if (agent["name"].string != "fetch") continue;
    fetch_seen = true;
    CHECK(agent["spawned_at"]["file"].string == "src/aggregate.cpp");
    CHECK(agent["spawned_at"]["line"].number == 41);
    REQUIRE(agent["spawn_chain"].array.size() == 2);
    CHECK(agent["spawn_chain"][0]["name"].string == "aggregator");
    CHECK(agent["spawn_chain"][0]["spawned_at"]["text"].string == "src/server.cpp:64");
    CHECK(agent["spawn_chain"][1]["name"].string == "main");
  }
  CHECK(fetch_seen);
}

TEST_CASE("report: JSON of a clean trace has an empty findings array", "[report]") {
  Script s;
  s.thread(1, "main").at(5).emit(1, EventKind::kMark, 0, s.str("x"));
  const auto doc = json::parse(s.analyze()->render(analyzer::OutputFormat::kJson));
  CHECK(doc["findings"].array.empty());
}

TEST_CASE("report: events that contradicted the state are counted under the trace line",
          "[report]") {
  Script clean;
  clean.thread(1, "main").mutex(1, 10, "m").lock(1, 10).unlock(1, 10);
  auto analysis = clean.analyze();
  CHECK(json::parse(analysis->render(analyzer::OutputFormat::kJson))["trace"]["inconsistent_events"]
            .number == 0);
  CHECK(analysis->render(analyzer::OutputFormat::kText).find("contradicted") == std::string::npos);

  // A release of a lock nobody holds: its acquisition was lost.
  Script lossy;
  lossy.thread(1, "main").thread(2, "worker").mutex(1, 10, "m").lock(1, 10).unlock(2, 10);
  analysis = lossy.analyze();
  CHECK(json::parse(analysis->render(analyzer::OutputFormat::kJson))["trace"]["inconsistent_events"]
            .number == 1);
  CHECK_THAT(analysis->render(analyzer::OutputFormat::kText),
             Catch::Contains("1 event contradicted the state before it"));
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
