// Replay: the state trackers, partial traces and the id table.
#include "taskscope/analyzer/replay.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>

#include "script.hpp"
#include "taskscope/analyzer/id_table.hpp"

namespace taskscope::test {

using analyzer::Replayer;
using analyzer::RunState;

TEST_CASE("replay: locks, waits and holders", "[replay]") {
  Script s;
  s.thread(1, "a").thread(2, "b").mutex(1, 10, "m");
  s.at(1).lock(1, 10, "x.cpp:1").block_lock(2, 10);
  Replayer r;
  for (const Event& e : s.events) r.apply(e);
  const auto& state = r.state();
  REQUIRE(state.resources.find(10) != nullptr);
  CHECK(state.resources.find(10)->owner == 1);
  CHECK(state.resources.find(10)->waiters == 1);
  CHECK(state.agents.find(1)->holds.size() == 1);
  CHECK(state.agents.find(2)->state == RunState::kBlocked);
  CHECK(state.agents.find(2)->wait.resource == 10);

  s.unlock(1, 10).wait_end(2, 10, WaitOutcome::kAcquired).acquired(2, 10);
  Replayer after;
  for (const Event& e : s.events) after.apply(e);
  CHECK(after.state().resources.find(10)->owner == 2);
  CHECK(after.state().resources.find(10)->waiters == 0);
  CHECK(after.state().agents.find(1)->holds.empty());
  CHECK(after.state().agents.find(2)->state == RunState::kRunning);
}

TEST_CASE("replay: tasks, polls and wakers", "[replay]") {
  Script s;
  s.thread(1, "worker").spawn(1, 100, "fetch", "src/fetch.cpp:12");
  s.poll_begin(1, 100).waker_clone(1, 100, 7).poll_end(1, 100, true);
  Replayer r;
  for (const Event& e : s.events) r.apply(e);
  const auto* task = r.state().agents.find(100);
  REQUIRE(task != nullptr);
  CHECK(task->state == RunState::kIdle);
  CHECK(task->parent == 1);
  CHECK(task->wakers == 1);
  CHECK(task->registered_on == std::vector<uint64_t>{7});
  CHECK(r.state().agents.find(1)->polling.empty());
}

TEST_CASE("replay: the acting agent is the polled task", "[replay]") {
  Script s;
  s.thread(1, "worker").mutex(1, 10, "m").spawn(1, 100, "job");
  s.poll_begin(1, 100).lock(1, 10);
  Replayer r;
  for (const Event& e : s.events) r.apply(e);
  CHECK(r.state().resources.find(10)->owner == 100);
  CHECK(r.state().acting_agent(1) == 100);
}

TEST_CASE("replay: a task that ends inside its poll stops acting on its thread", "[replay]") {
  Script s;
  s.thread(1, "worker").mutex(1, 10, "m").spawn(1, 100, "job");
  s.poll_begin(1, 100).task_end(1, 100).lock(1, 10);
  Replayer r;
  for (const Event& e : s.events) r.apply(e);
  CHECK(r.state().resources.find(10)->owner == 1);
  CHECK(r.state().agents.find(1)->polling.empty());
  CHECK(r.state().acting_agent(1) == 1);
}

TEST_CASE("replay: a poll of task 0 is flagged and attributes nothing to it", "[replay]") {
  Script s;
  s.thread(1, "worker").mutex(1, 10, "m");
  s.emit(1, EventKind::kPollBegin, 0, 0).lock(1, 10);
  Replayer r;
  for (const Event& e : s.events) r.apply(e);
  CHECK(r.state().resources.find(10)->owner == 1);
  CHECK(r.state().agents.find(1)->polling.empty());
  CHECK(r.state().inconsistencies == 1);
}

TEST_CASE("replay: ended agents are forgotten once nothing refers to them", "[replay]") {
  Script s;
  s.thread(1, "main");
  const AgentId tasks = 3 * analyzer::State::kRememberEnded;
  for (AgentId t = 100; t < 100 + tasks; ++t) {
    s.spawn(1, t, "job").poll_begin(1, t).poll_end(1, t, false).task_end(1, t);
  }
  Replayer r;
  for (const Event& e : s.events) r.apply(e);
  CHECK(r.state().agents.size() == 1 + analyzer::State::kRememberEnded);
  CHECK(r.state().ended_tasks == tasks);
  CHECK(r.state().agents.find(100) == nullptr);              // long gone
  CHECK(r.state().agents.find(100 + tasks - 1) != nullptr);  // recently ended
}

TEST_CASE("replay: a partial trace that starts mid-run is accepted", "[replay]") {
  Script s;
  // Events about state from before the window: no start, no acquisitions seen.
  s.released(5, 10).wait_end(6, 11, WaitOutcome::kAcquired);
  s.poll_end(5, 100, true).close(5, 300).use(5, 301, false).waker_drop(5, 100);
  s.emit(5, EventKind::kSpanExit, 0, 42).emit(5, EventKind::kTaskEnd, 0, 999);
  s.emit(5, EventKind::kAcquired, 0, 10).emit(6, EventKind::kAcquired, 0, 10);  // conflict
  s.emit(7, EventKind::kInvalid, 0, 0);
  Replayer r;
  for (const Event& e : s.events) r.apply(e);
  CHECK(r.state().partial);
  CHECK(r.state().inconsistencies >= 1);
  CHECK(r.state().resources.find(10)->owner == 6);
  auto analysis = s.analyze();
  CHECK(analysis->report().findings.empty());
}

TEST_CASE("replay: snapshot events name the acting agent directly", "[replay]") {
  Script s;
  const uint16_t snap = format::kFlagSnapshot;
  s.emit(1, EventKind::kThreadStart, 0, 1, 0, s.str("holder"), snap);
  s.emit(1, EventKind::kResourceCreate, static_cast<uint8_t>(ResourceKind::kMutex), 10, 0,
         s.str("m"), snap);
  s.emit(1, EventKind::kAcquired, 0, 10, 0, 0, snap);
  s.emit(1, EventKind::kAcquired, 0, 10, 0, 0, snap);  // one per recursive acquisition
  s.thread(2, "waiter").block_lock(2, 10);
  Replayer r;
  for (const Event& e : s.events) r.apply(e);
  CHECK(r.state().resources.find(10)->owner == 1);
  CHECK(r.state().resources.find(10)->owner_depth == 2);
}

TEST_CASE("replay: channel endpoints and their holders", "[replay]") {
  Script s;
  s.thread(1, "main").thread(2, "worker").channel(1, 20, "q", 4);
  s.open(1, 100, 20, false).hand(1, 100, 2).use(2, 100, false).send(2, 20, 1);
  Replayer r;
  for (const Event& e : s.events) r.apply(e);
  const auto* endpoint = r.state().endpoints.find(100);
  REQUIRE(endpoint != nullptr);
  CHECK(endpoint->holder == 2);
  CHECK(endpoint->strength == analyzer::EndpointStrength::kUsed);
  CHECK(r.state().resources.find(20)->depth == 1);
  CHECK(r.state().resources.find(20)->endpoints_known);
}

TEST_CASE("id table: insert, find, erase with backward shift", "[replay]") {
  struct Record {
    uint64_t id = 0;
    int value = 0;
  };
  analyzer::IdTable<Record> table;
  for (uint64_t id = 1; id <= 5000; ++id) table.insert(id).value = static_cast<int>(id);
  for (uint64_t id = 1; id <= 5000; id += 2) table.erase(id);
  CHECK(table.size() == 2500);
  for (uint64_t id = 1; id <= 5000; ++id) {
    const Record* record = table.find(id);
    if (id % 2)
      CHECK(record == nullptr);
    else
      REQUIRE((record != nullptr && record->value == static_cast<int>(id)));
  }
  CHECK(table.find(0) == nullptr);
  Record& first = table.insert(2);
  table.insert(100000);
  CHECK(&first == table.find(2));  // references survive inserts
}

}  // namespace taskscope::test

namespace taskscope::test {

TEST_CASE("replay: random event streams never crash the analysis", "[replay]") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    Script s;
    for (int i = 0; i < 5000; ++i) {
      const auto kind =
          static_cast<EventKind>(rng() % static_cast<unsigned>(EventKind::kKindCount));
      const uint16_t flags = static_cast<uint16_t>(rng() % 16 == 0 ? format::kFlagSnapshot : 0) |
                             static_cast<uint16_t>(rng() % 2 ? format::kFlagTimed : 0);
      s.emit(1 + rng() % 6, kind, static_cast<uint8_t>(rng() % 12), rng() % 12, rng() % 12,
             static_cast<uint32_t>(rng() % 4), flags);
    }
    auto analysis = s.analyze();
    for (auto format : {analyzer::OutputFormat::kText, analyzer::OutputFormat::kJson,
                        analyzer::OutputFormat::kDot})
      CHECK_FALSE(analysis->render(format).empty());
  }
}

TEST_CASE("replay: memory deltas past int64 saturate and count as inconsistencies",
          "[replay]") {
  // A forged or damaged trace: two allocations of 2^63-1 bytes, then frees
  // past -2^63, at timestamps at both ends of the range.
  Script s;
  s.now = INT64_MIN + 1;
  s.thread(1, "a");
  s.emit(1, EventKind::kMemory, 0, 1, static_cast<uint64_t>(INT64_MAX));
  s.now = INT64_MAX - 10'000;
  s.emit(1, EventKind::kMemory, 0, 1, static_cast<uint64_t>(INT64_MAX));
  Replayer r;
  for (const Event& e : s.events) r.apply(e);
  const auto* agent = r.state().agents.find(1);
  REQUIRE(agent != nullptr);
  CHECK(agent->memory_live == INT64_MAX);
  CHECK(agent->memory_peak == INT64_MAX);
  CHECK(r.state().inconsistencies == 1);

  s.emit(1, EventKind::kMemory, 0, 1, static_cast<uint64_t>(INT64_MIN));
  s.emit(1, EventKind::kMemory, 0, 1, static_cast<uint64_t>(INT64_MIN));
  Replayer down;
  for (const Event& e : s.events) down.apply(e);
  CHECK(down.state().agents.find(1)->memory_live == INT64_MIN);
  CHECK(down.state().agents.find(1)->memory_peak == INT64_MAX);
  CHECK(down.state().inconsistencies == 2);

  // The whole analysis and every report format take it too.
  auto analysis = s.analyze();
  for (auto format : {analyzer::OutputFormat::kText, analyzer::OutputFormat::kJson,
                      analyzer::OutputFormat::kDot})
    CHECK_FALSE(analysis->render(format).empty());
}

TEST_CASE("replay: real memory deltas are not inconsistencies", "[replay]") {
  Script s;
  s.thread(1, "a");
  s.emit(1, EventKind::kMemory, 0, 1, 4096);
  s.emit(1, EventKind::kMemory, 0, 1, static_cast<uint64_t>(int64_t{-1024}));
  Replayer r;
  for (const Event& e : s.events) r.apply(e);
  CHECK(r.state().agents.find(1)->memory_live == 3072);
  CHECK(r.state().agents.find(1)->memory_peak == 4096);
  CHECK(r.state().inconsistencies == 0);
}

}  // namespace taskscope::test

namespace taskscope::test {

TEST_CASE("id table: id 0 is never stored", "[replay]") {
  struct Record {
    uint64_t id = 0;
  };
  analyzer::IdTable<Record> table;
  table.insert(0);
  table.insert(5);
  CHECK(table.size() == 1);
  CHECK(table.find(0) == nullptr);
  CHECK(table.find(5) != nullptr);
}

}  // namespace taskscope::test
