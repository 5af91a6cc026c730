// Spill blocks (recorder/src/hot_path/spill.hpp): a thread whose ring is full
// goes on recording into blocks from a process-wide budget, in order; past the
// budget it drops (counted) or, under the block policy, waits for the flusher.
#include "hot_path/spill.hpp"

#include <array>
#include <atomic>
#include <barrier>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "core_trace.hpp"
#include "taskscope/events.hpp"
#include "taskscope/sync.hpp"

using taskscope::AgentId;
using taskscope::Config;
using taskscope::detail::SpillPool;
using taskscope::format::Event;
using taskscope::format::EventKind;
using taskscope::test::read_trace;
using taskscope::test::stream_config;
using taskscope::test::TempTrace;
using taskscope::test::Trace;

namespace {

// Two threads each record marks 0 .. count-1 at once; returns their agents.
std::array<AgentId, 2> marks_on_two_threads(uint64_t count) {
  std::array<AgentId, 2> agents{};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < agents.size(); ++t) {
    threads.emplace_back([&agents, t, count] {
      agents[t] = taskscope::current_thread_agent();
      for (uint64_t i = 0; i < count; ++i) taskscope::mark("m", static_cast<int64_t>(i));
    });
  }
  for (auto& thread : threads) thread.join();
  return agents;
}

// Per thread, the marks it recorded must be 0, 1, 2, ... with each gap exactly
// what the kDropped events before the mark reported; returns the marks kept.
uint64_t check_marks_in_order(const Trace& trace, AgentId thread) {
  int64_t next = 0;
  uint64_t pending_drops = 0, kept = 0;
  for (const Event& e : trace.of_thread(thread)) {
    if (e.kind == EventKind::kDropped) pending_drops += e.a;
    if (e.kind != EventKind::kMark) continue;
    CHECK(static_cast<uint64_t>(static_cast<int64_t>(e.b) - next) == pending_drops);
    next = static_cast<int64_t>(e.b) + 1;
    pending_drops = 0;
    ++kept;
  }
  return kept;
}

// Events a marking thread attempted: kThreadStart, its marks, kThreadEnd.
void check_exact_accounting(const Trace& trace, AgentId thread, uint64_t marks) {
  uint64_t recorded = 0;
  for (const Event& e : trace.of_thread(thread)) recorded += e.kind != EventKind::kDropped;
  CHECK(recorded + trace.dropped_on(thread) == marks + 2);
}

}  // namespace

TEST_CASE("spill: a burst of 2 M lock events from two threads is kept whole", "[spill]") {
  using namespace taskscope;
  TempTrace file("spill-burst");
  // Default ring and spill budget; every hold recorded, so that each pair is
  // two events (by default uncontended holds are deferred: hold_ledger.hpp).
  Config config = stream_config(file.path());
  config.every_hold = true;
  REQUIRE(start(config));
  // 500 k uncontended lock/unlock pairs per thread, each thread on its own
  // mutex, both at once; a mark every kMarkEvery pairs numbers the stretch.
  constexpr uint64_t kPairs = 500'000;
  constexpr uint64_t kMarkEvery = 4096;
  std::barrier together(2);
  AgentId agents[2] = {};
  ResourceId locks[2] = {};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      agents[t] = current_thread_agent();
      taskscope::mutex lock("burst");
      locks[t] = lock.resource_id();
      together.arrive_and_wait();
      for (uint64_t i = 0; i < kPairs; ++i) {
        if (i % kMarkEvery == 0) mark("stretch", static_cast<int64_t>(i / kMarkEvery));
        lock.lock();
        lock.unlock();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  stop();
  CHECK(session_stats().dropped == 0);

  // Read back without keeping the events: per thread, acquisitions and
  // releases strictly alternate, and each stretch between marks holds exactly
  // kMarkEvery pairs, in order.
  struct PerThread {
    uint64_t acquired = 0, released = 0;
    int64_t next_stretch = 0;
    uint64_t pairs_in_stretch = 0;
    bool holding = false;
    uint64_t out_of_order = 0;
  };
  std::map<AgentId, PerThread> seen;
  format::TraceReader reader(file.path());
  Event e;
  uint64_t dropped = 0;
  while (reader.next(e)) {
    if (e.kind == EventKind::kDropped) dropped += e.a;
    PerThread& s = seen[e.thread];
    switch (e.kind) {
      case EventKind::kAcquired:
        s.out_of_order += s.holding;
        s.holding = true;
        ++s.acquired;
        break;
      case EventKind::kReleased:
        s.out_of_order += !s.holding;
        s.holding = false;
        ++s.released;
        ++s.pairs_in_stretch;
        break;
      case EventKind::kMark:
        s.out_of_order += static_cast<int64_t>(e.b) != s.next_stretch;
        s.out_of_order += s.next_stretch > 0 && s.pairs_in_stretch != kMarkEvery;
        s.next_stretch = static_cast<int64_t>(e.b) + 1;
        s.pairs_in_stretch = 0;
        break;
      default:
        break;
    }
  }
  CHECK(reader.status().clean());
  CHECK(dropped == 0);
  CHECK(reader.status().dropped_events == 0);
  for (int t = 0; t < 2; ++t) {
    INFO("thread " << t);
    const PerThread& s = seen[agents[t]];
    CHECK(s.acquired == kPairs);
    CHECK(s.released == kPairs);
    CHECK(s.out_of_order == 0);
    CHECK(s.next_stretch == static_cast<int64_t>((kPairs + kMarkEvery - 1) / kMarkEvery));
    CHECK(s.pairs_in_stretch == kPairs % kMarkEvery);
  }
  CHECK(locks[0] != locks[1]);
}

TEST_CASE("spill: with the flusher held, a full ring spills and nothing is lost", "[spill]") {
  using namespace taskscope;
  TempTrace file("spill-held");
  Config config = stream_config(file.path());
  config.ring_bytes = 4096;  // 128 records
  const uint64_t in_use_before = SpillPool::in_use_bytes();
  REQUIRE(start(config));
  constexpr uint64_t kMarks = 100'000;  // 780 rings' worth
  AgentId worker_agent = 0;
  uint64_t in_use_while_held = 0;
  detail::set_flusher_paused_for_testing(true);
  std::thread worker([&] {
    worker_agent = current_thread_agent();
    for (uint64_t i = 0; i < kMarks; ++i) mark("m", static_cast<int64_t>(i));
    in_use_while_held = SpillPool::in_use_bytes();
  });
  worker.join();
  detail::set_flusher_paused_for_testing(false);
  stop();
  // The marks past the ring were held in spill blocks, returned at the end.
  CHECK(in_use_while_held - in_use_before >= (kMarks - 128) * sizeof(detail::Record));
  CHECK(SpillPool::in_use_bytes() == in_use_before);
  const Trace trace = read_trace(file.path());
  CHECK(trace.status.clean());
  CHECK(trace.status.dropped_events == 0);
  CHECK(check_marks_in_order(trace, worker_agent) == kMarks);
}

TEST_CASE("spill: past a small budget, losses are counted exactly", "[spill]") {
  using namespace taskscope;
  SECTION("flusher held: the ring, then one block, then drops") {
    TempTrace file("spill-budget-held");
    Config config = stream_config(file.path());
    config.ring_bytes = 4096;   // 128 records
    config.spill_bytes = 8192;  // one block of 256 records
    REQUIRE(start(config));
    constexpr uint64_t kMarks = 20'000;
    AgentId worker_agent = 0;
    detail::set_flusher_paused_for_testing(true);
    std::thread worker([&] {
      worker_agent = current_thread_agent();
      for (uint64_t i = 0; i < kMarks; ++i) mark("m", static_cast<int64_t>(i));
    });
    worker.join();
    detail::set_flusher_paused_for_testing(false);
    stop();
    const Trace trace = read_trace(file.path());
    CHECK(trace.status.clean());
    // kThreadStart and 127 marks in the ring, 256 marks in the block; every
    // later event, the kThreadEnd included, was lost and reported.
    CHECK(check_marks_in_order(trace, worker_agent) == 127 + 256);
    CHECK(trace.dropped_on(worker_agent) == kMarks - 127 - 256 + 1);
    check_exact_accounting(trace, worker_agent, kMarks);
    CHECK(trace.status.dropped_events == trace.dropped_on(worker_agent));
    CHECK(session_stats().dropped == trace.dropped_on(worker_agent));
  }
  SECTION("flusher running: two threads share the budget, every gap is reported") {
    TempTrace file("spill-budget-live");
    Config config = stream_config(file.path());
    config.ring_bytes = 4096;
    config.spill_bytes = 16384;  // one block of 512 records for both threads
    REQUIRE(start(config));
    constexpr uint64_t kMarks = 200'000;
    const std::array<AgentId, 2> agents = marks_on_two_threads(kMarks);
    stop();
    const Trace trace = read_trace(file.path());
    CHECK(trace.status.clean());
    uint64_t dropped = 0;
    for (AgentId agent : agents) {
      check_marks_in_order(trace, agent);
      check_exact_accounting(trace, agent, kMarks);
      dropped += trace.dropped_on(agent);
    }
    REQUIRE(trace.status.footer.has_value());
    CHECK(trace.status.footer->dropped_events == dropped);
  }
}

TEST_CASE("spill: the block policy keeps every event with a tiny ring and budget", "[spill]") {
  using namespace taskscope;
  TempTrace file("spill-block");
  Config config = stream_config(file.path());
  config.ring_bytes = 4096;   // 128 records
  config.spill_bytes = 8192;  // one block of 256 records for both threads
  config.lossless = true;
  REQUIRE(start(config));
  constexpr uint64_t kMarks = 100'000;
  const std::array<AgentId, 2> agents = marks_on_two_threads(kMarks);
  stop();
  const Trace trace = read_trace(file.path());
  CHECK(trace.status.clean());
  CHECK(trace.status.dropped_events == 0);
  for (AgentId agent : agents) CHECK(check_marks_in_order(trace, agent) == kMarks);
}

TEST_CASE("spill: TASKSCOPE_SPILL and TASKSCOPE_ON_FULL set the budget and the policy",
          "[spill]") {
  ::setenv("TASKSCOPE_SPILL", "8M", 1);
  ::setenv("TASKSCOPE_ON_FULL", "block", 1);
  Config config = taskscope::config_from_environment();
  CHECK(config.spill_bytes == 8u << 20);
  CHECK(config.lossless);
  ::setenv("TASKSCOPE_SPILL", "0", 1);
  ::setenv("TASKSCOPE_ON_FULL", "drop", 1);
  config = taskscope::config_from_environment();
  CHECK(config.spill_bytes == 0);
  CHECK_FALSE(config.lossless);
  ::setenv("TASKSCOPE_ON_FULL", "wait", 1);  // not a policy: ignored, with a warning
  config = taskscope::config_from_environment();
  CHECK_FALSE(config.lossless);
  ::unsetenv("TASKSCOPE_SPILL");
  ::unsetenv("TASKSCOPE_ON_FULL");
  CHECK(taskscope::config_from_environment().spill_bytes == Config{}.spill_bytes);
}
