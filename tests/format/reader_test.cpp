// TraceReader: global time order from interleaved per-thread batches, bounded
// by watermarks, and the complete-frame prefix of truncated files.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "trace_builder.hpp"

using namespace taskscope::format;
using namespace taskscope::format::testing;

namespace {

// Simulates a recorder: `threads` threads produce events with their own clocks;
// every round the flusher writes each thread's pending events as one batch with
// the previous round's start as watermark.
struct RecordedRun {
  TraceBytes trace;
  std::vector<Event> events;  // everything written, in no particular order
  std::vector<std::vector<Event>> frames;  // events of each batch frame, by frame index
};

RecordedRun simulate(int threads, int rounds, uint64_t seed) {
  RecordedRun run;
  run.trace.header();
  std::mt19937_64 rng(seed);
  int64_t round_start = 0, previous_round_start = 0;
  std::vector<int64_t> clock(threads, 0);
  for (int round = 0; round < rounds; ++round) {
    const int64_t round_end = round_start + 1000;
    for (int t = 0; t < threads; ++t) {
      std::vector<Event> batch;
      // A thread's events of this round; some threads are late by up to one round.
      int64_t ts = std::max(clock[t], round_start - static_cast<int64_t>(rng() % 900));
      const int count = static_cast<int>(rng() % 20);
      for (int i = 0; i < count && ts < round_end; ++i) {
        ts += static_cast<int64_t>(rng() % 60);
        batch.push_back(make_event(ts, static_cast<uint64_t>(t + 1), EventKind::kMark,
                                   run.events.size()));
        run.events.push_back(batch.back());
      }
      clock[t] = ts;
      if (!batch.empty()) {
        run.trace.batch(static_cast<uint64_t>(t + 1), batch, previous_round_start);
        run.frames.push_back(batch);
      }
    }
    previous_round_start = round_start;
    round_start = round_end;
  }
  return run;
}

bool time_ordered(const std::vector<Event>& events) {
  return std::is_sorted(events.begin(), events.end(),
                        [](const Event& x, const Event& y) { return x.ts_ns < y.ts_ns; });
}

std::vector<uint64_t> ids(std::vector<Event> events) {
  std::vector<uint64_t> out;
  for (auto& e : events) out.push_back(e.a);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("batches of several threads merge into one time order", "[reader]") {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    auto run = simulate(4, 30, seed);
    TempPath path("merge");
    write_bytes(path.str(), run.trace.bytes);
    ReadBack back(path.str());
    INFO("seed " << seed);
    REQUIRE(back.events.size() == run.events.size());
    CHECK(time_ordered(back.events));
    CHECK(ids(back.events) == ids(run.events));
    CHECK(back.reader.status().late_events == 0);
    // Per thread, the recorded order is kept.
    std::map<uint64_t, uint64_t> last_id;
    for (auto& e : back.events) {
      if (last_id.count(e.thread)) CHECK(e.a > last_id[e.thread]);
      last_id[e.thread] = e.a;
    }
  }
}

TEST_CASE("equal times come out in file order, however a thread's batches follow each other",
          "[reader]") {
  // Coarse times (many ties across threads and frames), a thread's next batch
  // sometimes starting before its previous one ends, and no watermark before
  // the end: the merge must give exactly (time, frame, place in frame) order.
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    TraceBytes t;
    t.header();
    struct Placed {
      Event event;
      size_t frame, index;
    };
    std::vector<Placed> expected;
    std::map<uint64_t, int64_t> clock;
    uint64_t id = 0;
    for (size_t frame = 0; frame < 60; ++frame) {
      const uint64_t thread = 1 + rng() % 5;
      int64_t& ts = clock.try_emplace(thread, 1000).first->second;  // after the watermark, 0
      if (rng() % 4 == 0) ts -= static_cast<int64_t>(rng() % 3);  // overlaps the last batch
      std::vector<Event> batch;
      for (size_t i = 0, n = 1 + rng() % 6; i < n; ++i) {
        ts += static_cast<int64_t>(rng() % 2);
        batch.push_back(make_event(ts, thread, EventKind::kMark, ++id));
        expected.push_back({batch.back(), frame, i});
      }
      t.batch(thread, batch, 0);
    }
    std::stable_sort(expected.begin(), expected.end(), [](const Placed& x, const Placed& y) {
      return x.event.ts_ns != y.event.ts_ns ? x.event.ts_ns < y.event.ts_ns : x.frame < y.frame;
    });
    TempPath path("ties");
    write_bytes(path.str(), t.bytes);
    ReadBack back(path.str());
    INFO("seed " << seed);
    REQUIRE(back.events.size() == expected.size());
    CHECK(back.reader.status().late_events == 0);
    for (size_t i = 0; i < expected.size(); ++i) CHECK(back.events[i].a == expected[i].event.a);
  }
}

TEST_CASE("an event that breaks its watermark is kept, clamped and counted", "[reader]") {
  TraceBytes t;
  t.header();
  t.batch(1,
          {make_event(100, 1, EventKind::kMark, 1), make_event(140, 1, EventKind::kMark, 4),
           make_event(200, 1, EventKind::kMark, 2)},
          150);
  t.batch(2, {make_event(120, 2, EventKind::kMark, 3)}, 300);  // promised >= 150
  TempPath path("late");
  write_bytes(path.str(), t.bytes);
  ReadBack back(path.str());
  REQUIRE(back.events.size() == 4);
  CHECK(time_ordered(back.events));
  CHECK(back.reader.status().late_events == 1);
  auto late = std::find_if(back.events.begin(), back.events.end(),
                           [](const Event& e) { return e.a == 3; });
  REQUIRE(late != back.events.end());
  CHECK((late->flags & kFlagLate) != 0);
  CHECK(late->ts_ns == 140);  // clamped to the last emitted time
}

TEST_CASE("a file cut at every byte offset yields exactly its complete frames", "[reader]") {
  auto run = simulate(3, 6, 99);
  run.trace.footer({run.events.size(), run.trace.frame_ends.size(), 0, 0});
  const auto& bytes = run.trace.bytes;
  const size_t header_end = run.trace.frame_ends.front();
  TempPath path("cut");
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    INFO("cut at " << cut);
    write_bytes(path.str(), std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut));
    if (cut < header_end) {
      CHECK_THROWS_AS(TraceReader(path.str()), TraceError);
      continue;
    }
    ReadBack back(path.str());
    // Complete batch frames are frame_ends[1..]; count those that fit.
    std::vector<Event> expected;
    for (size_t f = 0; f < run.frames.size(); ++f)
      if (run.trace.frame_ends[f + 1] <= cut)
        expected.insert(expected.end(), run.frames[f].begin(), run.frames[f].end());
    REQUIRE(ids(back.events) == ids(expected));
    CHECK(time_ordered(back.events));
    const bool at_boundary =
        std::find(run.trace.frame_ends.begin(), run.trace.frame_ends.end(), cut) !=
        run.trace.frame_ends.end();
    CHECK(back.reader.status().truncated == !at_boundary);
    CHECK(back.reader.status().damage.empty());
    if (!at_boundary)
      CHECK(back.reader.status().summary().find("truncated after") != std::string::npos);
  }
}
