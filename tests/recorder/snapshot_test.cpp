// The state mirror and the snapshot it produces (recorder/src/output/state_mirror.cpp,
// snapshot.cpp), and the hang watchdog's decision (watchdog.cpp).
#include <algorithm>

#include "core_trace.hpp"
#include "output/state_mirror.hpp"
#include "process/watchdog.hpp"

using taskscope::detail::HangWatchdog;
using taskscope::detail::ModuleInfo;
using taskscope::detail::StateMirror;
using taskscope::format::Event;
using taskscope::format::EventKind;
using taskscope::format::ResourceKind;
using taskscope::format::WaitOp;

namespace {

Event ev(int64_t ts, EventKind kind, uint64_t a, uint64_t b = 0, uint32_t str = 0, uint8_t op = 0,
         uint16_t flags = 0) {
  Event e;
  e.ts_ns = ts;
  e.kind = kind;
  e.a = a;
  e.b = b;
  e.str = str;
  e.op = op;
  e.flags = flags;
  return e;
}

std::string show(const Event& e) {
  return std::string(taskscope::format::kind_name(e.kind)) + " t=" + std::to_string(e.thread) +
         " a=" + std::to_string(e.a) + " b=" + std::to_string(e.b) +
         " str=" + std::to_string(e.str) + " op=" + std::to_string(e.op) +
         " ts=" + std::to_string(e.ts_ns);
}

std::vector<std::string> show(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(show(e));
  return out;
}

}  // namespace

TEST_CASE("snapshot: live state in the documented order, released state gone", "[snapshot]") {
  StateMirror mirror;
  constexpr uint64_t kThread = 1, kOther = 2, kTask = 3;
  constexpr uint64_t kMutex = 10, kChannel = 11, kSem = 12, kGone = 13;
  mirror.apply(kThread, ev(1, EventKind::kThreadStart, kThread, 0, 100));
  mirror.apply(kOther, ev(2, EventKind::kThreadStart, kOther, kThread, 101));
  mirror.apply(kOther, ev(3, EventKind::kAgentName, kOther, 0, 102));
  mirror.apply(kThread, ev(4, EventKind::kResourceCreate, kMutex, 0, 103,
                           static_cast<uint8_t>(ResourceKind::kMutex)));
  mirror.apply(kThread, ev(5, EventKind::kResourceCreate, kChannel, 4, 104,
                           static_cast<uint8_t>(ResourceKind::kChannel)));
  mirror.apply(kThread, ev(6, EventKind::kResourceCreate, kSem, 5, 105,
                           static_cast<uint8_t>(ResourceKind::kSemaphore)));
  mirror.apply(kThread, ev(7, EventKind::kResourceCreate, kGone, 0, 106,
                           static_cast<uint8_t>(ResourceKind::kMutex)));
  mirror.apply(kThread, ev(8, EventKind::kResourceDestroy, kGone));
  mirror.apply(kThread, ev(9, EventKind::kTaskSpawn, kTask, 107, 108));
  mirror.apply(kThread, ev(10, EventKind::kEndpointOpen, 20, kChannel, 0, 0));
  mirror.apply(kThread, ev(11, EventKind::kEndpointOpen, 21, kChannel, 0, 1));
  mirror.apply(kThread, ev(12, EventKind::kEndpointHand, 21, kOther));
  mirror.apply(kOther, ev(13, EventKind::kEndpointUse, 21, 0, 0, 1));
  mirror.apply(kThread, ev(14, EventKind::kEndpointOpen, 22, kChannel, 0, 0));
  mirror.apply(kThread, ev(15, EventKind::kEndpointClose, 22));
  mirror.apply(kThread, ev(16, EventKind::kChannelSend, kChannel, 3));
  mirror.apply(kThread, ev(17, EventKind::kAcquired, kSem, 2));
  mirror.apply(kThread, ev(18, EventKind::kSemPost, kSem, 1));
  mirror.apply(kThread, ev(19, EventKind::kAcquired, kMutex, 0, 109));
  mirror.apply(kThread, ev(20, EventKind::kWakerClone, kTask, kChannel));
  mirror.apply(kThread, ev(21, EventKind::kWakerClone, kTask, kChannel));
  mirror.apply(kThread, ev(22, EventKind::kWakerDrop, kTask));
  mirror.apply(kOther, ev(23, EventKind::kPollBegin, kTask));
  mirror.apply(kOther, ev(24, EventKind::kSpanEnter, 110, 0, 111));
  mirror.apply(kOther,
               ev(25, EventKind::kWaitBegin, kMutex, 0, 112, static_cast<uint8_t>(WaitOp::kLock)));
  CHECK(mirror.blocked_waits() == 1);

  std::vector<ModuleInfo> modules(1);
  modules[0].address = 0x1000;
  modules[0].size = 0x2000;
  modules[0].path_id = 113;
  std::vector<Event> snapshot;
  mirror.snapshot(/*time_ns=*/30, modules, snapshot);
  // Part A at T0 = the earliest part-B time (19), part B at original times.
  const std::vector<std::string> expected = show(std::vector<Event>{
      [] {
        Event e = ev(19, EventKind::kModuleMap, 0x1000, 0x2000, 113);
        e.thread = 0;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kThreadStart, kThread, 0, 100);
        e.thread = kThread;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kThreadStart, kOther, kThread, 102);
        e.thread = kOther;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kTaskSpawn, kTask, 107, 108);
        e.thread = kThread;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kResourceCreate, kMutex, 0, 103, 1);
        e.thread = kThread;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kResourceCreate, kChannel, 4, 104, 5);
        e.thread = kThread;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kResourceCreate, kSem, 4, 105, 3);
        e.thread = kThread;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kChannelSend, kChannel, 3);
        e.thread = 0;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kEndpointOpen, 20, kChannel, 0, 0);
        e.thread = kThread;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kEndpointOpen, 21, kChannel, 0, 1);
        e.thread = kThread;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kEndpointHand, 21, kOther);
        e.thread = kThread;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kEndpointUse, 21, 0, 0, 1);
        e.thread = kOther;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kWakerClone, kTask, kChannel);
        e.thread = kThread;
        return e;
      }(),
      [] {
        Event e = ev(19, EventKind::kAcquired, kMutex, 0, 109);
        e.thread = kThread;
        return e;
      }(),
      [] {
        Event e = ev(23, EventKind::kPollBegin, kTask);
        e.thread = kOther;
        return e;
      }(),
      [] {
        Event e = ev(24, EventKind::kSpanEnter, 110, 0, 111);
        e.thread = kTask;
        return e;
      }(),
      [] {
        Event e = ev(25, EventKind::kWaitBegin, kMutex, 0, 112);
        e.thread = kTask;
        return e;
      }(),
  });
  CHECK(show(snapshot) == expected);

  // Releases, ends and wait ends take state out again.
  mirror.apply(kOther, ev(26, EventKind::kWaitEnd, kMutex));
  mirror.apply(kOther, ev(27, EventKind::kSpanExit, 110));
  mirror.apply(kOther, ev(28, EventKind::kPollEnd, kTask));
  mirror.apply(kThread, ev(29, EventKind::kReleased, kMutex));
  mirror.apply(kThread, ev(30, EventKind::kTaskEnd, kTask));
  mirror.apply(kOther, ev(31, EventKind::kThreadEnd, kOther));
  CHECK(mirror.blocked_waits() == 0);
  mirror.snapshot(40, {}, snapshot);
  for (const Event& e : snapshot) {
    CHECK(e.kind != EventKind::kAcquired);
    CHECK(e.kind != EventKind::kWaitBegin);
    CHECK(e.kind != EventKind::kPollBegin);
    CHECK(e.kind != EventKind::kTaskSpawn);
    CHECK(e.kind != EventKind::kWakerClone);
    CHECK(e.a != kOther);
    CHECK(e.ts_ns == 40);
  }
}

TEST_CASE("snapshot: a thread that ended holding a lock stays, marked ended", "[snapshot]") {
  StateMirror mirror;
  mirror.apply(5, ev(1, EventKind::kThreadStart, 5));
  mirror.apply(5, ev(2, EventKind::kAcquired, 50));
  mirror.apply(5, ev(3, EventKind::kThreadEnd, 5));
  std::vector<Event> snapshot;
  mirror.snapshot(10, {}, snapshot);
  REQUIRE(snapshot.size() == 3);
  CHECK(snapshot[0].kind == EventKind::kThreadStart);
  CHECK(snapshot[1].kind == EventKind::kAcquired);
  CHECK(snapshot[1].thread == 5);
  CHECK(snapshot[2].kind == EventKind::kThreadEnd);
  CHECK(snapshot[2].ts_ns >= snapshot[1].ts_ns);
}

TEST_CASE("snapshot: a task that ended inside its poll no longer acts on its thread",
          "[snapshot]") {
  StateMirror mirror;
  mirror.apply(1, ev(1, EventKind::kThreadStart, 1));
  mirror.apply(1, ev(2, EventKind::kTaskSpawn, 3));
  mirror.apply(1, ev(3, EventKind::kPollBegin, 3));
  mirror.apply(1, ev(4, EventKind::kAcquired, 50));  // by the task
  mirror.apply(1, ev(5, EventKind::kTaskEnd, 3));
  mirror.apply(1, ev(6, EventKind::kAcquired, 51));  // by the thread again
  std::vector<Event> snapshot;
  mirror.snapshot(10, {}, snapshot);
  std::vector<std::pair<uint64_t, uint64_t>> holders;  // (resource, holder)
  for (const Event& e : snapshot) {
    CHECK(e.kind != EventKind::kPollBegin);
    if (e.kind == EventKind::kAcquired) holders.emplace_back(e.a, e.thread);
  }
  CHECK(holders == std::vector<std::pair<uint64_t, uint64_t>>{{50, 3}, {51, 1}});
}

TEST_CASE("snapshot: replayed by the model, it rebuilds the mirror's State", "[snapshot]") {
  // The mirror is the event model's replay State; its snapshot, replayed into a
  // fresh State as a reader does, must give back what was live.
  StateMirror mirror;
  constexpr uint64_t kThread = 1, kOther = 2, kTask = 3;
  constexpr uint64_t kMutex = 10, kChannel = 11, kSem = 12, kEndpoint = 20;
  mirror.apply(kThread, ev(1, EventKind::kThreadStart, kThread));
  mirror.apply(kOther, ev(2, EventKind::kThreadStart, kOther, kThread));
  mirror.apply(kThread,
               ev(3, EventKind::kResourceCreate, kMutex, taskscope::format::kMutexRecursive, 0,
                  static_cast<uint8_t>(ResourceKind::kMutex)));
  mirror.apply(kThread, ev(4, EventKind::kResourceCreate, kChannel, 0, 0,
                           static_cast<uint8_t>(ResourceKind::kChannel)));
  mirror.apply(kThread, ev(5, EventKind::kResourceCreate, kSem, 3, 0,
                           static_cast<uint8_t>(ResourceKind::kSemaphore)));
  mirror.apply(kThread, ev(6, EventKind::kAcquired, kMutex, 1, 200));
  mirror.apply(kThread, ev(7, EventKind::kAcquired, kMutex, 2, 201));  // recursive
  mirror.apply(kOther, ev(8, EventKind::kAcquired, kSem, 2));
  mirror.apply(kThread, ev(9, EventKind::kEndpointOpen, kEndpoint, kChannel, 0, 1));
  mirror.apply(kThread, ev(10, EventKind::kEndpointHand, kEndpoint, kOther));
  mirror.apply(kOther, ev(11, EventKind::kEndpointUse, kEndpoint, 0, 0, 1));
  mirror.apply(kThread, ev(12, EventKind::kTaskSpawn, kTask));
  mirror.apply(kThread, ev(13, EventKind::kWakerClone, kTask, kChannel));
  mirror.apply(kThread, ev(14, EventKind::kWakerClone, kTask, kChannel));
  mirror.apply(kOther, ev(15, EventKind::kWakerClone, kTask, kChannel));
  mirror.apply(kOther, ev(16, EventKind::kWakerDrop, kTask));
  mirror.apply(kOther,
               ev(17, EventKind::kWaitBegin, kMutex, 0, 202, static_cast<uint8_t>(WaitOp::kLock)));

  std::vector<Event> snapshot;
  mirror.snapshot(20, {}, snapshot);
  std::vector<uint64_t> depths;  // the recursive hold, one kAcquired per acquisition
  taskscope::model::Replayer reader;
  for (Event event : snapshot) {
    if (event.kind == EventKind::kAcquired && event.a == kMutex) depths.push_back(event.b);
    event.flags |= taskscope::format::kFlagSnapshot;
    reader.apply(event);
  }
  CHECK(depths == std::vector<uint64_t>{1, 2});

  const taskscope::model::State& state = reader.state();
  const taskscope::model::Resource* mutex = state.resources.find(kMutex);
  REQUIRE(mutex != nullptr);
  CHECK(mutex->owner == kThread);
  CHECK(mutex->owner_depth == 2);
  CHECK(mutex->waiters == 1);
  const taskscope::model::Resource* sem = state.resources.find(kSem);
  REQUIRE(sem != nullptr);
  CHECK(sem->units_available == 1);
  const taskscope::model::Endpoint* endpoint = state.endpoints.find(kEndpoint);
  REQUIRE(endpoint != nullptr);
  CHECK(endpoint->holder == kOther);
  CHECK(endpoint->strength == taskscope::model::EndpointStrength::kUsed);
  CHECK(endpoint->opener == kThread);
  CHECK(endpoint->handed_to == kOther);
  const taskscope::model::Agent* task = state.agents.find(kTask);
  REQUIRE(task != nullptr);
  CHECK(task->parent == kThread);
  CHECK(task->wakers == 2);
  REQUIRE(task->live_wakers.size() == 1);
  CHECK(task->live_wakers[0].cloner == kThread);
  const taskscope::model::Agent* waiter = state.agents.find(kOther);
  REQUIRE(waiter != nullptr);
  CHECK(waiter->waiting);
  CHECK(waiter->wait.resource == kMutex);
  CHECK(waiter->wait.location == 202);
  CHECK(waiter->wait.since_ns == 17);
  CHECK(waiter->parent == kThread);
}

TEST_CASE("snapshot: timed, I/O and sleep waits do not count as blocked", "[snapshot]") {
  StateMirror mirror;
  mirror.apply(1, ev(1, EventKind::kWaitBegin, 9, 0, 0, static_cast<uint8_t>(WaitOp::kCondWait),
                     taskscope::format::kFlagTimed));
  mirror.apply(2, ev(1, EventKind::kWaitBegin, 0, 3, 0, static_cast<uint8_t>(WaitOp::kIo)));
  mirror.apply(3, ev(1, EventKind::kWaitBegin, 0, 5, 0, static_cast<uint8_t>(WaitOp::kSleep)));
  CHECK(mirror.blocked_waits() == 0);
  mirror.apply(4, ev(1, EventKind::kWaitBegin, 7, 0, 0, static_cast<uint8_t>(WaitOp::kJoin)));
  CHECK(mirror.blocked_waits() == 1);
}

TEST_CASE("watchdog: fires once per stall, only while someone is blocked", "[snapshot]") {
  HangWatchdog off(0);
  CHECK_FALSE(off.observe(1'000'000'000, -1, 5));

  HangWatchdog watchdog(100);
  CHECK_FALSE(watchdog.observe(10, 10, 1));    // progress
  CHECK_FALSE(watchdog.observe(150, -1, 0));   // quiet, but nobody blocked
  CHECK(watchdog.observe(160, -1, 1));         // quiet for 150 with a blocked wait
  CHECK_FALSE(watchdog.observe(500, -1, 1));   // already fired for this stall
  CHECK_FALSE(watchdog.observe(510, 505, 1));  // progress re-arms
  CHECK_FALSE(watchdog.observe(600, -1, 1));
  CHECK(watchdog.observe(610, -1, 1));
}

TEST_CASE("watchdog: a program that computes without recording is not hung", "[snapshot]") {
  // Quiet for 150 with a blocked wait, but the program's threads used 50 of
  // CPU meanwhile (a lock holder computing): that re-arms the watchdog.
  HangWatchdog watchdog(100);
  CHECK_FALSE(watchdog.observe(10, 10, 1, 1000));
  CHECK_FALSE(watchdog.observe(160, -1, 1, 1050));
  // From then on the program stays off the CPU (under a quarter of a core).
  CHECK_FALSE(watchdog.observe(200, -1, 1, 1060));
  CHECK(watchdog.observe(265, -1, 1, 1070));
  // Unknown CPU time: only events count, as before.
  HangWatchdog blind(100);
  CHECK_FALSE(blind.observe(10, 10, 1, -1));
  CHECK(blind.observe(160, -1, 1, -1));
}
