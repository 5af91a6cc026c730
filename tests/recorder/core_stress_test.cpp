// Many threads using the whole recording API at once while the flusher drains,
// threads come and go, and (flight mode) dumps are requested concurrently.
// Run under TSan (-DTASKSCOPE_SANITIZE=thread) as well: it must be race-free.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

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

// Reads back one file written by a concurrent dump(); empty when it is a
// sound trace of the window, else what is wrong with it.
std::string check_dump(const std::string& path) {
  try {
    const Trace trace = read_trace(path);
    if (!trace.status.clean()) return trace.status.summary();
    if (!trace.status.footer) return "no footer";
    if (trace.header.reason != "dump") return "reason '" + trace.header.reason + "'";
    if (trace.live().empty()) return "no events";
    int64_t last = INT64_MIN;
    for (const Event& e : trace.events) {
      if (e.ts_ns < last) return "time goes back at " + std::to_string(e.ts_ns);
      last = e.ts_ns;
    }
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

void stress(taskscope::Mode mode) {
  using namespace taskscope;
  TempTrace file(mode == Mode::kFlight ? "stress-flight" : "stress-stream");
  Config config;
  config.output = file.path();
  config.mode = mode;
  config.ring_bytes = 64 << 10;  // small (2,048 records): drops happen and must be counted
  // One spill block of 512 records for all workers: some events go through it,
  // and no worker can keep its whole fill phase in it.
  config.spill_bytes = 16 << 10;
  config.flight_bytes = 512 << 10;
  config.flush_interval_ms = 2;
  REQUIRE(start(config));

  // Whether a free-running flusher falls behind is up to the scheduler, so it
  // is held until every worker has tried to record more than its ring holds
  // (18 events an iteration): every ring fills and drops, whatever the timing.
  // The workers then wait for each other, so that the rest of the run, most of
  // it, has all of them recording at once while the flusher drains.
  constexpr int kFillIterations = 200;
  std::atomic<int> filled{0};
  std::atomic<bool> go{false};
  detail::set_flusher_paused_for_testing(true);
  std::vector<uint64_t> attempted(kWorkers);
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
        if (i == kFillIterations) {
          filled.fetch_add(1);
          while (!go.load()) std::this_thread::yield();
        }
        events += busy_iteration(w, i, lock, channel, endpoint);
        // Short-lived threads: rings retired and freed while the flusher runs.
        if (i % 300 == 0) {
          std::thread([] { taskscope::mark("short-lived"); }).join();
        }
      }
      endpoint_closed(endpoint);
      resource_destroyed(channel);
      resource_destroyed(lock);
      attempted[static_cast<size_t>(w)] = events + 3 + 1;  // + close, two destroys, thread end
    });
  }
  // Every dump goes to a file of its own, read back (and removed) at once so
  // that the files of hundreds of dumps never pile up. The first request is
  // served as soon as the flusher is let go, while the workers run on.
  std::atomic<bool> dumping{true};
  int dumps = 0;
  std::vector<std::string> dump_problems;
  std::thread dumper;
  if (mode == Mode::kFlight) {
    dumper = std::thread([&, base = file.path() + ".concurrent-"] {
      do {
        const std::string path = base + std::to_string(dumps++);
        if (!dump(path)) {
          dump_problems.push_back(path + ": dump() failed");
        } else if (const std::string problem = check_dump(path); !problem.empty()) {
          dump_problems.push_back(path + ": " + problem);
        }
        std::filesystem::remove(path);
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
      } while (dumping.load());
    });
  }
  // The workers never wait for the flusher, so they all get there; the limit
  // only bounds how long a recorder that makes them wait keeps the test.
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (filled.load() < kWorkers && std::chrono::steady_clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const bool all_filled = filled.load() == kWorkers;
  detail::set_flusher_paused_for_testing(false);
  go.store(true);

  for (auto& worker : workers) worker.join();
  dumping.store(false);
  if (dumper.joinable()) dumper.join();
  stop();

  CHECK(all_filled);
  const Trace trace = read_trace(file.path());
  CHECK(trace.status.clean());
  REQUIRE(trace.status.footer.has_value());
  CHECK(trace.status.footer->dropped_events == trace.status.dropped_events);
  // The rings did fill: "counted exactly" below is about real drops.
  CHECK(trace.status.footer->dropped_events > 0);
  if (mode == Mode::kStream) {
    // Exact accounting per worker: recorded + dropped == attempted, with drops.
    for (int w = 0; w < kWorkers; ++w) {
      const AgentId agent = agents[static_cast<size_t>(w)];
      uint64_t recorded = 0;
      for (const Event& e : trace.of_thread(agent)) recorded += e.kind != EventKind::kDropped;
      const uint64_t dropped = trace.dropped_on(agent);
      INFO("worker " << w << ": " << recorded << " recorded, " << dropped << " dropped");
      CHECK(dropped > 0);
      CHECK(recorded + dropped == attempted[static_cast<size_t>(w)]);
    }
  } else {
    CHECK(trace.header.reason == "stop");
    CHECK_FALSE(trace.snapshot().empty());
    CHECK(dumps > 0);
    for (const std::string& problem : dump_problems) FAIL_CHECK(problem);
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
