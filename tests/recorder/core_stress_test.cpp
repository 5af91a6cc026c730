// Many threads using the whole recording API at once while the flusher drains,
// threads come and go, and (flight mode) dumps are requested concurrently.
// Run under TSan (-DTASKSCOPE_SANITIZE=thread) as well: it must be race-free.
#include <atomic>
#include <random>
#include <thread>
#include <unordered_map>

#include "core_trace.hpp"
#include "taskscope/events.hpp"

using taskscope::format::Event;
using taskscope::format::EventKind;
using taskscope::test::read_trace;
using taskscope::test::TempTrace;
using taskscope::test::Trace;

namespace {

constexpr int kWorkers = 8;
constexpr int kIterations = 1500;

// One iteration touches every family of events; returns how many events it
// tried to record.
uint64_t busy_iteration(int worker, int i, taskscope::ResourceId lock,
                        taskscope::ResourceId channel, taskscope::EndpointId endpoint) {
  using namespace taskscope;
  uint64_t events = 0;
  const AgentId task = task_spawned(i % 2 ? "task-odd" : "task-even");
  ++events;
  {
    PollScope poll(task);
    ++events;
    waker_cloned(task, channel);
    acquired(lock);
    released(lock);
    wait_begin(channel, WaitOp::kRecv);
    wait_end(channel, WaitOutcome::kAcquired);
    channel_received(channel, static_cast<uint64_t>(i % 7));
    endpoint_used(endpoint, EndpointSide::kReceiver);
    events += 7;
    if (i % 3 == 0) poll.set_pending();
  }
  ++events;  // poll end
  {
    Span span("iteration", i % 5 == 0 ? "fifth" : "");
    mark("progress", i);
    counter("depth", i % 11);
    memory_delta(64);
    events += 5;
  }
  woke(task);
  waker_dropped(task);
  task_ended(task);
  events += 3;
  // A call site and a name no other thread uses.
  intern("unique-" + std::to_string(worker) + "-" + std::to_string(i % 50));
  return events;
}

void stress(taskscope::Mode mode) {
  using namespace taskscope;
  TempTrace file(mode == Mode::kFlight ? "stress-flight" : "stress-stream");
  Config config;
  config.output = file.path();
  config.mode = mode;
  config.ring_bytes = 64 << 10;  // small: drops happen and must be counted
  config.flight_bytes = 512 << 10;
  config.flush_interval_ms = 2;
  REQUIRE(start(config));

  std::atomic<uint64_t> attempted{0};
  std::atomic<bool> dumping{true};
  std::vector<AgentId> agents(kWorkers);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      set_thread_name("stress-" + std::to_string(w));
      agents[static_cast<size_t>(w)] = current_thread_agent();
      const ResourceId lock = new_resource_id(), channel = new_resource_id();
      const EndpointId endpoint = new_endpoint_id();
      resource_created(lock, ResourceKind::kMutex, "lock-" + std::to_string(w));
      resource_created(channel, ResourceKind::kChannel, "chan", 8);
      endpoint_opened(endpoint, channel, EndpointSide::kReceiver);
      uint64_t events = 5;  // start, name, two creates, open
      for (int i = 0; i < kIterations; ++i) {
        events += busy_iteration(w, i, lock, channel, endpoint);
        // Short-lived threads: rings retired and freed while the flusher runs.
        if (i % 300 == 0) {
          std::thread([] { taskscope::mark("short-lived"); }).join();
        }
      }
      endpoint_closed(endpoint);
      resource_destroyed(channel);
      resource_destroyed(lock);
      attempted.fetch_add(events + 3 + 1);  // + close, two destroys, thread end
    });
  }
  std::thread dumper;
  if (mode == Mode::kFlight) {
    dumper = std::thread([&, path = file.path() + ".concurrent"] {
      while (dumping.load()) {
        dump(path);
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
      }
    });
  }
  for (auto& worker : workers) worker.join();
  dumping.store(false);
  if (dumper.joinable()) dumper.join();
  stop();

  const Trace trace = read_trace(file.path());
  CHECK(trace.status.clean());
  REQUIRE(trace.status.footer.has_value());
  CHECK(trace.status.footer->dropped_events == trace.status.dropped_events);
  if (mode == Mode::kStream) {
    // Exact accounting per worker: recorded + dropped == attempted.
    uint64_t recorded = 0, dropped = 0;
    for (AgentId agent : agents) {
      for (const Event& e : trace.of_thread(agent)) {
        if (e.kind == EventKind::kDropped) {
          dropped += e.a;
        } else {
          ++recorded;
        }
      }
    }
    CHECK(recorded + dropped == attempted.load());
  } else {
    CHECK(trace.header.reason == "stop");
    CHECK_FALSE(trace.snapshot().empty());
  }
  // Times never decrease in reader order.
  int64_t last = INT64_MIN;
  for (const Event& e : trace.events) {
    CHECK(e.ts_ns >= last);
    last = e.ts_ns;
  }
}

}  // namespace

TEST_CASE("stress: many threads, every event family, stream mode", "[stress]") {
  stress(taskscope::Mode::kStream);
}

TEST_CASE("stress: many threads, every event family, flight mode with concurrent dumps",
          "[stress]") {
  stress(taskscope::Mode::kFlight);
}
