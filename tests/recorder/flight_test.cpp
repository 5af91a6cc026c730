// Flight-recorder mode (recorder/src/output/flight_buffer.cpp, snapshot.cpp,
// flusher.cpp, signals.cpp): the window keeps only the last N bytes, every
// dump starts with a snapshot that resolves everything the window refers to,
// and dumps happen on request, on the dump signal and at stop.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "core_trace.hpp"
#include "taskscope/events.hpp"

using taskscope::format::Event;
using taskscope::format::EventKind;
using taskscope::test::read_trace;
using taskscope::test::TempTrace;
using taskscope::test::Trace;
using taskscope::test::wait_for_file;

namespace {

taskscope::Config flight_config(const std::string& path, uint64_t window) {
  taskscope::Config config;
  config.output = path;
  config.mode = taskscope::Mode::kFlight;
  config.flight_bytes = window;
  config.flush_interval_ms = 5;
  return config;
}

// Marks with values that do not compress, so the window fills quickly.
void flood(uint64_t count, uint64_t first_value) {
  std::mt19937_64 random(first_value);
  for (uint64_t i = 0; i < count; ++i) {
    taskscope::counter("noise", static_cast<int64_t>(random()));
    taskscope::mark("seq", static_cast<int64_t>(first_value + i));
  }
}

}  // namespace

TEST_CASE("flight: the window keeps only the last N bytes", "[flight]") {
  using namespace taskscope;
  TempTrace file("window");
  constexpr uint64_t kWindow = 256 << 10;
  Config config = flight_config(file.path(), kWindow);
  config.lossless = true;  // every event reaches the flusher: the window alone decides
  // The ring alone: each round (one generation at most) then holds no more
  // than a ring (with spill blocks, up to twice that), and the newest
  // generation is kept even when it alone exceeds the window.
  config.spill_bytes = 0;
  REQUIRE(start(config));
  constexpr uint64_t kMarks = 300000;
  flood(kMarks, 0);
  stop();

  const auto size = std::filesystem::file_size(file.path());
  const Trace trace = read_trace(file.path());
  CHECK(trace.status.clean());
  CHECK(trace.header.mode == "flight");
  CHECK(trace.header.reason == "stop");
  CHECK(trace.header.buffer_bytes == kWindow);
  // Header, strings and footer are small; the rest is at most the window.
  CHECK(size <= kWindow + 16 * 1024);
  CHECK(session_stats().bytes > 4 * kWindow);  // far more was produced than kept
  std::vector<uint64_t> seq;
  for (const Event& e : trace.live())
    if (e.kind == EventKind::kMark) seq.push_back(e.b);
  REQUIRE_FALSE(seq.empty());
  CHECK(seq.front() > 0);           // the beginning was dropped...
  CHECK(seq.back() == kMarks - 1);  // ...the end is there...
  for (size_t i = 1; i < seq.size(); ++i) {
    if (seq[i] != seq[i - 1] + 1) FAIL("gap after " << seq[i - 1]);  // ...without holes
  }
  REQUIRE(trace.status.footer.has_value());
  CHECK(trace.status.footer->events == trace.status.events);
  CHECK_FALSE(trace.snapshot().empty());
}

TEST_CASE("flight: a dump starting mid-run resolves every name from its snapshot", "[flight]") {
  using namespace taskscope;
  TempTrace file("midrun");
  TempTrace dumped("midrun-dump");
  Config config = flight_config(file.path(), 128 << 10);
  config.lossless = true;
  REQUIRE(start(config));

  // Early state, named once, long before the window.
  const ResourceId held = new_resource_id(), contended = new_resource_id();
  const ResourceId channel = new_resource_id(), semaphore = new_resource_id();
  const EndpointId sender = new_endpoint_id(), receiver = new_endpoint_id();
  resource_created(held, ResourceKind::kMutex, "early_held_mutex");
  resource_created(contended, ResourceKind::kMutex, "early_contended_mutex");
  resource_created(channel, ResourceKind::kChannel, "early_channel", 16);
  resource_created(semaphore, ResourceKind::kSemaphore, "early_semaphore", 5);
  endpoint_opened(sender, channel, EndpointSide::kSender);
  endpoint_opened(receiver, channel, EndpointSide::kReceiver);
  channel_sent(channel, 1);
  channel_sent(channel, 2);
  acquired(semaphore, LockMode::kExclusive, 2);
  const AgentId task = task_spawned("early_task");
  waker_cloned(task, channel);
  const AgentId main_agent = current_thread_agent();
  acquired(held);

  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  std::atomic<bool> waiting{false};
  AgentId waiter = 0;
  std::thread blocked([&] {
    set_thread_name("early_waiter");
    waiter = current_thread_agent();
    endpoint_used(receiver, EndpointSide::kReceiver);
    {
      PollScope poll(task);
      Span span("early_span");
      wait_begin(contended, WaitOp::kLock);
      waiting.store(true);
      opened.wait();
      wait_end(contended, WaitOutcome::kAcquired);
    }
  });
  while (!waiting.load()) std::this_thread::yield();

  // Push the early events out of the window, then use the early objects again.
  flood(200000, 0);
  acquired(contended, LockMode::kShared);
  channel_received(channel, 1);
  REQUIRE(dump(dumped.path()));
  gate.set_value();
  blocked.join();
  stop();

  const Trace trace = read_trace(dumped.path());
  CHECK(trace.status.clean());
  CHECK(trace.header.reason == "dump");
  // The window really starts mid-run: the early creations are not live events.
  for (const Event& e : trace.live()) {
    if (e.kind == EventKind::kResourceCreate) CHECK(e.a != held);
    if (e.kind == EventKind::kMark) CHECK(e.b > 0);
  }
  const auto snapshot = trace.snapshot();
  REQUIRE_FALSE(snapshot.empty());
  auto find = [&](EventKind kind, uint64_t a) -> const Event* {
    for (const Event& e : snapshot)
      if (e.kind == kind && e.a == a) return &e;
    return nullptr;
  };
  // Names of resources, threads and tasks.
  const Event* create = find(EventKind::kResourceCreate, held);
  REQUIRE(create != nullptr);
  CHECK(trace.text(create->str) == "early_held_mutex");
  REQUIRE(find(EventKind::kResourceCreate, contended) != nullptr);
  const Event* channel_create = find(EventKind::kResourceCreate, channel);
  REQUIRE(channel_create != nullptr);
  CHECK(channel_create->b == 16);
  CHECK(trace.text(channel_create->str) == "early_channel");
  const Event* semaphore_create = find(EventKind::kResourceCreate, semaphore);
  REQUIRE(semaphore_create != nullptr);
  CHECK(semaphore_create->b == 3);  // 5 units, 2 taken
  const Event* waiter_start = find(EventKind::kThreadStart, waiter);
  REQUIRE(waiter_start != nullptr);
  CHECK(trace.text(waiter_start->str) == "early_waiter");
  const Event* spawn = find(EventKind::kTaskSpawn, task);
  REQUIRE(spawn != nullptr);
  CHECK(trace.text(static_cast<uint32_t>(spawn->b)) == "early_task");
  CHECK(spawn->thread == main_agent);
  // Held lock, wait in progress, poll, span, channel depth, endpoints, waker.
  const Event* hold = find(EventKind::kAcquired, held);
  REQUIRE(hold != nullptr);
  CHECK(hold->thread == main_agent);
  const Event* wait = find(EventKind::kWaitBegin, contended);
  REQUIRE(wait != nullptr);
  CHECK(wait->thread == task);  // the acting agent: the task being polled
  const Event* poll = find(EventKind::kPollBegin, task);
  REQUIRE(poll != nullptr);
  CHECK(poll->thread == waiter);
  CHECK(find(EventKind::kSpanEnter, intern("early_span")) != nullptr);
  const Event* depth = find(EventKind::kChannelSend, channel);
  REQUIRE(depth != nullptr);
  CHECK(depth->b == 2);
  REQUIRE(find(EventKind::kEndpointOpen, sender) != nullptr);
  const Event* use = find(EventKind::kEndpointUse, receiver);
  REQUIRE(use != nullptr);
  CHECK(use->thread == waiter);
  const Event* waker = find(EventKind::kWakerClone, task);
  REQUIRE(waker != nullptr);
  CHECK(waker->b == channel);
  const auto modules = std::count_if(snapshot.begin(), snapshot.end(), [](const Event& e) {
    return e.kind == EventKind::kModuleMap && e.b > 0 && e.str != 0;
  });
  CHECK(modules > 0);

  // Every id the window mentions is known, and every string resolves.
  std::set<uint64_t> resources, agents;
  for (const Event& e : trace.events) {
    if (e.kind == EventKind::kResourceCreate) resources.insert(e.a);
    if (e.kind == EventKind::kThreadStart || e.kind == EventKind::kTaskSpawn) agents.insert(e.a);
  }
  for (const Event& e : trace.events) {
    if (e.str != 0) CHECK(trace.strings.count(e.str) == 1);
    switch (e.kind) {
      case EventKind::kAcquired:
      case EventKind::kReleased:
      case EventKind::kChannelSend:
      case EventKind::kChannelRecv:
        CHECK(resources.count(e.a) == 1);
        break;
      case EventKind::kMark:
      case EventKind::kCounter:
        CHECK(trace.strings.count(static_cast<uint32_t>(e.a)) == 1);
        break;
      default:
        break;
    }
    if ((e.flags & taskscope::format::kFlagSnapshot) == 0 && e.thread != 0)
      CHECK(agents.count(e.thread) == 1);
  }
}

TEST_CASE("flight: the dump signal writes the window", "[flight]") {
  using namespace taskscope;
  TempTrace file("signal");
  Config config = flight_config(file.path(), 1 << 20);
  config.dump_signal = SIGUSR2;
  REQUIRE(start(config));
  for (int i = 0; i < 1000; ++i) mark("before signal", i);
  REQUIRE(::raise(SIGUSR2) == 0);
  const bool written = wait_for_file(file.path(), std::chrono::seconds(30));
  Trace trace;
  if (written) trace = read_trace(file.path());
  stop();
  REQUIRE(written);
  CHECK(trace.header.reason == "signal " + std::to_string(SIGUSR2));
  CHECK(trace.status.clean());
  uint64_t marks = 0;
  for (const Event& e : trace.live()) marks += e.kind == EventKind::kMark;
  CHECK(marks == 1000);
  // The signal action of the program is back after the session.
  struct sigaction action {};
  sigaction(SIGUSR2, nullptr, &action);
  CHECK(action.sa_handler == SIG_DFL);
}

TEST_CASE("flight: dump() in stream mode flushes and succeeds", "[flight]") {
  using namespace taskscope;
  TempTrace file("stream-dump");
  Config config;
  config.output = file.path();
  config.flush_interval_ms = 60000;  // only the dump makes the round happen
  REQUIRE(start(config));
  for (int i = 0; i < 10; ++i) mark("flushed", i);
  REQUIRE(dump());
  // The file has the marks before stop() writes anything more.
  const Trace partial = read_trace(file.path());
  uint64_t marks = 0;
  for (const Event& e : partial.events) marks += e.kind == EventKind::kMark;
  CHECK(marks == 10);
  CHECK_FALSE(partial.status.footer.has_value());
  stop();
}
