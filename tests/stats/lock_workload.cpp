// A small recorded workload for the diff tests: thread `fetcher` takes
// `cache_lock` and thread `indexer` takes `index_lock`, 200 times each, holding
// them for a fixed busy-wait (no contention, no sleeps: the figures that matter
// depend on CPU work, not on the scheduler's mood).
//
// usage: stats_lock_workload OUT.tscope CACHE_HOLD_US
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <taskscope/taskscope.hpp>

namespace {

void busy_for(std::chrono::microseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
  }
}

void work(taskscope::mutex& lock, const char* span, std::chrono::microseconds hold) {
  for (int i = 0; i < 200; ++i) {
    taskscope::Span request(span);
    {
      std::lock_guard guard(lock);
      busy_for(hold);
    }
    busy_for(std::chrono::microseconds(20));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s OUT.tscope CACHE_HOLD_US\n", argv[0]);
    return 2;
  }
  taskscope::Config config;
  config.output = argv[1];
  config.lossless = true;
  // Hold times are what the diff tests compare: every hold is recorded (by
  // default these uncontended ones would be deferred and left out).
  config.every_hold = true;
  if (!taskscope::start(config)) {
    std::fprintf(stderr, "cannot record to %s\n", argv[1]);
    return 1;
  }
  {
    taskscope::mutex cache_lock("cache_lock");
    taskscope::mutex index_lock("index_lock");
    const std::chrono::microseconds cache_hold(std::atoi(argv[2]));
    taskscope::thread fetcher("fetcher", [&] { work(cache_lock, "fetch", cache_hold); });
    taskscope::thread indexer("indexer",
                              [&] { work(index_lock, "index", std::chrono::microseconds(30)); });
    fetcher.join();
    indexer.join();
  }
  taskscope::stop();
  return 0;
}
