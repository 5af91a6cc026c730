// Session life (recorder/src/process/session.cpp, flusher.cpp, process_hooks.cpp,
// config.cpp): nothing written is lost at thread exit or at stop(), even while
// other threads are blocked forever; sessions follow each other; fork() keeps
// the child away from the parent's file; configuration from the environment.
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <mutex>
#include <thread>

#include "core_trace.hpp"
#include "taskscope/events.hpp"

using taskscope::format::Event;
using taskscope::format::EventKind;
using taskscope::test::finishes_within;
using taskscope::test::read_trace;
using taskscope::test::stream_config;
using taskscope::test::TempTrace;
using taskscope::test::Trace;

namespace {

uint64_t count_marks(const Trace& trace, uint64_t thread) {
  uint64_t marks = 0;
  for (const Event& e : trace.of_thread(thread)) marks += e.kind == EventKind::kMark;
  return marks;
}

}  // namespace

TEST_CASE("session: threads that exit before stop lose nothing", "[session]") {
  using namespace taskscope;
  TempTrace file("thread-exit");
  REQUIRE(start(stream_config(file.path())));
  constexpr int kThreads = 6;
  constexpr uint64_t kMarks = 3000;
  std::vector<AgentId> agents(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      agents[static_cast<size_t>(t)] = current_thread_agent();
      for (uint64_t i = 0; i < kMarks; ++i) mark("exit-test", static_cast<int64_t>(i));
    });
  }
  for (auto& thread : threads) thread.join();
  stop();
  const Trace trace = read_trace(file.path());
  CHECK(trace.status.clean());
  CHECK(trace.status.dropped_events == 0);
  for (AgentId agent : agents) {
    const auto events = trace.of_thread(agent);
    REQUIRE(events.size() == kMarks + 2);
    CHECK(events.front().kind == EventKind::kThreadStart);
    CHECK(events.back().kind == EventKind::kThreadEnd);
    CHECK(count_marks(trace, agent) == kMarks);
  }
  REQUIRE(trace.status.footer.has_value());
  CHECK(trace.status.footer->events == trace.status.events);
  CHECK(session_stats().events == trace.status.events);
  CHECK(session_stats().dropped == 0);
}

TEST_CASE("session: stop() returns while other threads are blocked forever", "[session]") {
  using namespace taskscope;
  TempTrace file("deadlocked");
  REQUIRE(start(stream_config(file.path())));
  // Two threads in an ABBA cycle as far as the trace is concerned; really they
  // block on a gate only this test can open, so they can be joined afterwards.
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  std::mutex real_lock;  // held by one of them for real, as a stuck program would
  const ResourceId m1 = new_resource_id(), m2 = new_resource_id();
  resource_created(m1, ResourceKind::kMutex, "m1");
  resource_created(m2, ResourceKind::kMutex, "m2");
  std::atomic<int> blocked{0};
  AgentId a1 = 0, a2 = 0;
  std::thread t1([&] {
    a1 = current_thread_agent();
    std::lock_guard<std::mutex> hold(real_lock);
    acquired(m1);
    wait_begin(m2, WaitOp::kLock);
    blocked.fetch_add(1);
    opened.wait();
  });
  std::thread t2([&] {
    a2 = current_thread_agent();
    acquired(m2);
    wait_begin(m1, WaitOp::kLock);
    blocked.fetch_add(1);
    opened.wait();
  });
  while (blocked.load() != 2) std::this_thread::yield();
  for (int i = 0; i < 100; ++i) mark("last words", i);

  const bool stopped = finishes_within(std::chrono::seconds(60), [] { stop(); });
  gate.set_value();
  t1.join();
  t2.join();
  REQUIRE(stopped);

  const Trace trace = read_trace(file.path());
  CHECK(trace.status.clean());
  REQUIRE(trace.status.footer.has_value());
  CHECK(count_marks(trace, current_thread_agent()) == 100);
  auto has = [&](AgentId thread, EventKind kind, uint64_t a) {
    for (const Event& e : trace.of_thread(thread))
      if (e.kind == kind && e.a == a) return true;
    return false;
  };
  CHECK(has(a1, EventKind::kAcquired, m1));
  CHECK(has(a1, EventKind::kWaitBegin, m2));
  CHECK(has(a2, EventKind::kAcquired, m2));
  CHECK(has(a2, EventKind::kWaitBegin, m1));
}

TEST_CASE("session: consecutive sessions each get a complete trace", "[session]") {
  using namespace taskscope;
  std::atomic<int> step{0};
  AgentId worker_agent = 0;
  std::thread worker([&] {
    worker_agent = current_thread_agent();
    for (int round = 0; round < 3; ++round) {
      while (step.load() != 2 * round + 1) std::this_thread::yield();
      mark("round", round);
      step.store(2 * round + 2);
    }
    // Stay alive until the last session is over: a kThreadEnd is not part of
    // what this test expects.
    while (step.load() != 7) std::this_thread::yield();
  });
  struct Release {
    std::atomic<int>& step;
    std::thread& worker;
    ~Release() {
      step.store(7);
      worker.join();
    }
  } release{step, worker};
  for (int round = 0; round < 3; ++round) {
    TempTrace file("sequence");
    REQUIRE(start(stream_config(file.path())));
    mark("main round", round);
    step.store(2 * round + 1);
    while (step.load() != 2 * round + 2) std::this_thread::yield();
    stop();
    const Trace trace = read_trace(file.path());
    CHECK(trace.status.clean());
    const auto events = trace.of_thread(worker_agent);
    REQUIRE(events.size() == 2);
    CHECK(events[0].kind == EventKind::kThreadStart);
    CHECK(events[1].kind == EventKind::kMark);
    CHECK(events[1].b == static_cast<uint64_t>(round));
    // Nothing from an earlier session leaks into this one.
    CHECK(trace.of_kind(EventKind::kMark).size() == 2);
  }
}

TEST_CASE("session: start() fails cleanly when the output cannot be written", "[session]") {
  using namespace taskscope;
  Config config;
  config.output = "/nonexistent-directory/trace.tscope";
  CHECK_FALSE(start(config));
  CHECK_FALSE(is_recording());
  TempTrace file("after-failure");
  REQUIRE(start(stream_config(file.path())));
  stop();
}

TEST_CASE("session: a forked child does not record into the parent's file", "[session]") {
  using namespace taskscope;
  TempTrace file("fork");
  REQUIRE(start(stream_config(file.path())));
  mark("before fork");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Recording is off in the child; events go nowhere.
    mark("in child");
    const int status = is_recording() ? 1 : 0;
    ::_exit(status);
  }
  int status = -1;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  mark("after fork");
  stop();
  const Trace trace = read_trace(file.path());
  CHECK(trace.status.clean());
  REQUIRE(trace.status.footer.has_value());
  std::vector<std::string> marks;
  for (const Event& e : trace.of_kind(EventKind::kMark))
    marks.push_back(trace.text(static_cast<uint32_t>(e.a)));
  CHECK(marks == std::vector<std::string>{"before fork", "after fork"});
}

TEST_CASE("session: configuration from TASKSCOPE_* variables", "[session]") {
  using namespace taskscope;
  struct Restore {
    ~Restore() {
      for (const char* name : {"TASKSCOPE_OUTPUT", "TASKSCOPE_MODE", "TASKSCOPE_BUFFER",
                               "TASKSCOPE_RING", "TASKSCOPE_HANG_TIMEOUT",
                               "TASKSCOPE_ABORT_ON_HANG", "TASKSCOPE_SIGNAL", "TASKSCOPE_LOSSLESS"})
        ::unsetenv(name);
    }
  } restore;
  ::setenv("TASKSCOPE_OUTPUT", "/tmp/x.tscope", 1);
  ::setenv("TASKSCOPE_MODE", "flight", 1);
  ::setenv("TASKSCOPE_BUFFER", "16M", 1);
  ::setenv("TASKSCOPE_RING", "256KiB", 1);
  ::setenv("TASKSCOPE_HANG_TIMEOUT", "1.5s", 1);
  ::setenv("TASKSCOPE_ABORT_ON_HANG", "1", 1);
  ::setenv("TASKSCOPE_SIGNAL", "10", 1);
  ::setenv("TASKSCOPE_LOSSLESS", "true", 1);
  Config config = config_from_environment();
  CHECK(config.output == "/tmp/x.tscope");
  CHECK(config.mode == Mode::kFlight);
  CHECK(config.flight_bytes == 16u << 20);
  CHECK(config.ring_bytes == 256u << 10);
  CHECK(config.hang_timeout_ms == 1500);
  CHECK(config.abort_on_hang);
  CHECK(config.dump_signal == 10);
  CHECK(config.lossless);

  ::setenv("TASKSCOPE_HANG_TIMEOUT", "250", 1);  // bare number: milliseconds
  CHECK(config_from_environment().hang_timeout_ms == 250);
  ::setenv("TASKSCOPE_HANG_TIMEOUT", "2m", 1);
  CHECK(config_from_environment().hang_timeout_ms == 120000);

  // Invalid values leave the base untouched.
  Config base;
  base.flight_bytes = 123;
  base.mode = Mode::kStream;
  ::setenv("TASKSCOPE_BUFFER", "lots", 1);
  ::setenv("TASKSCOPE_MODE", "sideways", 1);
  ::setenv("TASKSCOPE_HANG_TIMEOUT", "soon", 1);
  const Config kept = config_from_environment(base);
  CHECK(kept.flight_bytes == 123);
  CHECK(kept.mode == Mode::kStream);
  CHECK(kept.hang_timeout_ms == 0);
}
