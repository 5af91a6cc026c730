// Every call of the low-level recording API (taskscope/events.hpp, implemented
// in recorder/src/hot_path/events.cpp and record.cpp) produces exactly the expected
// events, in order, with the right ids and names.
#include <pthread.h>

#include <set>
#include <thread>

#include "core_trace.hpp"
#include "taskscope/events.hpp"

using taskscope::format::Event;
using taskscope::format::EventKind;
using taskscope::test::read_trace;
using taskscope::test::stream_config;
using taskscope::test::TempTrace;
using taskscope::test::Trace;

namespace {

// An expected event: kind, op, flags, a, b and the text of `str`.
struct Expect {
  EventKind kind;
  uint8_t op;
  uint16_t flags;
  uint64_t a;
  uint64_t b;
  std::string str;
  bool cpu = false;  // carries a CPU reading (kFlagCpuTime), whatever its value
};

std::string show(const Expect& e) {
  return std::string(taskscope::format::kind_name(e.kind)) + " op=" + std::to_string(e.op) +
         " flags=" + std::to_string(e.flags) + " a=" + std::to_string(e.a) +
         " b=" + std::to_string(e.b) + " str='" + e.str + "'" + (e.cpu ? " cpu" : "");
}

// A poll's CPU readings (kFlagCpuTime, b) vary by run and are checked by
// poll_clock_test.cpp: here a PollBegin shows only that it has one. A PollEnd
// has one only when the poll lasted a millisecond, which a loaded machine
// decides: its reading is not shown.
std::vector<std::string> show(const Trace& trace, const std::vector<Event>& events) {
  using taskscope::format::kFlagCpuTime;
  using taskscope::format::kFlagLate;
  std::vector<std::string> out;
  for (const Event& e : events) {
    const bool cpu = (e.flags & kFlagCpuTime) &&
                     (e.kind == EventKind::kPollBegin || e.kind == EventKind::kPollEnd);
    out.push_back(show(Expect{e.kind, e.op,
                              static_cast<uint16_t>(e.flags & ~(kFlagLate | kFlagCpuTime)), e.a,
                              cpu ? 0 : e.b, trace.text(e.str),
                              cpu && e.kind == EventKind::kPollBegin}));
  }
  return out;
}

std::vector<std::string> show(const std::vector<Expect>& expected) {
  std::vector<std::string> out;
  for (const Expect& e : expected) out.push_back(show(e));
  return out;
}

template <class T>
uint8_t op(T value) {
  return static_cast<uint8_t>(value);
}

}  // namespace

TEST_CASE("events: each API call records its event with the right fields, in order", "[core]") {
  using namespace taskscope;
  TempTrace file("api");
  REQUIRE(start(stream_config(file.path())));

  // Everything on a fresh thread, so the thread's event list is exactly ours.
  AgentId me = 0, task = 0;
  ResourceId mutex_id = 0, cv_id = 0, channel_id = 0;
  EndpointId endpoint = 0;
  uint32_t span_line = 0;
  std::string task_location;
  std::thread worker([&] {
    // The thread's first event announces it with its OS name, set here so that
    // the expectation does not come from the trace under test.
    pthread_setname_np(pthread_self(), "api-os-name");
    me = current_thread_agent();
    set_thread_name("api-worker");
    mutex_id = new_resource_id();
    cv_id = new_resource_id();
    channel_id = new_resource_id();
    endpoint = new_endpoint_id();
    resource_created(mutex_id, ResourceKind::kMutex, "m", 0);
    resource_created(channel_id, ResourceKind::kChannel, "ch", 4);
    const auto here = std::source_location::current();
    task = task_spawned("fetch", here);
    task_location = std::string(here.file_name()) + ":" + std::to_string(here.line());
    {
      PollScope poll(task);
      CHECK(current_agent() == task);
      CHECK(current_thread_agent() == me);
      waker_cloned(task, channel_id);
      wait_begin(cv_id, WaitOp::kCondWait, mutex_id, /*timed=*/true);
      wait_end(cv_id, WaitOutcome::kTimedOut);
      poll.set_pending();
    }
    CHECK(current_agent() == me);
    woke(task);
    waker_dropped(task);
    acquired(mutex_id);
    released(mutex_id);
    acquired(mutex_id, LockMode::kShared, 3);
    sem_posted(mutex_id, 2);
    notified(cv_id, NotifyKind::kAll, 5);
    endpoint_opened(endpoint, channel_id, EndpointSide::kReceiver);
    endpoint_used(endpoint, EndpointSide::kReceiver);
    endpoint_handed(endpoint, task);
    channel_sent(channel_id, 1);
    channel_received(channel_id, 0);
    channel_closed(channel_id);
    endpoint_closed(endpoint);
    io_wait_begin(7);
    io_wait_end();
    sleep_begin(1000);
    sleep_end();
    {
      span_line = std::source_location::current().line() + 1;
      Span span("handle", "GET /x");
      mark("checkpoint", -3);
    }
    counter("queue", 42);
    memory_delta(-64);
    name_agent(task, "fetch-renamed");
    task_ended(task, TaskEndReason::kCancelled);
    resource_destroyed(mutex_id);
  });
  worker.join();
  stop();

  const Trace trace = read_trace(file.path());
  CHECK(trace.status.clean());
  REQUIRE(trace.status.footer.has_value());
  const std::vector<Expect> expected = {
      {EventKind::kThreadStart, 0, 0, me, 0, "api-os-name"},
      {EventKind::kAgentName, 0, 0, me, 0, "api-worker"},
      {EventKind::kResourceCreate, op(ResourceKind::kMutex), 0, mutex_id, 0, "m"},
      {EventKind::kResourceCreate, op(ResourceKind::kChannel), 0, channel_id, 4, "ch"},
      {EventKind::kTaskSpawn, 0, 0, task, trace.of_kind(EventKind::kTaskSpawn).at(0).b,
       trace.text(trace.of_kind(EventKind::kTaskSpawn).at(0).str)},
      {EventKind::kPollBegin, 0, 0, task, 0, "", /*cpu=*/true},
      {EventKind::kWakerClone, 0, 0, task, channel_id, ""},
      {EventKind::kWaitBegin, op(WaitOp::kCondWait), format::kFlagTimed, cv_id, mutex_id, ""},
      {EventKind::kWaitEnd, op(WaitOutcome::kTimedOut), 0, cv_id, 0, ""},
      {EventKind::kPollEnd, op(PollResult::kPending), 0, task, 0, ""},
      {EventKind::kWake, 0, 0, task, 0, ""},
      {EventKind::kWakerDrop, 0, 0, task, 0, ""},
      {EventKind::kAcquired, op(LockMode::kExclusive), 0, mutex_id, 0, ""},
      {EventKind::kReleased, op(LockMode::kExclusive), 0, mutex_id, 0, ""},
      {EventKind::kAcquired, op(LockMode::kShared), 0, mutex_id, 3, ""},
      {EventKind::kSemPost, 0, 0, mutex_id, 2, ""},
      {EventKind::kNotify, op(NotifyKind::kAll), 0, cv_id, 5, ""},
      {EventKind::kEndpointOpen, op(EndpointSide::kReceiver), 0, endpoint, channel_id, ""},
      {EventKind::kEndpointUse, op(EndpointSide::kReceiver), 0, endpoint, 0, ""},
      {EventKind::kEndpointHand, 0, 0, endpoint, task, ""},
      {EventKind::kChannelSend, 0, 0, channel_id, 1, ""},
      {EventKind::kChannelRecv, 0, 0, channel_id, 0, ""},
      {EventKind::kChannelClose, 0, 0, channel_id, 0, ""},
      {EventKind::kEndpointClose, 0, 0, endpoint, 0, ""},
      {EventKind::kWaitBegin, op(WaitOp::kIo), format::io_op_flags(format::IoOp::kRead), 0, 7, ""},
      {EventKind::kWaitEnd, op(WaitOutcome::kCompleted), 0, 0, 0, ""},
      {EventKind::kWaitBegin, op(WaitOp::kSleep), format::kFlagTimed, 0, 1000, ""},
      {EventKind::kWaitEnd, op(WaitOutcome::kCompleted), 0, 0, 0, ""},
      {EventKind::kSpanEnter, 0, 0, trace.of_kind(EventKind::kSpanEnter).at(0).a,
       trace.of_kind(EventKind::kSpanEnter).at(0).b,
       trace.text(trace.of_kind(EventKind::kSpanEnter).at(0).str)},
      {EventKind::kMark, 0, 0, trace.of_kind(EventKind::kMark).at(0).a, static_cast<uint64_t>(-3),
       ""},
      {EventKind::kSpanExit, 0, 0, trace.of_kind(EventKind::kSpanEnter).at(0).a, 0, ""},
      {EventKind::kCounter, 0, 0, trace.of_kind(EventKind::kCounter).at(0).a, 42, ""},
      {EventKind::kMemory, 0, 0, 0, static_cast<uint64_t>(-64), ""},
      {EventKind::kAgentName, 0, 0, task, 0, "fetch-renamed"},
      {EventKind::kTaskEnd, op(TaskEndReason::kCancelled), 0, task, 0, ""},
      {EventKind::kResourceDestroy, 0, 0, mutex_id, 0, ""},
      {EventKind::kThreadEnd, 0, 0, me, 0, ""},
  };
  CHECK(show(trace, trace.of_thread(me)) == show(expected));

  // Names and locations behind the ids.
  const Event spawn = trace.of_kind(EventKind::kTaskSpawn).at(0);
  CHECK(trace.text(static_cast<uint32_t>(spawn.b)) == "fetch");
  CHECK(trace.text(spawn.str).rfind(task_location, 0) == 0);
  const Event span = trace.of_kind(EventKind::kSpanEnter).at(0);
  CHECK(trace.text(static_cast<uint32_t>(span.a)) == "handle");
  CHECK(trace.text(static_cast<uint32_t>(span.b)) == "GET /x");
  CHECK(trace.text(span.str).find(":" + std::to_string(span_line)) != std::string::npos);
  CHECK(trace.text(static_cast<uint32_t>(trace.of_kind(EventKind::kMark).at(0).a)) == "checkpoint");
  CHECK(trace.text(static_cast<uint32_t>(trace.of_kind(EventKind::kCounter).at(0).a)) == "queue");
  // Times never go backwards within a thread.
  int64_t last = 0;
  for (const Event& e : trace.of_thread(me)) {
    CHECK(e.ts_ns >= last);
    last = e.ts_ns;
  }
}

TEST_CASE("events: a thread's first event announces it with its OS name", "[core]") {
  using namespace taskscope;
  TempTrace file("announce");
  REQUIRE(start(stream_config(file.path())));
  AgentId agent = 0;
  std::thread worker([&] {
    pthread_setname_np(pthread_self(), "os-named");
    mark("hello");
    agent = current_thread_agent();
  });
  worker.join();
  stop();
  const Trace trace = read_trace(file.path());
  const auto events = trace.of_thread(agent);
  REQUIRE(events.size() == 3);
  CHECK(events[0].kind == EventKind::kThreadStart);
  CHECK(events[0].a == agent);
  CHECK(events[0].b == 0);
  CHECK(trace.text(events[0].str) == "os-named");
  CHECK(events[1].kind == EventKind::kMark);
  CHECK(events[2].kind == EventKind::kThreadEnd);
}

TEST_CASE("events: adopt_thread_agent binds a preassigned id with parent and name", "[core]") {
  using namespace taskscope;
  TempTrace file("adopt");
  REQUIRE(start(stream_config(file.path())));
  const AgentId parent = current_thread_agent();
  const AgentId child = new_agent_id();
  AgentId seen = 0, rebound = 0, before = 0;
  std::thread fresh([&] {
    adopt_thread_agent(child, parent, "adopted");
    seen = current_thread_agent();
    mark("in child");
  });
  fresh.join();
  // A thread that already recorded under its own id: the old agent ends and
  // later events belong to the adopted one.
  const AgentId late = new_agent_id();
  std::thread used([&] {
    mark("before");
    before = current_thread_agent();
    adopt_thread_agent(late, parent, "late");
    rebound = current_thread_agent();
    mark("after");
  });
  used.join();
  stop();

  CHECK(seen == child);
  CHECK(rebound == late);
  const Trace trace = read_trace(file.path());
  const auto events = trace.of_thread(child);
  REQUIRE(events.size() == 3);
  CHECK(events[0].kind == EventKind::kThreadStart);
  CHECK(events[0].a == child);
  CHECK(events[0].b == parent);
  CHECK(trace.text(events[0].str) == "adopted");
  CHECK(events[1].kind == EventKind::kMark);
  CHECK(events[2].kind == EventKind::kThreadEnd);

  const auto old_events = trace.of_thread(before);
  REQUIRE(old_events.size() == 3);
  CHECK(old_events[1].kind == EventKind::kMark);
  CHECK(old_events[2].kind == EventKind::kThreadEnd);
  CHECK(old_events[2].a == before);
  const auto new_events = trace.of_thread(late);
  REQUIRE(new_events.size() == 3);
  CHECK(new_events[0].kind == EventKind::kThreadStart);
  CHECK(new_events[0].b == parent);
  CHECK(trace.text(new_events[0].str) == "late");
  CHECK(new_events[1].kind == EventKind::kMark);
  CHECK(trace.text(static_cast<uint32_t>(new_events[1].a)) == "after");
  CHECK(new_events[2].kind == EventKind::kThreadEnd);
}

TEST_CASE("events: ids are unique per space and strings are interned once", "[core]") {
  using namespace taskscope;
  std::vector<AgentId> agents(4000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) agents[static_cast<size_t>(t * 1000 + i)] = new_agent_id();
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(std::set<AgentId>(agents.begin(), agents.end()).size() == agents.size());
  CHECK(std::find(agents.begin(), agents.end(), 0u) == agents.end());
  CHECK(new_resource_id() != 0);
  CHECK(new_endpoint_id() != 0);

  CHECK(intern("") == 0);
  const StringId a = intern("same text");
  StringId from_thread = 0;
  std::thread([&] { from_thread = intern("same text"); }).join();
  CHECK(a != 0);
  CHECK(a == from_thread);
  CHECK(intern("other text") != a);

  const auto site = std::source_location::current();
  const StringId loc1 = intern_location(site);
  const StringId loc2 = intern_location(site);
  CHECK(loc1 == loc2);
  CHECK(intern_location(std::source_location::current()) != loc1);
  StringId loc_thread = 0;
  std::thread([&] { loc_thread = intern_location(site); }).join();
  CHECK(loc_thread == loc1);

  int anchor = 0;
  const StringId pc1 = intern_pc(&anchor);
  CHECK(pc1 == intern_pc(&anchor));
  CHECK(pc1 != intern_pc(&anchor + 1));
}

TEST_CASE("events: nothing is recorded without a session", "[core]") {
  using namespace taskscope;
  CHECK_FALSE(is_recording());
  CHECK_FALSE(recording());
  mark("ignored");
  const AgentId task = task_spawned("no session");
  CHECK(task != 0);
  { PollScope poll(task); }
  { Span span("ignored"); }
  CHECK(current_agent() == current_thread_agent());
  CHECK_FALSE(dump());
  stop();  // idempotent without a session

  TempTrace file("off");
  REQUIRE(start(stream_config(file.path())));
  CHECK(is_recording());
  Config again = stream_config(file.path() + ".second");
  CHECK_FALSE(start(again));  // one session at a time
  stop();
  stop();
  CHECK_FALSE(is_recording());
  const Trace trace = read_trace(file.path());
  CHECK(trace.of_kind(EventKind::kMark).empty());
  CHECK(trace.of_kind(EventKind::kTaskSpawn).empty());
}

TEST_CASE("events: a stream trace starts with the module map", "[core]") {
  using namespace taskscope;
  TempTrace file("modules");
  REQUIRE(start(stream_config(file.path())));
  stop();
  const Trace trace = read_trace(file.path());
  const auto modules = trace.of_kind(EventKind::kModuleMap);
  REQUIRE_FALSE(modules.empty());
  bool found_recorder = false;
  for (const Event& module : modules) {
    CHECK(module.b > 0);
    if (trace.text(module.str).find("libtaskscope_recorder") != std::string::npos) {
      found_recorder = true;
      // The library's own code lies inside the range it announces.
      const auto pc = reinterpret_cast<uint64_t>(&taskscope::mark);
      CHECK(pc >= module.a);
      CHECK(pc < module.a + module.b);
    }
  }
  CHECK(found_recorder);
  CHECK(trace.header.mode == "stream");
  CHECK(trace.header.pid == static_cast<uint32_t>(::getpid()));
  CHECK(trace.header.ticks_per_ns > 0);
}

TEST_CASE("events: a thread that existed before the session is announced in it", "[core]") {
  using namespace taskscope;
  std::atomic<int> phase{0};
  AgentId agent = 0;
  std::thread early([&] {
    agent = current_thread_agent();  // context created while no session runs
    phase.store(1);
    while (phase.load() != 2) std::this_thread::yield();
    mark("in session");
    phase.store(3);
    while (phase.load() != 4) std::this_thread::yield();
  });
  while (phase.load() != 1) std::this_thread::yield();
  TempTrace file("pre-existing");
  REQUIRE(start(stream_config(file.path())));
  phase.store(2);
  while (phase.load() != 3) std::this_thread::yield();
  stop();
  phase.store(4);
  early.join();

  const Trace trace = read_trace(file.path());
  const auto events = trace.of_thread(agent);
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == EventKind::kThreadStart);
  CHECK(events[0].a == agent);
  CHECK(events[1].kind == EventKind::kMark);
}
