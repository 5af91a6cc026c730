// The preload shim's events, read back from a recording of
// programs/shim_features.c: identities, recursion, rwlock modes, condvars,
// semaphores, threads, joins, sleeps and I/O waits, and the call sites.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "support.hpp"
#include "taskscope/analyzer/symbolizer.hpp"

namespace taskscope::preload_test {
namespace {

using Catch::Matchers::Contains;
using format::EventKind;
using format::ResourceKind;
using format::WaitOp;

const Trace& features_trace() {
  static const Trace trace = [] {
    const Recording recording = record("shim_features", kFinishOptions);
    INFO(recording.run.err);
    REQUIRE(recording.run.status == 0);
    REQUIRE(recording.run.out == "ok\n");
    return read_trace(recording.trace);
  }();
  return trace;
}

std::vector<format::Event> live(const std::vector<format::Event>& events) {
  std::vector<format::Event> out;
  for (const auto& event : events)
    if (!(event.flags & format::kFlagSnapshot)) out.push_back(event);
  return out;
}

std::vector<format::Event> created(const Trace& trace, ResourceKind kind) {
  std::vector<format::Event> out;
  for (const auto& event : live(trace.of_kind(EventKind::kResourceCreate)))
    if (event.op == static_cast<uint8_t>(kind)) out.push_back(event);
  return out;
}

std::vector<format::Event> about(const Trace& trace, EventKind kind, uint64_t resource) {
  std::vector<format::Event> out;
  for (const auto& event : live(trace.of_kind(kind)))
    if (event.a == resource) out.push_back(event);
  return out;
}

bool is_pc_list(const std::string& text) {
  if (text.rfind("pc:0x", 0) != 0) return false;
  return text.find_first_not_of("pc:0x0123456789abcdef;") == std::string::npos;
}

}  // namespace

TEST_CASE("shim: a mutex re-created at the same address is a new resource", "[preload][shim]") {
  const Trace& trace = features_trace();
  const auto mutexes = created(trace, ResourceKind::kMutex);
  REQUIRE(mutexes.size() >= 3);
  const uint64_t first = mutexes[0].a;
  const auto destroyed = about(trace, EventKind::kResourceDestroy, first);
  CHECK(destroyed.size() == 1);
  CHECK(mutexes[1].a != first);
  CHECK(about(trace, EventKind::kAcquired, first).size() == 1);
  CHECK(about(trace, EventKind::kAcquired, mutexes[1].a).size() == 1);
}

TEST_CASE("shim: recursive mutexes record their depth", "[preload][shim]") {
  const Trace& trace = features_trace();
  const auto mutexes = created(trace, ResourceKind::kMutex);
  auto recursive = std::find_if(mutexes.begin(), mutexes.end(),
                                [](const auto& e) { return e.b == format::kMutexRecursive; });
  REQUIRE(recursive != mutexes.end());
  std::vector<uint64_t> depths, remaining;
  for (const auto& e : about(trace, EventKind::kAcquired, recursive->a)) depths.push_back(e.b);
  for (const auto& e : about(trace, EventKind::kReleased, recursive->a)) remaining.push_back(e.b);
  CHECK(depths == std::vector<uint64_t>{0, 2, 3});
  CHECK(remaining == std::vector<uint64_t>{2, 1, 0});
}

TEST_CASE("shim: rwlocks are acquired and released in the right mode", "[preload][shim]") {
  const Trace& trace = features_trace();
  const auto rwlocks = created(trace, ResourceKind::kRwLock);
  REQUIRE(rwlocks.size() == 1);
  std::vector<int> acquired_modes, released_modes;
  for (const auto& e : about(trace, EventKind::kAcquired, rwlocks[0].a))
    acquired_modes.push_back(e.op);
  for (const auto& e : about(trace, EventKind::kReleased, rwlocks[0].a))
    released_modes.push_back(e.op);
  const int shared = static_cast<int>(format::LockMode::kShared);
  const int exclusive = static_cast<int>(format::LockMode::kExclusive);
  CHECK(acquired_modes == std::vector<int>{shared, exclusive});
  CHECK(released_modes == std::vector<int>{shared, exclusive});
}

TEST_CASE("shim: semaphores record their initial value, units and posts", "[preload][shim]") {
  const Trace& trace = features_trace();
  const auto semaphores = created(trace, ResourceKind::kSemaphore);
  REQUIRE(semaphores.size() == 1);
  CHECK(semaphores[0].b == 1);
  const auto acquired = about(trace, EventKind::kAcquired, semaphores[0].a);
  REQUIRE(acquired.size() == 1);
  CHECK(acquired[0].b == 1);
  CHECK(about(trace, EventKind::kSemPost, semaphores[0].a).size() == 1);
  CHECK(about(trace, EventKind::kResourceDestroy, semaphores[0].a).size() == 1);
}

TEST_CASE("shim: a condvar wait names its mutex and the notify counts the waiter",
          "[preload][shim]") {
  const Trace& trace = features_trace();
  const auto condvars = created(trace, ResourceKind::kCondvar);
  REQUIRE(condvars.size() == 1);
  const uint64_t cv = condvars[0].a;
  const auto begins = about(trace, EventKind::kWaitBegin, cv);
  REQUIRE(!begins.empty());
  const format::Event& wait = begins.front();
  CHECK(wait.op == static_cast<uint8_t>(WaitOp::kCondWait));
  const auto mutexes = created(trace, ResourceKind::kMutex);
  CHECK(std::any_of(mutexes.begin(), mutexes.end(), [&](const auto& m) { return m.a == wait.b; }));
  // The mutex is released before the wait and held again after it.
  const auto released = about(trace, EventKind::kReleased, wait.b);
  CHECK(std::any_of(released.begin(), released.end(), [&](const auto& e) {
    return e.thread == wait.thread && e.ts_ns <= wait.ts_ns;
  }));
  const auto notifies = about(trace, EventKind::kNotify, cv);
  REQUIRE(notifies.size() == 1);
  CHECK(notifies[0].b == 1);
  const auto ends = about(trace, EventKind::kWaitEnd, cv);
  REQUIRE(!ends.empty());
  CHECK(ends.back().op == static_cast<uint8_t>(format::WaitOutcome::kNotified));
  CHECK(is_pc_list(trace.text(wait.str)));
}

TEST_CASE("shim: threads get their parent, a name, and joins wait for them", "[preload][shim]") {
  const Trace& trace = features_trace();
  const auto starts = live(trace.of_kind(EventKind::kThreadStart));
  std::vector<format::Event> spawned;
  for (const auto& e : starts)
    if (e.b != 0) spawned.push_back(e);
  REQUIRE(spawned.size() == 2);
  // A static start routine is named by its address, symbolized offline.
  CHECK(trace.text(spawned[0].str).rfind("sym:0x", 0) == 0);
  // pthread_setname_np renames the thread.
  bool renamed = false;
  for (const auto& e : live(trace.of_kind(EventKind::kAgentName)))
    renamed = renamed || (e.a == spawned[1].a && trace.text(e.str) == "pipe-writer");
  CHECK(renamed);
  // main joins both.
  std::set<uint64_t> joined;
  for (const auto& e : live(trace.of_kind(EventKind::kWaitBegin)))
    if (e.op == static_cast<uint8_t>(WaitOp::kJoin)) joined.insert(e.a);
  CHECK(joined == std::set<uint64_t>{spawned[0].a, spawned[1].a});
}

TEST_CASE("shim: sleeps and a blocking pipe read are waits on the outside world",
          "[preload][shim]") {
  const Trace& trace = features_trace();
  std::vector<uint64_t> sleeps;
  bool pipe_read = false;
  for (const auto& e : live(trace.of_kind(EventKind::kWaitBegin))) {
    if (e.op == static_cast<uint8_t>(WaitOp::kSleep)) sleeps.push_back(e.b);
    if (e.op == static_cast<uint8_t>(WaitOp::kIo) &&
        format::io_op_of(e.flags) == format::IoOp::kRead)
      pipe_read = true;
  }
  std::sort(sleeps.begin(), sleeps.end());
  CHECK(sleeps == std::vector<uint64_t>{30'000'000, 50'000'000});
  CHECK(pipe_read);
}

TEST_CASE("shim: every acquisition carries its call site", "[preload][shim]") {
  const Trace& trace = features_trace();
  const auto acquisitions = live(trace.of_kind(EventKind::kAcquired));
  REQUIRE(!acquisitions.empty());
  for (const auto& e : acquisitions) {
    INFO(trace.text(e.str));
    CHECK(is_pc_list(trace.text(e.str)));
  }
  CHECK_FALSE(trace.of_kind(EventKind::kModuleMap).empty());
}

TEST_CASE("shim: pthread_exit and pthread_detach are recorded with their call sites",
          "[preload][shim]") {
  const Recording recording = record("thread_exits", kFinishOptions);
  INFO(recording.run.err);
  REQUIRE(recording.run.status == 0);
  REQUIRE(recording.run.out == "3 entries\n");
  const Trace trace = read_trace(recording.trace);
  analyzer::Symbolizer symbolizer;
  for (const auto& e : trace.of_kind(EventKind::kModuleMap))
    symbolizer.add_module(e.a, e.b, trace.text(e.str));
  auto site = [&](const format::Event& e) { return symbolizer.describe(trace.text(e.str)); };

  std::vector<uint64_t> spawned;  // writer, then the two background threads
  for (const auto& e : live(trace.of_kind(EventKind::kThreadStart)))
    if (e.b != 0) spawned.push_back(e.a);
  REQUIRE(spawned.size() == 3);

  // The writer's end names where it called pthread_exit, and comes after its
  // cleanup handler released the lock.
  const auto& events = trace.events;
  auto index_of = [&](EventKind kind, uint64_t thread) {
    for (size_t i = 0; i < events.size(); ++i)
      if (events[i].kind == kind && events[i].thread == thread) return i;
    return events.size();
  };
  const size_t writer_end = index_of(EventKind::kThreadEnd, spawned[0]);
  REQUIRE(writer_end < events.size());
  CHECK_THAT(site(events[writer_end]), Contains("thread_exits.c:") && Contains("give_up"));
  CHECK(index_of(EventKind::kReleased, spawned[0]) < writer_end);
  // Threads that returned from their start routine end without a site.
  for (const auto& e : about(trace, EventKind::kThreadEnd, spawned[1])) CHECK(e.str == 0);

  // Each creation is recorded by main at its pthread_create call, before the
  // thread announces itself: happens-before forks there, however late the
  // thread first runs.
  for (uint64_t thread : spawned) {
    INFO("thread " << thread);
    size_t created = events.size(), started = events.size();
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].kind == EventKind::kThreadCreate && events[i].a == thread) created = i;
      if (events[i].kind == EventKind::kThreadStart && events[i].a == thread) started = i;
    }
    REQUIRE(created < events.size());
    CHECK(created < started);
    CHECK(events[created].thread == events[index_of(EventKind::kThreadStart, thread)].b);
    CHECK_THAT(site(events[created]), Contains("thread_exits.c:") && Contains("(main)"));
  }

  // One detach by pthread_detach, one for the thread created detached; the
  // joined writer is not detached.
  const auto detaches = live(trace.of_kind(EventKind::kThreadDetach));
  std::set<uint64_t> detached;
  for (const auto& e : detaches) {
    detached.insert(e.a);
    CHECK_THAT(site(e), Contains("thread_exits.c:") && Contains("(main)"));
  }
  CHECK(detaches.size() == 2);
  CHECK(detached == std::set<uint64_t>{spawned[1], spawned[2]});
}

TEST_CASE("shim: a timed join that expires is a timed wait that timed out", "[preload][shim]") {
  const Recording recording = record("timed_waits", kFinishOptions);
  INFO(recording.run.err);
  REQUIRE(recording.run.status == 0);
  const Trace trace = read_trace(recording.trace);
  std::vector<format::Event> joins;  // wait_begin(join) and the wait_end after it, per thread
  for (const auto& e : live(trace.events)) {
    if (e.kind == EventKind::kWaitBegin && e.op == static_cast<uint8_t>(WaitOp::kJoin))
      joins.push_back(e);
    else if (e.kind == EventKind::kWaitEnd && !joins.empty() && joins.back().a == e.a &&
             joins.back().kind == EventKind::kWaitBegin && joins.back().thread == e.thread)
      joins.push_back(e);
  }
  // The timed join (timed out), then the plain join (completed).
  REQUIRE(joins.size() == 4);
  CHECK((joins[0].flags & format::kFlagTimed) != 0);
  CHECK(joins[1].op == static_cast<uint8_t>(format::WaitOutcome::kTimedOut));
  CHECK((joins[2].flags & format::kFlagTimed) == 0);
  CHECK(joins[3].op == static_cast<uint8_t>(format::WaitOutcome::kCompleted));
}

}  // namespace taskscope::preload_test
