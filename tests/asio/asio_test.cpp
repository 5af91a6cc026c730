// Boost.Asio programs linked with taskscope::asio (and nothing else of
// taskscope), recorded through `taskscope record` with a 1 s hang watchdog,
// their traces analyzed: the acceptance of the Asio integration
// (recorder/asio/include/taskscope/asio/handler_tracking.hpp).
#include <algorithm>
#include <catch2/catch.hpp>
#include <regex>

#include "support.hpp"

namespace taskscope::preload_test {
namespace {

using Catch::Matchers::Contains;

constexpr const char* kHang = "--hang-timeout 1s --timeout 20s";

bool has(const std::vector<std::string>& kinds, const std::string& kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

bool has_error(const std::string& json) {
  return std::regex_search(json, std::regex("\"has_error\"\\s*:\\s*true"));
}

// The analysis of `program` recorded with `args`, which must end with `status`
// (124: the watchdog caught a hang).
RunResult analysis_of(const std::string& program, const std::string& args, int status) {
  const Recording recording = record(program, kHang, args);
  INFO(recording.run.out << recording.run.err);
  REQUIRE(recording.run.status == status);
  // One recorder: the linked library and the preloaded shim share a session.
  CHECK_THAT(recording.run.err, !Contains("cannot record"));
  RunResult analysis = analyze_json(recording.trace);
  INFO(analysis.out << analysis.err);
  REQUIRE((analysis.status == 0 || analysis.status == 1));
  return analysis;
}

TEST_CASE("a fan-out into a bounded Asio channel awaited before draining is a channel-full cycle") {
  const RunResult analysis = analysis_of("channel_cycle", "", 124);
  INFO(analysis.out);
  const std::vector<std::string> kinds = finding_kinds(analysis.out);
  CHECK(has(kinds, "channel_full_cycle"));
  CHECK(has_error(analysis.out));
  CHECK(analysis.status == 1);
  // The coroutines are named by their functions; the cycle goes through the channel.
  CHECK_THAT(analysis.out, Contains("\"name\": \"aggregate\""));
  CHECK_THAT(analysis.out, Contains("\"name\": \"fetch#"));
  CHECK_THAT(analysis.out, Contains("\"type\": \"channel\""));
  // Where each fetch was spawned: the line of channel_cycle.cpp whose await
  // started it (its token's source location), not an Asio header.
  CHECK(std::regex_search(analysis.out,
                          std::regex("\"name\": \"fetch#[0-9]+\",[^}]*\"spawned_at\": \\{\\s*"
                                     "\"file\": \"[^\"]*channel_cycle\\.cpp\",\\s*\"line\": [1-9]")));
}

TEST_CASE("the Asio service scenario names its coroutines and spawn sites in the trace itself") {
  // traces/asio_service, recorded as its committed trace is: what the corpus
  // test reads from that trace, this build's recorder must still write.
  const std::string trace = scratch_path("asio_service.tscope");
  const RunResult run = run_shell(std::string(TASKSCOPE_CLI) + " record -o '" + trace + "' " +
                                  kHang + " -- '" + ASIO_SERVICE_PROGRAM + "'");
  INFO(run.out << run.err);
  REQUIRE(run.status == 124);
  const Trace events = read_trace(trace);
  const auto named = [&](const std::string& text) {
    return std::any_of(events.strings.begin(), events.strings.end(),
                       [&](const auto& entry) { return entry.second == text; });
  };
  CHECK(named("aggregator"));
  CHECK(named("fetch"));
  CHECK(named("handler"));
  const RunResult analysis = analyze_json(trace);
  INFO(analysis.out << analysis.err);
  CHECK(has(finding_kinds(analysis.out), "channel_full_cycle"));
  CHECK(std::regex_search(analysis.out,
                          std::regex("\"name\": \"fetch#[0-9]+\",[^}]*\"spawned_at\": \\{\\s*"
                                     "\"file\": \"[^\"]*asio_service\\.cpp\",\\s*\"line\": [1-9]")));
}

TEST_CASE("the Asio aggregator that drains while its fetches run gets no error") {
  const RunResult analysis = analysis_of("channel_cycle", "--twin", 0);
  INFO(analysis.out);
  CHECK_FALSE(has_error(analysis.out));
  CHECK_FALSE(has(finding_kinds(analysis.out), "channel_full_cycle"));
}

TEST_CASE("a contended std::mutex taken in an Asio coroutine is blocking in async") {
  const RunResult analysis = analysis_of("mutex_in_coroutine", "", 0);
  INFO(analysis.out);
  CHECK(has(finding_kinds(analysis.out), "blocking_in_async"));
  CHECK_THAT(analysis.out, Contains("\"name\": \"settle\""));
}

TEST_CASE("an Asio consumer whose only producer returned without sending is an error") {
  const RunResult analysis = analysis_of("dead_producer", "", 124);
  INFO(analysis.out);
  CHECK(has_error(analysis.out));
  CHECK(analysis.status == 1);
  CHECK_THAT(analysis.out, Contains("\"name\": \"consume\""));
}

TEST_CASE("an Asio consumer whose producer sends gets no error") {
  const RunResult analysis = analysis_of("dead_producer", "--twin", 0);
  INFO(analysis.out);
  CHECK_FALSE(has_error(analysis.out));
}

TEST_CASE("an Asio consumer waiting before a live producer's first send is no error") {
  // The producer is alive, waiting on a timer (a slow upstream), and has not
  // used the channel yet: absent users of a channel prove nothing. Whether or
  // not the watchdog fires before the send, no finding may be an error.
  const Recording recording = record("dead_producer", kHang, "--late");
  INFO(recording.run.out << recording.run.err);
  REQUIRE((recording.run.status == 124 || recording.run.status == 0));
  const RunResult analysis = analyze_json(recording.trace);
  INFO(analysis.out << analysis.err);
  CHECK(analysis.status == 0);
  CHECK_FALSE(has_error(analysis.out));
}

}  // namespace
}  // namespace taskscope::preload_test
