// A burst the flusher cannot keep up with: two threads, each 500 k uncontended
// taskscope::mutex lock/unlock pairs (2 M events in a few tens of ms), recorded
// with the default settings (ring plus spill budget, docs/architecture.md "Bursts:
// spill blocks") and, for comparison, with the ring alone (spill budget 0).
// Every hold is recorded (Config::every_hold), so each pair is two events: by
// default uncontended holds would be deferred and the burst would hardly exist
// (docs/architecture.md, "Uncontended locks").
// Prints the events kept and dropped, counted by reading the trace back, as
// `metric <name> <value> <unit>` lines.
#include <unistd.h>

#include <barrier>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "taskscope/format/reader.hpp"
#include "taskscope/taskscope.hpp"

namespace {

constexpr uint64_t kPairsPerThread = 500'000;
constexpr int kThreads = 2;

struct BurstResult {
  double burst_ms = 0;
  uint64_t kept = 0;     // lock events in the trace
  uint64_t dropped = 0;  // reported by kDropped events
};

BurstResult run_burst(uint64_t spill_bytes, const char* tag) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            (std::string("taskscope-burst-") + tag + "-" +
                             std::to_string(::getpid()) + ".tscope"))
                               .string();
  taskscope::Config config;
  config.output = path;
  config.spill_bytes = spill_bytes;
  config.every_hold = true;
  BurstResult result;
  if (!taskscope::start(config)) {
    std::fprintf(stderr, "burst_bench: cannot record to %s\n", path.c_str());
    return result;
  }
  std::barrier together(kThreads + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      taskscope::mutex lock("burst");
      together.arrive_and_wait();
      for (uint64_t i = 0; i < kPairsPerThread; ++i) {
        lock.lock();
        lock.unlock();
      }
      together.arrive_and_wait();
    });
  }
  together.arrive_and_wait();
  const auto start = std::chrono::steady_clock::now();
  together.arrive_and_wait();
  const auto end = std::chrono::steady_clock::now();
  for (auto& thread : threads) thread.join();
  taskscope::stop();
  result.burst_ms = std::chrono::duration<double, std::milli>(end - start).count();

  taskscope::format::TraceReader reader(path);
  taskscope::format::Event event;
  while (reader.next(event)) {
    if (event.kind == taskscope::format::EventKind::kAcquired ||
        event.kind == taskscope::format::EventKind::kReleased)
      ++result.kept;
    if (event.kind == taskscope::format::EventKind::kDropped) result.dropped += event.a;
  }
  std::filesystem::remove(path);
  return result;
}

}  // namespace

int main() {
  const uint64_t emitted = 2 * kPairsPerThread * kThreads;
  const BurstResult spill = run_burst(taskscope::Config{}.spill_bytes, "spill");
  const BurstResult ring_only = run_burst(0, "ring");
  std::printf("burst of %llu lock events from %d threads (default settings): %.1f ms, "
              "%llu kept, %llu dropped\n",
              static_cast<unsigned long long>(emitted), kThreads, spill.burst_ms,
              static_cast<unsigned long long>(spill.kept),
              static_cast<unsigned long long>(spill.dropped));
  std::printf("the same burst with the ring alone (spill budget 0): %.1f ms, %llu kept, "
              "%llu dropped\n",
              ring_only.burst_ms, static_cast<unsigned long long>(ring_only.kept),
              static_cast<unsigned long long>(ring_only.dropped));
  std::printf("metric burst_emitted_events %llu events\n", static_cast<unsigned long long>(emitted));
  std::printf("metric burst_kept_events %llu events\n", static_cast<unsigned long long>(spill.kept));
  std::printf("metric burst_dropped_events %llu events\n",
              static_cast<unsigned long long>(spill.dropped));
  std::printf("metric burst_ms %.1f ms\n", spill.burst_ms);
  std::printf("metric burst_ring_only_dropped_events %llu events\n",
              static_cast<unsigned long long>(ring_only.dropped));
  std::printf("metric burst_ring_only_ms %.1f ms\n", ring_only.burst_ms);
  return spill.kept + spill.dropped == 0 ? 1 : 0;
}
