// Round trips through FrameEncoder and TraceReader.
#include <catch2/catch.hpp>

#include <limits>

#include "taskscope/format/reader.hpp"
#include "trace_builder.hpp"

using namespace taskscope::format;
using namespace taskscope::format::testing;


TEST_CASE("every event kind survives a round trip with all its fields", "[encoder]") {
  std::mt19937_64 rng(7);
  std::vector<Event> events;
  int64_t ts = 1000;
  for (uint8_t k = 1; k < static_cast<uint8_t>(EventKind::kKindCount); ++k) {
    ts += static_cast<int64_t>(rng() % 5000);
    events.push_back(make_event(ts, 3, static_cast<EventKind>(k), rng(), rng(),
                                static_cast<uint8_t>(rng()), static_cast<uint32_t>(rng()),
                                static_cast<uint16_t>(rng() & ~uint64_t{kFlagSnapshot | kFlagLate})));
  }
  TraceBytes t;
  t.header();
  t.batch(3, events, ts + 1);
  t.footer({events.size(), 2, 0, ts});
  TempPath path("roundtrip");
  write_bytes(path.str(), t.bytes);

  ReadBack back(path.str());
  auto* reader = &back.reader;
  REQUIRE(back.events == events);
  CHECK(reader->status().clean());
  REQUIRE(reader->status().footer.has_value());
  CHECK(reader->status().footer->events == events.size());
  CHECK(reader->header().process_name == "unit");
  CHECK(reader->header().pid == 42u);
}

TEST_CASE("the string table round-trips, including later additions", "[encoder]") {
  TraceBytes t;
  t.header();
  t.strings({{1, "main"}, {2, "résumé \"quoted\""}, {3, std::string(5000, 'x')}});
  t.batch(1, {make_event(5, 1, EventKind::kThreadStart, 1, 0, 0, 1)}, 6);
  t.strings({{4, "later"}});
  t.batch(1, {make_event(7, 1, EventKind::kAgentName, 1, 0, 0, 4)}, 8);
  TempPath path("strings");
  write_bytes(path.str(), t.bytes);
  ReadBack back(path.str());
  auto* reader = &back.reader;
  auto& events = back.events;
  REQUIRE(events.size() == 2);
  CHECK(reader->string(1) == "main");
  CHECK(reader->string(2) == "résumé \"quoted\"");
  CHECK(reader->string(3).size() == 5000);
  CHECK(reader->string(4) == "later");
  CHECK(reader->string(0).empty());
  CHECK(reader->string(99) == "?99");
}

TEST_CASE("long gaps and long batches are split but read back whole", "[encoder]") {
  std::vector<Event> events;
  int64_t ts = 0;
  for (int i = 0; i < 70000; ++i) {
    ts += (i == 100) ? int64_t{10'000'000'000} : 3;  // one 10 s gap
    events.push_back(make_event(ts, 9, EventKind::kMark, static_cast<uint64_t>(i)));
  }
  TraceBytes t;
  t.header();
  t.batch(9, events, ts + 1);
  CHECK(t.frame_ends.size() >= 4);  // header + at least 3 batch parts
  TempPath path("split");
  write_bytes(path.str(), t.bytes);
  CHECK(ReadBack(path.str()).events == events);
}

TEST_CASE("a snapshot keeps acting agents and long-past times, and is yielded first",
          "[encoder]") {
  TraceBytes t;
  t.header();
  std::vector<Event> state = {
      make_event(50'000'000'000, 4, EventKind::kThreadStart, 4),
      make_event(1'000, 7, EventKind::kWaitBegin, 11, 0, 0),  // a wait begun long before
      make_event(50'000'000'000, 4, EventKind::kAcquired, 11),
  };
  t.add(t.encoder.snapshot(50'000'000'000, 3, state));
  t.batch(4, {make_event(50'000'000'100, 4, EventKind::kReleased, 11)}, 50'000'000'200);
  TempPath path("snapshot");
  write_bytes(path.str(), t.bytes);
  ReadBack back(path.str());
  auto* reader = &back.reader;
  auto& events = back.events;
  REQUIRE(events.size() == 4);
  CHECK(events[0].kind == EventKind::kWaitBegin);
  CHECK(events[0].ts_ns == 1'000);
  CHECK(events[0].thread == 7);
  for (int i = 0; i < 3; ++i) CHECK((events[i].flags & kFlagSnapshot) != 0);
  CHECK((events[3].flags & kFlagSnapshot) == 0);
  CHECK(reader->status().snapshot_events == 3);
  CHECK(reader->status().events == 1);
}

TEST_CASE("a snapshot of times beyond the trace range is encoded, then refused by the reader",
          "[encoder]") {
  // The encoder takes any times (the fuzzer feeds it the extremes of int64);
  // the reader refuses what no trace may hold.
  TraceBytes t;
  t.header();
  const int64_t lowest = std::numeric_limits<int64_t>::min();
  t.add(t.encoder.snapshot(0, 1,
                           std::vector<Event>{make_event(lowest, 1, EventKind::kThreadStart, 1),
                                              make_event(0, 2, EventKind::kThreadStart, 2)}));
  t.batch(1, {make_event(20, 1, EventKind::kMark, 1)}, 30);
  TempPath path("snapshot-extremes");
  write_bytes(path.str(), t.bytes);
  ReadBack back(path.str());
  CHECK_FALSE(back.reader.status().clean());
  for (const Event& e : back.events) CHECK(trace_time_valid(e.ts_ns));
}

TEST_CASE("a second snapshot after events is not replayed again", "[encoder]") {
  TraceBytes t;
  t.header();
  t.add(t.encoder.snapshot(10, 1, std::vector<Event>{make_event(10, 1, EventKind::kThreadStart, 1)}));
  t.batch(1, {make_event(20, 1, EventKind::kMark, 1)}, 30);
  t.add(t.encoder.snapshot(40, 2, std::vector<Event>{make_event(40, 1, EventKind::kThreadStart, 1)}));
  t.batch(1, {make_event(50, 1, EventKind::kMark, 2)}, 60);
  TempPath path("snapshots");
  write_bytes(path.str(), t.bytes);
  ReadBack back(path.str());
  auto& events = back.events;
  REQUIRE(events.size() == 3);
  CHECK(events[0].kind == EventKind::kThreadStart);
  CHECK(events[1].a == 1);
  CHECK(events[2].a == 2);
}

TEST_CASE("kind names round-trip and every kind has a family", "[event]") {
  for (uint8_t k = 1; k < static_cast<uint8_t>(EventKind::kKindCount); ++k) {
    const auto kind = static_cast<EventKind>(k);
    CHECK(kind_name(kind) != "unknown");
    CHECK(kind_from_name(kind_name(kind)) == kind);
    CHECK(family_of(kind) != Family::kCount);
  }
  CHECK(kind_from_name("no_such_kind") == EventKind::kInvalid);
}
