// LiveSession (analyzer/src/live/): a trace replayed in pieces, as `top` reads
// a file that is still being written, ends in the state and findings of one
// whole replay; frames show the state and what was appended since.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mini_json.hpp"
#include "taskscope/analyzer/analysis.hpp"
#include "taskscope/analyzer/live.hpp"
#include "trace_builder.hpp"

namespace {

using taskscope::analyzer::LiveFrame;
using taskscope::analyzer::LiveSession;
using taskscope::analyzer::OutputFormat;
using taskscope::format::testing::read_bytes;
using taskscope::format::testing::TempPath;

const std::vector<std::string> kCorpus = {"pipeline_cycle", "abba", "service", "blocking_in_async",
                                          "condvar_lost_wakeup", "philosophers"};

std::string corpus_trace(const std::string& name) {
  return std::string(TASKSCOPE_SOURCE_DIR) + "/traces/" + name + "/" + name + ".tscope";
}

void append(const std::string& path, const std::vector<uint8_t>& bytes, size_t from, size_t to) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(reinterpret_cast<const char*>(bytes.data() + from), static_cast<std::streamsize>(to - from));
}

// The first line of traces/<name>/<name>.expected that names a finding:
// "kind severity agent... | resource...", split into words.
std::vector<std::string> expected_finding(const std::string& name) {
  std::ifstream in(std::string(TASKSCOPE_SOURCE_DIR) + "/traces/" + name + "/" + name + ".expected");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("status", 0) == 0) continue;
    std::istringstream words(line);
    std::vector<std::string> out;
    for (std::string word; words >> word;) out.push_back(word);
    return out;
  }
  return {};
}

}  // namespace

TEST_CASE("a trace replayed in pieces ends in the report of one whole replay", "[top]") {
  for (const std::string& name : kCorpus) {
    const auto bytes = read_bytes(corpus_trace(name));
    REQUIRE(bytes.size() > 64);
    for (const size_t pieces : {2u, 7u, 31u}) {
      INFO(name << " in " << pieces << " pieces");
      TempPath path("live-pieces");
      // The header alone first: the session opens a file that has just begun.
      taskscope::format::FrameReader frames(corpus_trace(name));
      const auto second = frames.next();
      REQUIRE(second);
      const size_t header_end = second->offset;
      append(path.str(), bytes, 0, std::min(header_end, bytes.size()));
      LiveSession session(path.str());
      size_t written = std::min(header_end, bytes.size());
      uint64_t events = 0;
      for (size_t piece = 1; piece <= pieces; ++piece) {
        // Cut anywhere, mid-frame included: the reader waits for the rest.
        const size_t end = piece == pieces ? bytes.size() : bytes.size() * piece / pieces;
        if (end > written) append(path.str(), bytes, written, end);
        written = std::max(written, end);
        session.poll();
        const LiveFrame frame = session.frame();  // a report after each piece
        CHECK(frame.events >= events);
        events = frame.events;
      }
      session.poll();
      CHECK(session.ended());  // the footer was read
      session.frame();
      const auto whole = taskscope::analyzer::analyze_file(path.str());
      CHECK(session.analysis().render(OutputFormat::kJson) == whole->render(OutputFormat::kJson));
      CHECK(session.analysis().render(OutputFormat::kText) == whole->render(OutputFormat::kText));
    }
  }
}

TEST_CASE("a frame of a finished trace shows its final state and findings", "[top]") {
  const std::vector<std::string> expected = expected_finding("pipeline_cycle");
  REQUIRE(expected.size() >= 3);
  LiveSession session(corpus_trace("pipeline_cycle"));
  session.poll();
  REQUIRE(session.ended());
  const LiveFrame frame = session.frame();
  CHECK(frame.ended);
  const auto whole = taskscope::analyzer::analyze_file(corpus_trace("pipeline_cycle"));
  CHECK(frame.events == whole->state().events);
  CHECK(frame.elapsed_ns == whole->report().at_ns);
  REQUIRE(!frame.warnings.empty());
  CHECK(std::string(taskscope::analyzer::finding_kind_name(frame.warnings[0].kind)) == expected[0]);
  // Every agent the expected finding names is in the table, blocked, with
  // what it waits on and where.
  for (size_t i = 2; i < expected.size() && expected[i] != "|"; ++i) {
    INFO(expected[i]);
    const auto row = std::find_if(frame.agents.begin(), frame.agents.end(),
                                  [&](const auto& agent) { return agent.ref.name == expected[i]; });
    REQUIRE(row != frame.agents.end());
    CHECK(row->state == "blocked");
    CHECK(!row->waiting_on.empty());
    CHECK(row->wait_site.known());
    const auto& agents = frame.warnings[0].agents;
    CHECK(std::any_of(agents.begin(), agents.end(),
                      [&](const auto& ref) { return ref.name == expected[i]; }));
  }
  // Text and JSON renderings carry the same facts.
  const std::string text = taskscope::analyzer::render_live_text(frame);
  CHECK(text.find(expected[0]) != std::string::npos);
  const auto json = taskscope::test::json::parse(taskscope::analyzer::render_live_json(frame));
  CHECK(json["schema"].string == "taskscope.top/1");
  CHECK(json["agents"].array.size() == frame.agents.size());
  CHECK(json["warnings"][0]["kind"].string == expected[0]);
}

TEST_CASE("following a file shows the events appended after it was opened", "[top]") {
  const auto bytes = read_bytes(corpus_trace("service"));
  TempPath path("live-follow");
  const size_t half = bytes.size() / 2;
  append(path.str(), bytes, 0, half);
  LiveSession session(path.str());
  session.poll();
  const LiveFrame first = session.frame();
  CHECK_FALSE(first.ended);
  CHECK(first.status == "running");
  append(path.str(), bytes, half, bytes.size());
  CHECK(session.poll() > 0);
  const LiveFrame last = session.frame();
  CHECK(last.ended);
  CHECK(last.events > first.events);
  CHECK(last.events == taskscope::analyzer::analyze_file(path.str())->state().events);
}

TEST_CASE("the table keeps the newest ended agents, and counts them all", "[top]") {
  taskscope::analyzer::LiveOptions all;
  all.done_visible_ns = INT64_MAX / 2;  // the whole trace is recent
  taskscope::analyzer::LiveOptions few = all;
  few.done_rows = 3;
  LiveSession whole(corpus_trace("service"), all), capped(corpus_trace("service"), few);
  whole.poll();
  capped.poll();
  const LiveFrame every = whole.frame(), newest = capped.frame();
  auto done_rows = [](const LiveFrame& frame) {
    std::vector<const taskscope::analyzer::LiveAgent*> rows;
    for (const auto& agent : frame.agents)
      if (agent.state == "done") rows.push_back(&agent);
    return rows;
  };
  const auto every_done = done_rows(every), newest_done = done_rows(newest);
  REQUIRE(every_done.size() > 3);
  REQUIRE(newest_done.size() == 3);
  CHECK(newest.agents.size() == every.agents.size() - (every_done.size() - 3));
  // The header counts every ended agent either way.
  CHECK(newest.tasks_by_state == every.tasks_by_state);
  CHECK(newest.threads_by_state == every.threads_by_state);
  // The rows kept are those that ended last (done for the shortest time).
  int64_t kept_longest = 0;
  for (const auto* row : newest_done) kept_longest = std::max(kept_longest, row->state_for_ns);
  size_t ended_later_or_same = 0;
  for (const auto* row : every_done) ended_later_or_same += row->state_for_ns <= kept_longest;
  CHECK(ended_later_or_same >= 3);
  for (const auto* row : every_done) {
    const bool kept = std::any_of(newest_done.begin(), newest_done.end(),
                                  [&](const auto* kept_row) { return kept_row->ref.id == row->ref.id; });
    if (!kept) CHECK(row->state_for_ns >= kept_longest);
  }
}

TEST_CASE("a session on a missing or foreign file fails naming it", "[top]") {
  CHECK_THROWS_WITH(LiveSession("/nonexistent/x.tscope"),
                    Catch::Contains("/nonexistent/x.tscope"));
  TempPath path("live-foreign");
  std::ofstream(path.str()) << "not a trace at all";
  CHECK_THROWS_WITH(LiveSession(path.str()), Catch::Contains("not a taskscope trace"));
}
