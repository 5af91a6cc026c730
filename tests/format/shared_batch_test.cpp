// Shared batch frames (FrameEncoder::batches): many threads' small batches in one
// frame read back whole, each event with its thread and in the order per-thread
// frames give; files written with a frame per thread still read the same.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "trace_builder.hpp"

using namespace taskscope::format;
using namespace taskscope::format::testing;

namespace {

// One round of the flusher: each thread's batch, in the order it drained them.
struct Round {
  int64_t watermark = 0;
  std::vector<std::vector<Event>> batches;
};

// `threads` short-lived threads, `per_round` of them ending in each round, each
// recording 2..7 events. Threads of a round overlap in time, and some events of
// different threads share a timestamp so that ties are exercised.
std::vector<Round> short_threads(uint64_t threads, uint64_t per_round, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Round> rounds;
  int64_t round_start = 1000;
  for (uint64_t first = 0; first < threads; first += per_round) {
    Round round;
    round.watermark = round_start;
    for (uint64_t t = first; t < std::min(threads, first + per_round); ++t) {
      const uint64_t agent = 100 + t;
      int64_t ts = round_start + static_cast<int64_t>(rng() % 50) * 10;
      std::vector<Event> batch{make_event(ts, agent, EventKind::kThreadStart, agent, 1, 0, 1)};
      const uint64_t body = rng() % 6;
      for (uint64_t i = 0; i < body; ++i) {
        ts += static_cast<int64_t>(rng() % 3) * 10;  // 0: a tie within the thread
        batch.push_back(make_event(ts, agent, EventKind::kAcquired, 7 + rng() % 3, 0, 0, 2));
      }
      batch.push_back(make_event(ts + 10, agent, EventKind::kThreadEnd, agent));
      round.batches.push_back(std::move(batch));
    }
    rounds.push_back(std::move(round));
    round_start += 1000;
  }
  return rounds;
}

uint64_t count_events(const std::vector<Round>& rounds) {
  uint64_t n = 0;
  for (const auto& round : rounds)
    for (const auto& batch : round.batches) n += batch.size();
  return n;
}

// The file as the recorder writes it: shared frames, or one frame per thread.
TraceBytes encode(const std::vector<Round>& rounds, bool shared) {
  TraceBytes t;
  t.header();
  t.strings({{1, "worker"}, {2, "main.cpp:12"}});
  for (const auto& round : rounds) {
    if (shared) {
      std::vector<ThreadEvents> batches;
      for (const auto& batch : round.batches) batches.push_back({batch.front().thread, batch});
      std::vector<Frame> frames;
      std::vector<uint64_t> counts;
      t.encoder.batches(batches, round.watermark, frames, counts);
      REQUIRE(counts.size() == frames.size());
      for (auto& frame : frames) t.add(frame);
    } else {
      for (const auto& batch : round.batches) t.batch(batch.front().thread, batch, round.watermark);
    }
  }
  t.footer({count_events(rounds), t.frame_ends.size() + 1, 0, 0});
  return t;
}

std::vector<Event> read_all(const TraceBytes& t, const char* stem, ReadStatus* status = nullptr) {
  TempPath path(stem);
  write_bytes(path.str(), t.bytes);
  ReadBack back(path.str());
  if (status != nullptr) *status = back.reader.status();
  return back.events;
}

}  // namespace

TEST_CASE("many threads' tiny batches share frames and read back whole, in order",
          "[encoder][shared]") {
  const auto rounds = short_threads(2000, 100, 3);
  const uint64_t total = count_events(rounds);
  const TraceBytes shared = encode(rounds, true);
  const TraceBytes per_thread = encode(rounds, false);

  ReadStatus status;
  const auto events = read_all(shared, "shared", &status);
  CHECK(status.clean());
  CHECK(status.late_events == 0);
  REQUIRE(events.size() == total);
  // One frame per round, not one per thread.
  CHECK(status.frames_by_type[static_cast<size_t>(FrameType::kEventBatch)] == rounds.size());

  // Every thread's events come back with its id, all of them, in its order.
  std::map<uint64_t, std::vector<Event>> by_thread;
  for (const Event& e : events) by_thread[e.thread].push_back(e);
  REQUIRE(by_thread.size() == 2000);
  for (const auto& round : rounds)
    for (const auto& batch : round.batches) CHECK(by_thread[batch.front().thread] == batch);

  // The order is the one the per-thread frames give, ties included.
  CHECK(events == read_all(per_thread, "per-thread"));
  CHECK(std::is_sorted(events.begin(), events.end(),
                       [](const Event& x, const Event& y) { return x.ts_ns < y.ts_ns; }));
  // And the file is several times smaller.
  CHECK(shared.bytes.size() * 3 < per_thread.bytes.size());
}

TEST_CASE("a long or unordered batch keeps frames of its own beside shared ones",
          "[encoder][shared]") {
  std::vector<Event> long_batch, unordered, tiny_a, tiny_b;
  for (int i = 0; i < 1000; ++i)
    long_batch.push_back(make_event(100 + i * 3, 1, EventKind::kMark, 5, static_cast<uint64_t>(i)));
  unordered = {make_event(500, 2, EventKind::kMark, 6, 0),
               make_event(400, 2, EventKind::kMark, 6, 1)};
  tiny_a = {make_event(150, 3, EventKind::kThreadStart, 3),
            make_event(160, 3, EventKind::kThreadEnd, 3)};
  tiny_b = {make_event(150, 4, EventKind::kThreadStart, 4),
            make_event(5'000'000'000, 4, EventKind::kThreadEnd, 4)};
  const std::vector<ThreadEvents> batches{
      {1, long_batch}, {2, unordered}, {3, tiny_a}, {4, tiny_b}};
  TraceBytes t;
  t.header();
  std::vector<Frame> frames;
  std::vector<uint64_t> counts;
  t.encoder.batches(batches, 100, frames, counts);
  REQUIRE(counts.size() == frames.size());
  uint64_t counted = 0;
  for (const uint64_t n : counts) counted += n;
  CHECK(counted == long_batch.size() + unordered.size() + tiny_a.size() + tiny_b.size());
  // The long batch, the two parts of the unordered one, and the shared events
  // split at the gap longer than a 32-bit delta.
  CHECK(frames.size() == 5);
  for (auto& frame : frames) t.add(frame);

  ReadStatus status;
  const auto events = read_all(t, "mixed", &status);
  REQUIRE(events.size() == counted);
  std::map<uint64_t, std::vector<int64_t>> times;
  for (const Event& e : events) times[e.thread].push_back(e.ts_ns);
  CHECK(times[1].size() == long_batch.size());
  CHECK(times[3] == std::vector<int64_t>{150, 160});
  CHECK(times[4] == std::vector<int64_t>{150, 5'000'000'000});
  // Thread 3's start and thread 4's share a time: given order.
  const auto first_150 =
      std::find_if(events.begin(), events.end(), [](const Event& e) { return e.ts_ns == 150; });
  REQUIRE(first_150 != events.end());
  CHECK(first_150->thread == 3);
}

TEST_CASE("the committed traces, written with a frame per thread, still read whole",
          "[encoder][shared][corpus]") {
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(TASKSCOPE_TRACES_DIR)) {
    if (entry.path().extension() != ".tscope") continue;
    ++files;
    INFO(entry.path().string());
    // The events the frames hold, counted frame by frame, all come out of the merge.
    uint64_t in_frames = 0;
    {
      FrameReader frames(entry.path().string());
      while (auto frame = frames.next())
        if (frame->type == FrameType::kEventBatch) in_frames += frame->events.size();
    }
    ReadBack back(entry.path().string());
    CHECK(back.reader.status().clean());
    CHECK(back.reader.status().events == in_frames);
    CHECK(in_frames > 0);
    CHECK(std::is_sorted(back.events.begin(), back.events.end(),
                         [](const Event& x, const Event& y) { return x.ts_ns < y.ts_ns; }));
  }
  CHECK(files >= 10);
}
