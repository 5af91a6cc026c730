// The per-thread ring (recorder/src/hot_path/ring.hpp) and what happens when it is
// full: events are dropped and counted exactly, and the producer never blocks.
#include "hot_path/ring.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include "hot_path/clock.hpp"
#include "core_trace.hpp"
#include "taskscope/events.hpp"

using taskscope::detail::EventRing;
using taskscope::detail::Record;
using taskscope::format::Event;
using taskscope::format::EventKind;
using taskscope::test::finishes_within;
using taskscope::test::read_trace;
using taskscope::test::stream_config;
using taskscope::test::TempTrace;
using taskscope::test::Trace;

namespace {

// Polls `condition` until it holds or `limit` has passed: the limit only
// decides how soon a test fails when the condition never comes true.
template <class Condition>
bool eventually(std::chrono::seconds limit, Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

bool push(EventRing& ring, uint64_t value) {
  Record* slot = ring.prepare_write();
  if (slot == nullptr && ring.refresh() > 0) slot = ring.prepare_write();
  if (slot == nullptr) return false;
  *slot = Record{value, 1, 0, 0, 0, value, 0};
  ring.commit_write();
  return true;
}

}  // namespace

TEST_CASE("ring: fills to capacity, hands records back in order, wraps around", "[ring]") {
  EventRing ring(100);  // rounded down to 64
  REQUIRE(ring.capacity() == 64);
  for (uint64_t i = 0; i < 64; ++i) REQUIRE(push(ring, i));
  CHECK_FALSE(push(ring, 64));
  REQUIRE(ring.readable() == 64);
  for (uint64_t i = 0; i < 64; ++i) CHECK(ring.peek(i).a == i);
  ring.consume(10);
  CHECK(ring.readable() == 54);
  for (uint64_t i = 64; i < 74; ++i) REQUIRE(push(ring, i));
  CHECK_FALSE(push(ring, 74));
  for (uint64_t i = 0; i < 64; ++i) CHECK(ring.peek(i).a == i + 10);
}

TEST_CASE("ring: high-water crossing is reported once per fill", "[ring]") {
  EventRing ring(64);
  int crossings = 0;
  for (int i = 0; i < 64; ++i) {
    Record* slot = ring.prepare_write();
    REQUIRE(slot != nullptr);
    if (ring.commit_write()) ++crossings;
  }
  CHECK(crossings == 1);
}

TEST_CASE("ring: drops are claimed exactly once", "[ring]") {
  EventRing ring(64);
  uint64_t first = 0;
  CHECK(ring.take_drops(&first) == 0);
  const uint64_t before = taskscope::detail::read_ticks();
  ring.count_drop();
  const uint64_t after = taskscope::detail::read_ticks();
  ring.count_drop();
  ring.count_drop();
  CHECK(ring.has_drops());
  CHECK(ring.take_drops(&first) == 3);
  CHECK(first >= before);  // the time of the first loss of the run
  CHECK(first <= after);
  CHECK_FALSE(ring.has_drops());
  CHECK(ring.take_drops(&first) == 0);
  ring.count_drop();  // a new run starts a new first time
  CHECK(ring.take_drops(&first) == 1);
  CHECK(first >= after);
}

TEST_CASE("ring: concurrent claims never report a loss twice", "[ring]") {
  EventRing ring(64);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> claimed_by_other{0};
  std::thread other([&] {
    uint64_t first = 0;
    while (!done.load()) claimed_by_other.fetch_add(ring.take_drops(&first));
  });
  uint64_t claimed_here = 0;
  constexpr uint64_t kLosses = 100000;
  for (uint64_t i = 0; i < kLosses; ++i) {
    ring.count_drop();
    uint64_t first = 0;
    if (i % 7 == 0) claimed_here += ring.take_drops(&first);
  }
  done.store(true);
  other.join();
  uint64_t first = 0;
  claimed_here += ring.take_drops(&first);
  CHECK(claimed_here + claimed_by_other.load() == kLosses);
}

TEST_CASE("ring: concurrent producer and consumer see every record once, in order", "[ring]") {
  EventRing ring(256);
  constexpr uint64_t kCount = 200000;
  std::thread producer([&] {
    for (uint64_t i = 0; i < kCount; ++i) {
      while (!push(ring, i)) std::this_thread::yield();
    }
  });
  uint64_t expected = 0;
  while (expected < kCount) {
    const uint64_t available = ring.readable();
    for (uint64_t i = 0; i < available; ++i) {
      if (ring.peek(i).a != expected) FAIL("out of order at " << expected);
      ++expected;
    }
    ring.consume(available);
  }
  producer.join();
  CHECK(ring.readable() == 0);
}

namespace {

// Events the worker attempted: its kThreadStart, `marks` marks, its kThreadEnd.
void check_exact_accounting(const Trace& trace, uint64_t worker, uint64_t marks) {
  uint64_t recorded = 0;
  for (const Event& e : trace.of_thread(worker))
    if (e.kind != EventKind::kDropped) ++recorded;
  const uint64_t dropped = trace.dropped_on(worker);
  CHECK(recorded + dropped == marks + 2);
  CHECK(trace.status.dropped_events == dropped);
  REQUIRE(trace.status.footer.has_value());
  CHECK(trace.status.footer->dropped_events == dropped);
  CHECK(taskscope::session_stats().dropped == dropped);
  // Every loss is reported where it happened: a kDropped carries the time of
  // the first loss, which is not after its own time.
  for (const Event& e : trace.of_kind(EventKind::kDropped)) {
    CHECK(e.a > 0);
    CHECK(static_cast<int64_t>(e.b) <= e.ts_ns);
  }
}

}  // namespace

TEST_CASE("ring full: drops are counted exactly and the producer never blocks", "[ring]") {
  using namespace taskscope;
  TempTrace file("drop-paused");
  Config config = stream_config(file.path());
  config.ring_bytes = 4096;  // 128 records
  config.spill_bytes = 0;    // the ring alone (spill_test.cpp covers spill blocks)
  REQUIRE(start(config));
  // With the flusher held, the ring cannot drain: everything past its capacity
  // must be dropped, and the worker must still run to completion.
  detail::set_flusher_paused_for_testing(true);
  constexpr uint64_t kMarks = 20000;
  AgentId worker_agent = 0;
  const bool finished = finishes_within(std::chrono::seconds(60), [&] {
    std::thread worker([&] {
      worker_agent = current_thread_agent();
      for (uint64_t i = 0; i < kMarks; ++i) mark("m", static_cast<int64_t>(i));
    });
    worker.join();
  });
  detail::set_flusher_paused_for_testing(false);
  REQUIRE(finished);
  stop();

  const Trace trace = read_trace(file.path());
  CHECK(trace.status.clean());
  const uint64_t dropped = trace.dropped_on(worker_agent);
  CHECK(dropped >= kMarks - 128);
  check_exact_accounting(trace, worker_agent, kMarks);
  // The marks that made it are the first ones, in order.
  int64_t expected = 0;
  for (const Event& e : trace.of_thread(worker_agent)) {
    if (e.kind != EventKind::kMark) continue;
    CHECK(static_cast<int64_t>(e.b) == expected);
    ++expected;
  }
}

TEST_CASE("ring full: drops are counted exactly while the flusher drains", "[ring]") {
  using namespace taskscope;
  TempTrace file("drop-live");
  Config config = stream_config(file.path());
  config.ring_bytes = 4096;  // 128 records
  config.spill_bytes = 0;
  REQUIRE(start(config));
  constexpr uint64_t kMarks = 200000;
  // Whether a free-running flusher falls behind is up to the scheduler. Holding
  // it for the first marks makes sure the ring fills and drops; a flush (what
  // dump() does in stream mode, after a round of the flusher) then empties the
  // ring, so that recording resumes after the loss. From there on the flusher
  // drains as it pleases.
  constexpr uint64_t kHeldMarks = 1000;
  AgentId worker_agent = 0;
  bool flushed = false;
  detail::set_flusher_paused_for_testing(true);
  std::thread worker([&] {
    worker_agent = current_thread_agent();
    for (uint64_t i = 0; i < kMarks; ++i) {
      if (i == kHeldMarks) {
        detail::set_flusher_paused_for_testing(false);
        flushed = dump();
      }
      mark("m", static_cast<int64_t>(i));
    }
  });
  worker.join();
  stop();
  CHECK(flushed);
  const Trace trace = read_trace(file.path());
  CHECK(trace.status.clean());
  // The ring filled while the flusher was held: everything past its 128
  // records was lost then (more may have been lost later).
  CHECK(trace.dropped_on(worker_agent) >= kHeldMarks - 128);
  check_exact_accounting(trace, worker_agent, kMarks);
  // Between two recorded marks, the gap is exactly what a kDropped reported.
  int64_t next = 0;
  uint64_t pending_drops = 0, gaps = 0;
  for (const Event& e : trace.of_thread(worker_agent)) {
    if (e.kind == EventKind::kDropped) pending_drops += e.a;
    if (e.kind != EventKind::kMark) continue;
    CHECK(static_cast<uint64_t>(static_cast<int64_t>(e.b) - next) == pending_drops);
    gaps += pending_drops > 0;
    next = static_cast<int64_t>(e.b) + 1;
    pending_drops = 0;
  }
  // Recording resumed after the loss: at least one gap was checked above.
  CHECK(gaps >= 1);
}

TEST_CASE("ring full: the block policy waits for the flusher instead of dropping", "[ring]") {
  using namespace taskscope;
  TempTrace file("lossless");
  Config config = stream_config(file.path());
  config.ring_bytes = 4096;
  config.spill_bytes = 8192;  // one spill block of 256 records
  config.lossless = true;
  REQUIRE(start(config));
  constexpr uint64_t kMarks = 50000;
  // The ring holds 128 records, the first being the worker's kThreadStart:
  // with the flusher held, 127 marks fill it, the spill block takes 256 more,
  // and the next one must wait.
  constexpr uint64_t kMarksThatFit = 127 + 256;
  AgentId worker_agent = 0;
  std::atomic<uint64_t> written{0};
  detail::set_flusher_paused_for_testing(true);
  std::thread worker([&] {
    worker_agent = current_thread_agent();
    for (uint64_t i = 0; i < kMarks; ++i) {
      mark("m", static_cast<int64_t>(i));
      written.store(i + 1);
    }
  });
  const bool filled =
      eventually(std::chrono::seconds(10), [&] { return written.load() >= kMarksThatFit; });
  // Give a worker that wrongly went on (dropping) the time to show it.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const uint64_t written_while_held = written.load();
  detail::set_flusher_paused_for_testing(false);
  worker.join();
  stop();
  REQUIRE(filled);
  // The worker got no further than a full ring and spill budget while the
  // flusher was held.
  CHECK(written_while_held == kMarksThatFit);
  const Trace trace = read_trace(file.path());
  CHECK(trace.dropped_on(worker_agent) == 0);
  CHECK(trace.status.dropped_events == 0);
  // Every mark, in order.
  int64_t expected = 0;
  for (const Event& e : trace.of_thread(worker_agent)) {
    if (e.kind != EventKind::kMark) continue;
    CHECK(static_cast<int64_t>(e.b) == expected);
    ++expected;
  }
  CHECK(expected == static_cast<int64_t>(kMarks));
}
