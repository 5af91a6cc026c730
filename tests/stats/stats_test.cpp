// `taskscope stats` figures on synthetic traces, checked against values computed
// by hand from the timelines in scenarios.cpp.
#include "taskscope/analyzer/stats.hpp"

#include <catch2/catch.hpp>
#include <algorithm>
#include <sstream>

#include "scenarios.hpp"

namespace taskscope::stats_test {
namespace {

using analyzer::AgentGroupStats;
using analyzer::BlockCause;
using analyzer::ResourceStats;
using analyzer::TraceStats;

// Quantiles other than the extremes are bucket midpoints (stats_distribution.hpp).
constexpr double kQuantileError = analyzer::LogHistogram::kRelativeError;

template <typename Group>
const Group& find(const std::vector<Group>& groups, const std::string& name) {
  for (const Group& g : groups)
    if (g.name == name) return g;
  FAIL("no group named " << name);
  throw std::logic_error("unreachable");
}

const analyzer::Distribution& blocked(const AgentGroupStats& g, BlockCause cause) {
  return g.blocked[static_cast<size_t>(cause)];
}

TraceStats stats_of(const SyntheticTrace& trace, const std::string& name) {
  const std::string path = temp_path(name);
  trace.write(path);
  return analyzer::compute_stats(path);
}

TEST_CASE("lock hold, wait and contention are computed per resource and thread") {
  const TraceStats stats = stats_of(lock_and_channel_trace(), "lock_channel.tscope");
  CHECK(stats.trace.events == 20);
  CHECK(stats.trace.duration_ns() == 2000);

  const ResourceStats& lock = find(stats.resources, "cache_lock");
  CHECK(lock.kind == format::ResourceKind::kMutex);
  CHECK(lock.acquisitions == 2);
  CHECK(lock.contended == 1);
  CHECK(lock.hold.count() == 2);
  CHECK(lock.hold.sum() == 500);  // 100..400 by main, 400..600 by worker
  CHECK(lock.hold.max() == 300);
  CHECK(lock.hold.quantile(0.5) == 200);
  CHECK(lock.waits[static_cast<size_t>(BlockCause::kLock)].sum() == 250);
  CHECK(lock.wait_ns() == 250);

  const AgentGroupStats& worker = find(stats.agents, "worker");
  CHECK_FALSE(worker.is_task);
  CHECK(worker.agents == 1);
  CHECK(worker.contended == 1);
  CHECK(blocked(worker, BlockCause::kLock).sum() == 250);
  CHECK(blocked(worker, BlockCause::kRecv).sum() == 500);
  CHECK(worker.blocked_ns() == 750);
  // Run slices between waits: 0..150, 400..1400, 1900..2000.
  CHECK(worker.busy.count() == 3);
  CHECK(worker.busy.sum() == 1250);
  CHECK(worker.busy.max() == 1000);

  const AgentGroupStats& main = find(stats.agents, "main");
  CHECK(main.busy.sum() == 2000);
  CHECK(main.blocked_ns() == 0);
  // Sorted by busy + blocked time: main 2000, worker 2000 -> by name.
  CHECK(stats.agents.size() == 2);
}

TEST_CASE("channel depth: max, time-weighted mean and waits by direction") {
  const TraceStats stats = stats_of(lock_and_channel_trace(), "channel.tscope");
  const ResourceStats& channel = find(stats.resources, "results");
  CHECK(channel.is_channel());
  CHECK(channel.capacity == 4);
  CHECK(channel.sends == 3);
  CHECK(channel.recvs == 3);
  CHECK(channel.depth.max() == 2);
  // Depth 1 over 700..900, 2 over 900..1000, 1 over 1000..1300, else 0; the
  // channel lives 10..2000: (200 + 200 + 300) / 1990.
  CHECK(channel.depth_mean() == Approx(700.0 / 1990.0));
  CHECK(channel.waits[static_cast<size_t>(BlockCause::kRecv)].sum() == 500);
  CHECK(channel.waits[static_cast<size_t>(BlockCause::kSend)].empty());
}

TEST_CASE("agents by state over time are time-weighted per interval") {
  const TraceStats stats = stats_of(lock_and_channel_trace(), "timeline.tscope");
  // The width starts at 1 us: [0, 1000) and [1000, 2000].
  REQUIRE(stats.timeline.size() == 2);
  const auto running = static_cast<size_t>(analyzer::AgentState::kRunning);
  const auto blocked_state = static_cast<size_t>(analyzer::AgentState::kBlocked);
  CHECK(stats.timeline[0].start_ns == 0);
  CHECK(stats.timeline[1].end_ns == 2000);
  // Worker blocked 150..400 and 1400..1900; main always running.
  CHECK(stats.timeline[0].mean[blocked_state] == Approx(0.25));
  CHECK(stats.timeline[1].mean[blocked_state] == Approx(0.5));
  CHECK(stats.timeline[0].mean[running] == Approx(1.75));
  CHECK(stats.timeline[1].mean[running] == Approx(1.5));
}

TEST_CASE("async tasks: polls, scheduling latency, memory, spans and worker utilisation") {
  const TraceStats stats = stats_of(async_tasks_trace(), "async.tscope");
  const AgentGroupStats& fetch = find(stats.agents, "fetch");
  CHECK(fetch.is_task);
  CHECK(fetch.agents == 2);
  CHECK(fetch.polls == 3);
  // Polls 300..900, 900..1100, 1500..1700.
  CHECK(fetch.busy.sum() == 1000);
  CHECK(fetch.busy.max() == 600);
  CHECK(fetch.busy.quantile(0.5) == Approx(200).epsilon(kQuantileError));
  // Spawn 100 -> poll 300 and 900; wake 1000 -> poll 1500.
  CHECK(fetch.sched_latency.count() == 3);
  CHECK(fetch.sched_latency.sum() == 1500);
  CHECK(fetch.sched_latency.quantile(0.5) == Approx(500).epsilon(kQuantileError));
  CHECK(fetch.sched_latency.max() == 800);
  CHECK(blocked(fetch, BlockCause::kLock).sum() == 200);
  CHECK(fetch.contended == 1);
  // Task 10 peaks at 1000 bytes, task 11 at 500 and ends with 300 live.
  REQUIRE(fetch.has_memory());
  CHECK(fetch.memory_peak.count() == 2);
  CHECK(fetch.memory_peak.max() == 1000);
  CHECK(fetch.memory_peak.min() == 500);
  CHECK(fetch.memory_allocated == 1500);
  CHECK(fetch.memory_live == 300);

  const AgentGroupStats& worker = find(stats.agents, "worker-1");
  CHECK(worker.polls == 3);
  CHECK(worker.poll_ns == 1000);
  CHECK(worker.lifetime_ns == 2000);
  CHECK(worker.utilisation() == Approx(0.5));
  // A sync wait inside a poll blocks the worker too: run slices 0..500, 700..2000.
  CHECK(worker.busy.sum() == 1800);

  const analyzer::SpanStats& parse = find(stats.spans, "parse");
  CHECK(parse.duration.count() == 1);
  CHECK(parse.duration.sum() == 400);
  CHECK(parse.blocked[static_cast<size_t>(BlockCause::kLock)].sum() == 200);

  const ResourceStats& lock = find(stats.resources, "state_lock");
  CHECK(lock.hold.sum() == 50);
  CHECK(lock.contended == 1);
}

TEST_CASE("an async wait spans polls: the task stays blocked, its worker does not") {
  const TraceStats stats = stats_of(async_wait_trace(), "async_wait.tscope");
  const AgentGroupStats& sender = find(stats.agents, "sender");
  CHECK(blocked(sender, BlockCause::kSend).sum() == 460);  // 150..610, across two polls
  CHECK(sender.busy.sum() == 200);
  CHECK(sender.sched_latency.sum() == 150);  // spawn 50 -> 100, wake 500 -> 600
  const AgentGroupStats& worker = find(stats.agents, "worker");
  // The worker is held by the wait only until the first poll returns: 0..150, 200..1000.
  CHECK(worker.busy.sum() == 950);
  CHECK(worker.blocked_ns() == 0);
  CHECK(find(stats.resources, "results").waits[static_cast<size_t>(BlockCause::kSend)].sum() ==
        460);
  // The task counts as blocked from its poll's end (200) to the wake (500).
  const auto blocked_state = static_cast<size_t>(analyzer::AgentState::kBlocked);
  REQUIRE(stats.timeline.size() == 1);
  // Plus the worker while the wait held it (150..200).
  CHECK(stats.timeline[0].mean[blocked_state] == Approx((50.0 + 300.0 + 50.0) / 1000.0));
}

TEST_CASE("stats reports render as text and as versioned JSON") {
  const TraceStats stats = stats_of(async_tasks_trace(), "render.tscope");
  std::ostringstream text, json;
  analyzer::write_stats_text(stats, text);
  analyzer::write_stats_json(stats, json);
  CHECK(text.str().find("TASKS AND THREADS") != std::string::npos);
  CHECK(text.str().find("WORKER THREADS") != std::string::npos);
  CHECK(text.str().find("50.0 %") != std::string::npos);
  CHECK(json.str().rfind("{\"schema\":\"taskscope.stats/1\"", 0) == 0);
  CHECK(json.str().find("\"sched_latency_ns\"") != std::string::npos);
}

TEST_CASE("events without their begin, or for unknown agents, are tolerated") {
  SyntheticTrace t;
  t.add_op(5, 7, EventKind::kWaitEnd, format::WaitOutcome::kAcquired, 100);
  t.add(6, 7, EventKind::kReleased, 0, 100);
  t.add_op(7, 7, EventKind::kPollEnd, format::PollResult::kPending, 55);
  t.add(8, 7, EventKind::kSpanExit, 0, 3);
  t.add_op(9, 7, EventKind::kWaitBegin, format::WaitOp::kJoin, 8);
  const TraceStats stats = stats_of(t, "orphans.tscope");
  REQUIRE(stats.agents.size() == 1);
  CHECK(stats.agents[0].name == "(unnamed thread)");
  // The join still open at the end counts as blocked until the end.
  CHECK(blocked(stats.agents[0], BlockCause::kJoin).count() == 1);
}

}  // namespace
}  // namespace taskscope::stats_test

namespace taskscope::stats_test {
namespace {

TEST_CASE("resources and agents are named as every command names them, and merged by name") {
  // Two unnamed mutexes first locked at one line are one row, named by that
  // line; a third, first locked elsewhere, is its own. Two threads named by a
  // start routine no module covers stay unnamed: never an address.
  SyntheticTrace t;
  const uint32_t site = t.intern("/work/app/src/bank.c:41 void transfer(int)");
  const uint32_t other = t.intern("/work/app/src/bank.c:77 void audit()");
  const uint32_t routine = t.intern("sym:0x55e3bc5e90e0");
  t.add(0, 1, EventKind::kThreadStart, 0, 1, 0, routine);
  t.add(0, 2, EventKind::kThreadStart, 0, 2, 0, routine);
  for (uint64_t m : std::initializer_list<uint64_t>{10, 11, 12})
    t.add_op(1, 1, EventKind::kResourceCreate, format::ResourceKind::kMutex, m);
  t.add(10, 1, EventKind::kAcquired, 0, 10, 0, site);
  t.add(20, 1, EventKind::kReleased, 0, 10);
  t.add(30, 2, EventKind::kAcquired, 0, 11, 0, site);
  t.add(70, 2, EventKind::kReleased, 0, 11);
  t.add(80, 2, EventKind::kAcquired, 0, 12, 0, other);
  t.add(90, 2, EventKind::kReleased, 0, 12);
  const TraceStats stats = stats_of(t, "names.tscope");
  REQUIRE(stats.resources.size() == 2);
  const ResourceStats& shared = find(stats.resources, "mutex@src/bank.c:41");
  CHECK(shared.instances == 2);
  CHECK(shared.acquisitions == 2);
  CHECK(shared.hold.count() == 2);
  CHECK(shared.hold.sum() == 50);
  CHECK(find(stats.resources, "mutex@src/bank.c:77").hold.sum() == 10);
  REQUIRE(stats.agents.size() == 1);
  CHECK(stats.agents.front().name == "(unnamed thread)");
  CHECK(stats.agents.front().agents == 2);
  std::ostringstream text;
  analyzer::write_stats_text(stats, text);
  CHECK(text.str().find("  mutex@src/bank.c:41: 2 acquisitions") != std::string::npos);
  CHECK(text.str().find("sym:0x") == std::string::npos);
}

TEST_CASE("merged distributions keep exact totals and a reservoir drawn from both sides") {
  analyzer::Distribution small, large;
  small.keep_samples(64);
  large.keep_samples(64);
  for (int i = 0; i < 100; ++i) small.add(10);
  for (int i = 0; i < 900; ++i) large.add(1000);
  small.merge(large);
  CHECK(small.count() == 1000);
  CHECK(small.sum() == 100 * 10 + 900 * 1000);
  CHECK(small.min() == 10);
  CHECK(small.max() == 1000);
  REQUIRE(small.samples().size() == 64);
  const auto tens = std::count(small.samples().begin(), small.samples().end(), 10);
  // About a tenth of the kept values come from the side that saw a tenth.
  CHECK(tens >= 1);
  CHECK(tens <= 20);
}

}  // namespace
}  // namespace taskscope::stats_test
