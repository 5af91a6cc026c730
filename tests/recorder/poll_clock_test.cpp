// A poll's CPU readings (PollBegin/PollEnd with kFlagCpuTime, events.cpp): the
// begin reading never falls short of the thread's CPU clock at the poll's start,
// the end reading never exceeds it at the poll's end, so their difference is a
// lower bound of the CPU the poll used. The test reads the thread's CPU clock
// itself around the poll: the expectations come from outside the recorder.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core_trace.hpp"
#include "taskscope/events.hpp"

using taskscope::format::Event;
using taskscope::format::EventKind;
using taskscope::format::kFlagCpuTime;
using taskscope::test::read_trace;
using taskscope::test::stream_config;
using taskscope::test::TempTrace;

namespace {

uint64_t thread_cpu_now() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
}

// Spins until the thread has used `ns` of CPU (however long that takes on the
// wall clock).
void burn_cpu(uint64_t ns) {
  const uint64_t until = thread_cpu_now() + ns;
  volatile uint64_t sink = 0;
  while (thread_cpu_now() < until)
    for (int i = 0; i < 1000; ++i) sink = sink + static_cast<uint64_t>(i);
}

struct Readings {
  uint64_t cpu_before = 0, cpu_after = 0;
  Event begin, end;
};

// Polls one task on a fresh thread; `body` runs inside the poll.
template <class Body>
Readings poll_once(const std::string& name, Body body) {
  using namespace taskscope;
  TempTrace file(name);
  REQUIRE(start(stream_config(file.path())));
  Readings r;
  AgentId me = 0, task = 0;
  std::thread worker([&] {
    me = current_thread_agent();
    task = task_spawned("work");
    r.cpu_before = thread_cpu_now();
    {
      PollScope poll(task);
      body();
    }
    r.cpu_after = thread_cpu_now();
  });
  worker.join();
  stop();
  const auto trace = read_trace(file.path());
  const auto begins = trace.of_kind(EventKind::kPollBegin);
  const auto ends = trace.of_kind(EventKind::kPollEnd);
  REQUIRE(begins.size() == 1);
  REQUIRE(ends.size() == 1);
  CHECK(begins[0].thread == me);
  CHECK(begins[0].a == task);
  r.begin = begins[0];
  r.end = ends[0];
  return r;
}

}  // namespace

TEST_CASE("poll clock: a poll that burns 20 ms of CPU carries readings that bound it",
          "[core]") {
  constexpr uint64_t kBurn = 20'000'000;
  const Readings r = poll_once("poll-cpu", [] { burn_cpu(kBurn); });
  REQUIRE((r.begin.flags & kFlagCpuTime) != 0);
  // 20 ms of CPU take at least 20 ms of wall time: the end is probed.
  REQUIRE((r.end.flags & kFlagCpuTime) != 0);
  CHECK(r.begin.b >= r.cpu_before);
  CHECK(r.end.b <= r.cpu_after);
  CHECK(r.end.b >= r.begin.b + kBurn - 1'000'000);  // at most one probe interval short
}

TEST_CASE("poll clock: a poll that sleeps uses almost no CPU by its readings", "[core]") {
  // Sleeping is the recorder-blind stand-in for being descheduled: 20 ms pass
  // on the wall clock, almost none on the thread's CPU clock.
  const Readings r =
      poll_once("poll-sleep", [] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); });
  REQUIRE((r.begin.flags & kFlagCpuTime) != 0);
  REQUIRE((r.end.flags & kFlagCpuTime) != 0);
  CHECK(r.end.ts_ns - r.begin.ts_ns >= 20'000'000);
  CHECK(r.begin.b >= r.cpu_before);
  CHECK(r.end.b <= r.cpu_after);
  // CPU time, not wall time: a sleeping thread uses microseconds, whatever the load.
  CHECK(r.end.b - std::min(r.end.b, r.begin.b) < 5'000'000);
}
