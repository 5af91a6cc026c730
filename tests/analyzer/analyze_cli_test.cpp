// `taskscope analyze`: exit status, output formats, and bad input.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "mini_json.hpp"
#include "run_cli.hpp"
#include "script.hpp"
#include "taskscope/format/reader.hpp"
#include "trace_file.hpp"

namespace taskscope::test {

using testing::count_lines;
using testing::run_cli;
using testing::slurp;

namespace {

Script deadlocked() {
  Script s;
  s.thread(1, "main").mutex(1, 10, "a").mutex(1, 11, "b");
  s.thread(2, "left", 1).thread(3, "right", 1);
  s.at(1).lock(2, 10).lock(3, 11);
  s.at(2).block_lock(2, 11).block_lock(3, 10);
  s.at(500).emit(1, EventKind::kMark, 0, s.str("tick"));
  return s;
}

// One thread from 1 ms (the trace's first event) to 500 ms (its last).
Script ticking() {
  Script s;
  s.at(1).thread(1, "main");
  s.at(500).emit(1, EventKind::kMark, 0, s.str("tick"));
  return s;
}

struct TempTrace {
  explicit TempTrace(const std::string& stem) : path(temp_trace_path(stem)) {}
  ~TempTrace() { std::remove(path.c_str()); }
  std::string path;
};

}  // namespace

TEST_CASE("analyze: exit 1 on a deadlock, with a text verdict", "[cli]") {
  TempTrace trace("analyze-deadlock");
  REQUIRE(write_trace(deadlocked(), trace.path));
  const auto result = run_cli("analyze " + trace.path);
  CHECK(result.status == 1);
  CHECK(result.out.rfind("DEADLOCK: 2 threads stuck in a lock cycle", 0) == 0);
  CHECK(result.err.empty());
}

TEST_CASE("analyze: exit 0 at a time before the deadlock", "[cli]") {
  TempTrace trace("analyze-at");
  REQUIRE(write_trace(deadlocked(), trace.path));
  CHECK(run_cli("analyze " + trace.path + " --at 1.5ms").status == 0);
  CHECK(run_cli("analyze " + trace.path + " --at 1500000").status == 0);
  CHECK(run_cli("analyze " + trace.path + " --at 400ms").status == 1);
}

TEST_CASE("analyze: --at outside the trace is refused with its time range", "[cli]") {
  TempTrace trace("analyze-at-range");
  REQUIRE(write_trace(ticking(), trace.path));
  for (const std::string at : {"2.5s", "500001us", "0", "999us"}) {
    INFO(at);
    const auto result = run_cli("analyze " + trace.path + " --at " + at);
    CHECK(result.status == 2);
    CHECK(count_lines(result.err) == 1);
    CHECK_THAT(result.err, Catch::Contains("--at " + at) && Catch::Contains("1.000 ms") &&
                               Catch::Contains("500.000 ms"));
    CHECK(result.out.empty());
  }
  CHECK(run_cli("analyze " + trace.path + " --at 1ms").status == 0);
  CHECK(run_cli("analyze " + trace.path + " --at 500ms").status == 0);
  const auto empty = run_cli("analyze " + trace.path + " --at ''");
  CHECK(empty.status == 2);
  CHECK(count_lines(empty.err) == 1);
}

TEST_CASE("analyze: --at before the watchdog fired says nothing about it", "[cli]") {
  // A trace the watchdog wrote at 3 s, with no recorded wait to explain it.
  TempTrace trace("analyze-at-early");
  REQUIRE(write_trace(ticking(), trace.path, true, "hang", 3'000'000'000));
  const auto at_end = run_cli("analyze " + trace.path);
  INFO(at_end.out);
  CHECK(at_end.status == 0);
  CHECK_THAT(at_end.out, Catch::Contains("the end of the trace (written on hang)"));
  CHECK_THAT(at_end.out, Catch::Contains("The watchdog saw no progress"));
  const auto before = run_cli("analyze " + trace.path + " --at 100ms");
  INFO(before.out);
  CHECK(before.status == 0);
  CHECK_THAT(before.out, !Catch::Contains("watchdog") && !Catch::Contains("written on"));
}

TEST_CASE("analyze: --partial on a file with no complete event frame is refused", "[cli]") {
  TempTrace trace("analyze-no-events");
  REQUIRE(write_trace(deadlocked(), trace.path, /*footer=*/false));
  // Cut inside the first event frame: header and strings remain.
  uint64_t first_batch = 0;
  {
    format::FrameReader frames(trace.path);
    while (auto frame = frames.next())
      if (frame->type == format::FrameType::kEventBatch) {
        first_batch = frame->offset;
        break;
      }
  }
  REQUIRE(first_batch > 0);
  const std::string bytes = slurp(trace.path);
  std::ofstream(trace.path, std::ios::binary | std::ios::trunc) << bytes.substr(0, first_batch + 8);
  const auto result = run_cli("analyze --partial " + trace.path);
  CHECK(result.status == 2);
  CHECK(count_lines(result.err) == 1);
  CHECK_THAT(result.err, Catch::Contains(trace.path) && Catch::Contains("no complete event frame"));
  CHECK(result.out.empty());
}

TEST_CASE("analyze: info and stats give a file one duration", "[cli]") {
  // First event at 1 ms, last at 500 ms, closed at 2.5 s: a program stopped
  // 2 s after its last event. Every command says 2.499 s.
  TempTrace trace("analyze-duration");
  REQUIRE(write_trace(ticking(), trace.path, true, "signal 2", 2'500'000'000));
  const auto analysis = run_cli("analyze --format json " + trace.path);
  REQUIRE(analysis.status == 0);
  CHECK(json::parse(analysis.out)["trace"]["duration_ns"].number == 2'499'000'000.0);
  const auto stats = run_cli("stats --format json " + trace.path);
  REQUIRE(stats.status == 0);
  CHECK(json::parse(stats.out)["trace"]["duration_ns"].number == 2'499'000'000.0);
  const auto info = run_cli("info " + trace.path);
  REQUIRE(info.status == 0);
  CHECK_THAT(info.out, Catch::Contains("duration:    2.499 s"));
}

TEST_CASE("analyze: --format json parses and names the agents", "[cli]") {
  TempTrace trace("analyze-json");
  REQUIRE(write_trace(deadlocked(), trace.path));
  const auto result = run_cli("analyze --format json " + trace.path);
  CHECK(result.status == 1);
  const auto doc = json::parse(result.out);
  CHECK(doc["schema"].string == "taskscope.report/2");
  CHECK(doc["trace"]["path"].string == trace.path);
  CHECK(doc["trace"]["events"].number == static_cast<double>(deadlocked().events.size()));
  CHECK_FALSE(doc["trace"]["truncated"].boolean);
  REQUIRE(doc["findings"].array.size() == 1);
  CHECK(doc["findings"][0]["kind"].string == "deadlock");
  std::vector<std::string> names;
  for (const auto& agent : doc["findings"][0]["agents"].array)
    names.push_back(agent["name"].string);
  CHECK(sorted(names) == std::vector<std::string>{"left", "right"});
}

TEST_CASE("analyze: --format dot and -o", "[cli]") {
  TempTrace trace("analyze-dot");
  TempTrace out("analyze-dot-out");
  REQUIRE(write_trace(deadlocked(), trace.path));
  const auto result = run_cli("analyze " + trace.path + " --format dot -o " + out.path);
  CHECK(result.status == 1);
  CHECK(result.out.empty());
  CHECK(slurp(out.path).rfind("digraph wait_for {", 0) == 0);
}

TEST_CASE("analyze: exit 0 on a clean trace, and --stall reports long waits", "[cli]") {
  Script s;
  s.thread(1, "main").at(1).wait_begin(1, 0, WaitOp::kIo, 3);
  s.at(2000).emit(1, EventKind::kMark, 0, s.str("tick"));
  TempTrace trace("analyze-clean");
  REQUIRE(write_trace(s, trace.path));
  const auto plain = run_cli("analyze --format json " + trace.path + " --stall 5s");
  CHECK(plain.status == 0);
  CHECK(json::parse(plain.out)["findings"].array.empty());
  const auto stalled = run_cli("analyze --format json " + trace.path + " --stall 1500ms");
  CHECK(stalled.status == 0);
  CHECK(json::parse(stalled.out)["findings"][0]["kind"].string == "stalled");
}

TEST_CASE("analyze: a truncated trace is refused, or analyzed with --partial", "[cli]") {
  TempTrace trace("analyze-truncated");
  REQUIRE(write_trace(deadlocked(), trace.path, /*footer=*/false));
  std::ifstream in(trace.path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  // Cut inside the last frame, as a crash would.
  std::ofstream(trace.path, std::ios::binary | std::ios::trunc)
      << bytes.substr(0, bytes.size() - 5);
  const auto refused = run_cli("analyze " + trace.path);
  CHECK(refused.status == 2);
  CHECK(count_lines(refused.err) == 1);
  CHECK(refused.err.find(trace.path + ": truncated after") != std::string::npos);
  CHECK(refused.out.empty());
  const auto result = run_cli("analyze --partial --format json " + trace.path);
  CHECK((result.status == 0 || result.status == 1));
  CHECK(json::parse(result.out)["trace"]["truncated"].boolean);
  CHECK(run_cli("analyze --partial " + trace.path).out.find("truncated") != std::string::npos);
}

TEST_CASE("analyze: a corrupt frame mid-file is refused, or skipped with --partial", "[cli]") {
  TempTrace trace("analyze-flipped");
  REQUIRE(write_trace(deadlocked(), trace.path));
  std::string bytes = slurp(trace.path);
  REQUIRE(bytes.size() > 64);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
  std::ofstream(trace.path, std::ios::binary | std::ios::trunc) << bytes;
  const auto refused = run_cli("analyze " + trace.path);
  CHECK(refused.status == 2);
  CHECK(count_lines(refused.err) == 1);
  CHECK(refused.err.find("corrupt frame") != std::string::npos);
  const auto partial = run_cli("analyze --partial --format json " + trace.path);
  CHECK((partial.status == 0 || partial.status == 1));
  CHECK(json::parse(partial.out)["schema"].string == "taskscope.report/2");
}

TEST_CASE("analyze: absurd length fields are bad input", "[cli]") {
  TempTrace trace("analyze-absurd");
  REQUIRE(write_trace(deadlocked(), trace.path));
  std::string bytes = slurp(trace.path);
  // The header frame's preamble: magic (4), type, version, padding (8), then
  // its two sizes, set to 4 GiB - 1 each.
  for (size_t i = 8; i < 16 && i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xff);
  std::ofstream(trace.path, std::ios::binary | std::ios::trunc) << bytes;
  const auto result = run_cli("analyze " + trace.path);
  CHECK(result.status == 2);
  CHECK(count_lines(result.err) == 1);
  CHECK(result.out.empty());
}

TEST_CASE("analyze: bad input and bad usage exit 2 with one line", "[cli]") {
  TempTrace empty("analyze-empty");
  std::ofstream(empty.path).close();
  TempTrace text("analyze-text");
  std::ofstream(text.path) << "this is not a trace\nat all\n";
  TempTrace cut("analyze-cut");
  REQUIRE(write_trace(deadlocked(), cut.path));
  {
    std::ifstream in(cut.path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(cut.path, std::ios::binary | std::ios::trunc) << bytes.substr(0, 10);
  }
  TempTrace corrupt("analyze-corrupt");
  REQUIRE(write_trace(deadlocked(), corrupt.path));
  {
    std::fstream io(corrupt.path, std::ios::binary | std::ios::in | std::ios::out);
    io.seekp(0);
    io.write("XXXX", 4);  // the header's magic
  }
  TempTrace future("analyze-future");
  {
    format::FrameEncoder encoder(1);
    format::TraceFile file;
    REQUIRE(file.open(future.path));
    format::TraceHeader header;
    header.version_major = format::kFormatMajor + 2;
    REQUIRE(file.write(encoder.header(header)));
  }
  for (const std::string& args :
       {"analyze " + empty.path, "analyze " + text.path, "analyze " + cut.path,
        "analyze " + corrupt.path, "analyze " + future.path,
        std::string("analyze /nonexistent/trace.tscope")}) {
    INFO(args);
    const auto result = run_cli(args);
    CHECK(result.status == 2);
    CHECK(count_lines(result.err) == 1);
    CHECK(result.out.empty());
  }
  TempTrace good("analyze-flags");
  REQUIRE(write_trace(deadlocked(), good.path));
  for (const std::string& args :
       {std::string("analyze"), "analyze " + good.path + " --format xml",
        "analyze " + good.path + " --at soon", "analyze " + good.path + " --stall -1s",
        "analyze " + good.path + " --bogus"}) {
    INFO(args);
    const auto result = run_cli(args);
    CHECK(result.status == 2);
    CHECK(count_lines(result.err) == 1);
  }
}

}  // namespace taskscope::test
