// What a recorded process leaves behind when it crashes, hangs or just exits
// (child programs in tests/recorder/programs): a readable trace that says why
// it was written. Every child runs under a hard time limit.
#include <signal.h>

#include <map>

#include "core_trace.hpp"

using taskscope::format::Event;
using taskscope::format::EventKind;
using taskscope::test::read_trace;
using taskscope::test::run_child;
using taskscope::test::TempTrace;
using taskscope::test::Trace;

namespace {

constexpr auto kChildLimit = std::chrono::seconds(60);
// Sanitizer builds: the children deadlock and crash on purpose.
const std::vector<std::string> kChildEnv = {
    "TSAN_OPTIONS=detect_deadlocks=0 report_signal_unsafe=0 handle_segv=0 handle_abort=0",
    "ASAN_OPTIONS=handle_segv=0 handle_abort=0 detect_leaks=0"};

uint64_t marks_named(const Trace& trace, const std::string& name) {
  uint64_t count = 0;
  for (const Event& e : trace.live())
    if (e.kind == EventKind::kMark && trace.text(static_cast<uint32_t>(e.a)) == name) ++count;
  return count;
}

// The trace of a child that must have ended by itself, with status 0, and
// closed its trace with a footer.
Trace trace_of_clean_exit(const taskscope::test::ChildExit& child, const std::string& path) {
  REQUIRE(child.finished);
  CHECK(child.exited);
  CHECK(child.exit_status == 0);
  Trace trace = read_trace(path);
  CHECK(trace.status.clean());
  REQUIRE(trace.status.footer.has_value());
  CHECK(trace.status.footer->events == trace.status.events);
  return trace;
}

}  // namespace

TEST_CASE("crash: a child killed by a fatal signal leaves a readable trace", "[crash]") {
  const std::string mode = GENERATE(as<std::string>{}, "stream", "flight");
  const std::string how = GENERATE(as<std::string>{}, "segv", "abort");
  const int expected_signal = how == "segv" ? SIGSEGV : SIGABRT;
  INFO(mode << " " << how);
  TempTrace file("crash");
  const auto child =
      run_child({TASKSCOPE_CRASH_CHILD, file.path(), mode, how}, kChildEnv, kChildLimit);
  REQUIRE(child.finished);
  CHECK(child.signal == expected_signal);

  const Trace trace = read_trace(file.path());
  CHECK(trace.header.mode == mode);
  CHECK(trace.header.reason == "signal " + std::to_string(expected_signal));
  CHECK_FALSE(trace.status.truncated);
  CHECK(trace.status.damage.empty());
  CHECK_FALSE(trace.status.footer.has_value());
  CHECK(marks_named(trace, "before crash") == 1000);
  CHECK(marks_named(trace, "worker") == 100);
  bool named = false;
  for (const Event& e : trace.events)
    if (e.kind == EventKind::kResourceCreate && trace.text(e.str) == "crash_mutex") named = true;
  CHECK(named);
}

TEST_CASE("crash: events waiting in spill blocks reach the trace of a crash", "[crash]") {
  const std::string mode = GENERATE(as<std::string>{}, "stream", "flight");
  INFO(mode);
  TempTrace file("crash-spill");
  // The child holds its flusher, so its 1000 marks fill a 128-record ring and
  // go on into spill blocks; the crash path must drain both, in order.
  const auto child = run_child({TASKSCOPE_CRASH_CHILD, file.path(), mode, "segv", "spill"},
                               kChildEnv, kChildLimit);
  REQUIRE(child.finished);
  CHECK(child.signal == SIGSEGV);

  const Trace trace = read_trace(file.path());
  CHECK(trace.header.reason == "signal " + std::to_string(SIGSEGV));
  CHECK_FALSE(trace.status.truncated);
  CHECK(trace.status.damage.empty());
  CHECK(trace.status.dropped_events == 0);
  CHECK(marks_named(trace, "worker") == 100);
  int64_t next = 0;
  for (const Event& e : trace.live()) {
    if (e.kind != EventKind::kMark || trace.text(static_cast<uint32_t>(e.a)) != "before crash")
      continue;
    CHECK(static_cast<int64_t>(e.b) == next);
    ++next;
  }
  CHECK(next == 1000);
}

TEST_CASE("crash: a deadlocked child is dumped by the hang watchdog", "[crash]") {
  const std::string mode = GENERATE(as<std::string>{}, "stream", "flight");
  INFO(mode);
  TempTrace file("hang");
  const auto child = run_child({TASKSCOPE_HANG_CHILD, file.path(), mode}, kChildEnv, kChildLimit);
  REQUIRE(child.finished);  // the watchdog ended it, not our time limit
  CHECK(child.exited);
  CHECK(child.exit_status == 124);

  const Trace trace = read_trace(file.path());
  CHECK(trace.header.reason == "hang");
  CHECK(trace.header.hang_timeout_ns == 300'000'000);
  CHECK_FALSE(trace.status.truncated);
  CHECK(trace.status.damage.empty());
  // Both sides of the cycle: who holds what, who waits for what, with names.
  std::map<std::string, uint64_t> resource_by_name, agent_by_name;
  for (const Event& e : trace.events) {
    if (e.kind == EventKind::kResourceCreate) resource_by_name[trace.text(e.str)] = e.a;
    if (e.kind == EventKind::kThreadStart && e.str != 0) agent_by_name[trace.text(e.str)] = e.a;
    if (e.kind == EventKind::kAgentName) agent_by_name[trace.text(e.str)] = e.a;
  }
  REQUIRE(resource_by_name.count("account_a") == 1);
  REQUIRE(resource_by_name.count("account_b") == 1);
  REQUIRE(agent_by_name.count("transfer-1") == 1);
  REQUIRE(agent_by_name.count("transfer-2") == 1);
  const uint64_t a = resource_by_name["account_a"], b = resource_by_name["account_b"];
  const uint64_t t1 = agent_by_name["transfer-1"], t2 = agent_by_name["transfer-2"];
  auto seen = [&](uint64_t thread, EventKind kind, uint64_t resource) {
    for (const Event& e : trace.events)
      if (e.thread == thread && e.kind == kind && e.a == resource) return true;
    return false;
  };
  CHECK(seen(t1, EventKind::kAcquired, a));
  CHECK(seen(t1, EventKind::kWaitBegin, b));
  CHECK(seen(t2, EventKind::kAcquired, b));
  CHECK(seen(t2, EventKind::kWaitBegin, a));
}

TEST_CASE("crash: a child that returns from main without stop() has a complete trace", "[crash]") {
  const std::string mode = GENERATE(as<std::string>{}, "stream", "flight", "env");
  INFO(mode);
  TempTrace file("exit");
  std::vector<std::string> env = kChildEnv;
  if (mode == "env") {
    env.push_back("TASKSCOPE_OUTPUT=" + file.path());
    env.push_back("TASKSCOPE_MODE=stream");
  }
  const auto child =
      run_child({TASKSCOPE_EXIT_CHILD, mode == "env" ? "-" : file.path(), mode}, env, kChildLimit);
  const Trace trace = trace_of_clean_exit(child, file.path());
  if (mode == "flight") CHECK(trace.header.reason == "exit");
  CHECK(marks_named(trace, "worker") == 500);
  CHECK(marks_named(trace, "main") == 2000);
  CHECK(trace.of_kind(EventKind::kCounter).size() > 0);
}

TEST_CASE("crash: a child whose main thread leaves first ends with its last thread", "[crash]") {
  // The flusher must not keep the process alive after the program's threads
  // are gone: the child ends by itself, with status 0 and a complete trace.
#if defined(__SANITIZE_THREAD__)
  // ThreadSanitizer's own background thread keeps such a process alive
  // whether or not it records (glibc counts it as a thread of the program).
  WARN("not checked under ThreadSanitizer");
  return;
#endif
  const std::string mode = GENERATE(as<std::string>{}, "stream", "flight");
  INFO(mode);
  TempTrace file("main-first");
  const auto child = run_child({TASKSCOPE_EXIT_CHILD, file.path(), mode, "main-first"}, kChildEnv,
                               kChildLimit);
  const Trace trace = trace_of_clean_exit(child, file.path());
  CHECK(marks_named(trace, "worker") == 500);
  CHECK(marks_named(trace, "main") == 2000);
  // Both threads ended in the trace: main by its pthread key, the worker by its
  // thread_local hook.
  CHECK(trace.of_kind(EventKind::kThreadEnd).size() == 2);
}
