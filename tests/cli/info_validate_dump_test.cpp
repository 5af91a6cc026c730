// The foundation commands: exit status 0 on good traces, 2 with one line naming
// the file and the reason on anything else; info counts match what was written.
#include <catch2/catch.hpp>

#include "run_cli.hpp"
#include "trace_builder.hpp"

using namespace taskscope::format;
using namespace taskscope::format::testing;
using taskscope::testing::count_lines;
using taskscope::testing::run_cli;

namespace {

TraceBytes sample_trace() {
  TraceBytes t;
  t.header();
  t.strings({{1, "main"}, {2, "worker"}, {3, "accounts"}, {4, "bank.c:41"}});
  t.batch(1,
          {make_event(10, 1, EventKind::kThreadStart, 1, 0, 0, 1),
           make_event(12, 1, EventKind::kResourceCreate, 5, 0, 1, 3),
           make_event(30, 1, EventKind::kAcquired, 5, 0, 0, 4)},
          20);
  t.batch(2,
          {make_event(15, 2, EventKind::kThreadStart, 2, 1, 0, 2),
           make_event(25, 2, EventKind::kWaitBegin, 5, 0, 0, 4),
           make_event(2'000'000'025, 2, EventKind::kWaitEnd, 5),
           make_event(2'000'000'030, 2, EventKind::kDropped, 7, 2'000'000'000)},
          40);
  t.footer({7, 4, 7, 2'000'000'030});
  return t;
}

}  // namespace

TEST_CASE("validate accepts a sound trace", "[cli]") {
  TempPath path("cli-good");
  write_bytes(path.str(), sample_trace().bytes);
  auto result = run_cli("validate " + path.str());
  CHECK(result.status == 0);
  CHECK_THAT(result.out, Catch::Contains("valid"));
  CHECK(result.err.empty());
}

TEST_CASE("validate and info refuse bad files with exit 2 and one line", "[cli]") {
  auto good = sample_trace();
  TempPath path("cli-bad");
  struct Case {
    std::string name;
    std::vector<uint8_t> bytes;
    std::string reason;
  };
  auto corrupt = good.bytes;
  corrupt[good.frame_ends[2] + 30] ^= 0x55;
  std::vector<Case> cases = {
      {"empty", {}, "empty file"},
      {"text", {'h', 'e', 'l', 'l', 'o', '\n'}, "not a taskscope trace"},
      {"truncated", std::vector<uint8_t>(good.bytes.begin(), good.bytes.end() - 5), "truncated"},
      {"corrupt", corrupt, "corrupt frame"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    write_bytes(path.str(), c.bytes);
    auto result = run_cli("validate " + path.str());
    CHECK(result.status == 2);
    CHECK(count_lines(result.err) == 1);
    CHECK_THAT(result.err, Catch::Contains(path.str()) && Catch::Contains(c.reason));
  }
  auto missing = run_cli("info /nonexistent/none.tscope");
  CHECK(missing.status == 2);
  CHECK(count_lines(missing.err) == 1);
  CHECK_THAT(missing.err, Catch::Contains("/nonexistent/none.tscope"));
}

TEST_CASE("bad flags give exit 2 and one line", "[cli]") {
  for (const std::string args : {"info", "dump --no-such-flag x", "nosuchcommand",
                                 "dump x --from yesterday"}) {
    INFO(args);
    auto result = run_cli(args);
    CHECK(result.status == 2);
    CHECK(count_lines(result.err) == 1);
  }
}

TEST_CASE("an unknown command is named and the commands are listed", "[cli]") {
  auto result = run_cli("nosuchcommand x.tscope");
  CHECK(result.status == 2);
  CHECK(count_lines(result.err) == 1);
  CHECK_THAT(result.err, Catch::Contains("unknown command nosuchcommand") &&
                             Catch::Contains("record") && Catch::Contains("analyze") &&
                             Catch::Contains("dump"));
}

TEST_CASE("dump refuses a filter that names nothing or makes no sense", "[cli]") {
  TempPath path("cli-dump-usage");
  write_bytes(path.str(), sample_trace().bytes);
  struct Case {
    std::string args;
    std::vector<std::string> says;
  };
  const std::vector<Case> cases = {
      {"--thread nobody", {"--thread", "nobody", "(threads: main, worker)"}},
      {"--thread main --thread nobody", {"nobody"}},
      {"--thread ''", {"--thread"}},
      {"--limit 0", {"--limit"}},
      {"--limit -3", {"--limit"}},
      {"--kind nonsense", {"nonsense", "wait_begin", "thread_start", "lifecycle"}},
      {"--from ''", {"--from"}},
      {"--to ''", {"--to"}},
  };
  for (const Case& c : cases) {
    INFO(c.args);
    auto result = run_cli("dump " + path.str() + " " + c.args);
    INFO(result.err);
    CHECK(result.status == 2);
    CHECK(count_lines(result.err) == 1);
    CHECK(result.out.empty());
    for (const std::string& word : c.says) CHECK_THAT(result.err, Catch::Contains(word));
  }
  auto two = run_cli("dump " + path.str() + " --limit 2");
  CHECK(two.status == 0);
  CHECK(count_lines(two.out) == 2);
}

TEST_CASE("info counts what was written", "[cli]") {
  TempPath path("cli-info");
  write_bytes(path.str(), sample_trace().bytes);
  auto result = run_cli("info " + path.str());
  REQUIRE(result.status == 0);
  CHECK_THAT(result.out, Catch::Contains("events:      7"));
  CHECK_THAT(result.out, Catch::Contains("threads:     2 (main, worker)"));
  CHECK_THAT(result.out, Catch::Contains("dropped:     7 events"));
  CHECK_THAT(result.out, Catch::Contains("lifecycle   2"));
  CHECK_THAT(result.out, Catch::Contains("5 (1 header, 1 strings, 2 event batch, 1 footer)"));
  CHECK_THAT(result.out, Catch::Contains("status:      complete"));
  // The range every command reports; analyze's JSON has the same ns.
  CHECK_THAT(result.out, Catch::Contains("duration:    2.000 s (2000000020 ns)"));
}

TEST_CASE("dump resolves names and filters", "[cli]") {
  TempPath path("cli-dump");
  write_bytes(path.str(), sample_trace().bytes);
  auto all = run_cli("dump " + path.str());
  REQUIRE(all.status == 0);
  CHECK(count_lines(all.out) == 7);
  CHECK_THAT(all.out, Catch::Contains("thread_start     agent=worker spawner=main name=\"worker\""));
  CHECK_THAT(all.out, Catch::Contains("wait_begin       op=lock resource=mutex \"accounts\" "
                                      "detail=0 location=bank.c:41"));

  auto waits = run_cli("dump " + path.str() + " --kind wait");
  CHECK(count_lines(waits.out) == 2);
  auto by_thread = run_cli("dump " + path.str() + " --thread main");
  CHECK(count_lines(by_thread.out) == 3);
  auto late = run_cli("dump " + path.str() + " --from 1s");
  CHECK(count_lines(late.out) == 2);
  auto bad_kind = run_cli("dump " + path.str() + " --kind nonsense");
  CHECK(bad_kind.status == 2);
}

TEST_CASE("dump names the joined thread, pthread_exit sites and detaches", "[cli]") {
  TempPath path("cli-dump-threads");
  TraceBytes t;
  t.header();
  t.strings({{1, "main"}, {2, "worker"}, {3, "worker.c:20"}, {4, "main.c:9"}});
  const auto join = static_cast<uint8_t>(WaitOp::kJoin);
  const auto completed = static_cast<uint8_t>(WaitOutcome::kCompleted);
  t.batch(2,
          {make_event(15, 2, EventKind::kThreadStart, 2, 1, 0, 2),
           make_event(30, 2, EventKind::kThreadEnd, 2, 0, 0, 3)},
          10);
  t.batch(1,
          {make_event(10, 1, EventKind::kThreadStart, 1, 0, 0, 1),
           make_event(20, 1, EventKind::kWaitBegin, 2, 0, join, 4),
           make_event(40, 1, EventKind::kWaitEnd, 2, 0, completed),
           make_event(50, 1, EventKind::kThreadDetach, 2, 0, 0, 4)},
          60);
  t.footer({6, 4, 0, 60});
  write_bytes(path.str(), t.bytes);
  auto all = run_cli("dump " + path.str());
  INFO(all.out << all.err);
  REQUIRE(all.status == 0);
  CHECK(count_lines(all.out) == 6);
  CHECK_THAT(all.out, Catch::Contains("op=join joined=worker detail=0 location=main.c:9"));
  CHECK_THAT(all.out, Catch::Contains("wait_end         joined=worker outcome=completed"));
  CHECK_THAT(all.out, Catch::Contains("thread_end       agent=worker exit_location=worker.c:20"));
  CHECK_THAT(all.out, Catch::Contains("thread_detach    agent=worker location=main.c:9"));
}

TEST_CASE("dump numbers agents that share a name as analyze does", "[cli]") {
  TempPath path("cli-dump-numbering");
  TraceBytes t;
  t.header();
  t.strings({{1, "main"}, {2, "worker"}, {3, "cache"}, {4, "cache.c:7"}});
  t.batch(1,
          {make_event(10, 1, EventKind::kThreadStart, 1, 0, 0, 1),
           make_event(11, 1, EventKind::kResourceCreate, 9, 0, 1, 3),
           make_event(40, 1, EventKind::kWaitBegin, 9, 0, 0, 4)},
          50);
  t.batch(2, {make_event(20, 2, EventKind::kThreadStart, 2, 1, 0, 2)}, 50);
  t.batch(3, {make_event(25, 3, EventKind::kThreadStart, 3, 1, 0, 2),
              make_event(30, 3, EventKind::kAcquired, 9, 0, 0, 4)},
          50);
  t.footer({6, 5, 0, 60});
  write_bytes(path.str(), t.bytes);
  auto all = run_cli("dump " + path.str());
  INFO(all.out << all.err);
  REQUIRE(all.status == 0);
  CHECK_THAT(all.out, Catch::Contains("agent=worker#1 spawner=main"));
  CHECK_THAT(all.out, Catch::Contains("agent=worker#2 spawner=main"));
  CHECK_THAT(all.out, Catch::Contains("worker#2             acquired         resource=mutex \"cache\""));
  // analyze names the holder of the lock main waits for the same way.
  auto report = run_cli("analyze --stall 10ns " + path.str());
  INFO(report.out << report.err);
  CHECK_THAT(report.out, Catch::Contains("worker#2"));
  CHECK_THAT(report.out, !Catch::Contains("worker#1") && !Catch::Contains("worker "));
  // --thread takes the numbered name, or the name they share.
  CHECK(count_lines(run_cli("dump " + path.str() + " --thread worker#2").out) == 2);
  CHECK(count_lines(run_cli("dump " + path.str() + " --thread worker").out) == 3);
}
