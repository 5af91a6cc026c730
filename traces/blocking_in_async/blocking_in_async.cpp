// Blocking inside async code starves the executor.
//
// A two-worker executor runs two tasks that block their worker thread inside
// a poll: cache_refresh locks the cache's std-style mutex (taskscope::mutex)
// while the plain thread cache_writer holds it for 200 ms, and compress calls a
// blocking sleep. Both workers are held; the eight request tasks, ready all
// along, wait until the workers come back.
//
// --twin: the cache is guarded by the runtime's async mutex (its writer is a
// task), and compress awaits rt::sleep_for: both wait without holding a worker,
// and the requests run at once.
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "scenario.hpp"
#include "taskscope/events.hpp"
#include "taskscope/rt/runtime.hpp"
#include "taskscope/sync.hpp"
#include "taskscope/thread.hpp"

using namespace std::chrono_literals;
namespace rt = taskscope::rt;

constexpr auto kHold = 200ms;
constexpr int kRequests = 8;

struct Cache {
  taskscope::mutex sync_lock{"cache"};  // the bug
  rt::Mutex async_lock{"cache"};        // the twin
  int generation = 0;
};

// What an instrumented blocking sleep records (the preload shim does the same
// for nanosleep): a timed sleep wait, here inside a task's poll.
static void blocking_sleep(std::chrono::milliseconds duration) {
  taskscope::sleep_begin(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count()));
  std::this_thread::sleep_for(duration);
  taskscope::sleep_end();
}

static void write_cache_blocking(Cache* cache, std::atomic<bool>* holding) {
  std::lock_guard<taskscope::mutex> lock(cache->sync_lock);
  holding->store(true);
  std::this_thread::sleep_for(kHold);
  ++cache->generation;
}

static rt::Task<> write_cache(Cache* cache) {
  auto guard = co_await cache->async_lock.lock();
  co_await rt::sleep_for(kHold);
  ++cache->generation;
}

static rt::Task<> refresh_cache(Cache* cache, bool twin) {
  if (twin) {
    auto guard = co_await cache->async_lock.lock();
    ++cache->generation;
  } else {
    std::lock_guard<taskscope::mutex> lock(cache->sync_lock);  // BUG: blocks the worker
    ++cache->generation;
  }
}

static rt::Task<> compress(bool twin) {
  if (twin) {
    co_await rt::sleep_for(kHold);
  } else {
    blocking_sleep(kHold);  // BUG: blocks the worker
  }
}

static rt::Task<int> serve_request(int number) {
  taskscope::Span span("request", "id=" + std::to_string(number));
  co_await rt::yield_now();
  co_return number;
}

int main(int argc, char** argv) {
  const auto args = taskscope::scenarios::start(argc, argv);
  Cache cache;
  std::atomic<bool> holding{false};
  taskscope::thread writer_thread;
  rt::Executor executor(2);
  rt::JoinHandle<void> writer_task;
  if (args.twin) {
    writer_task = executor.spawn("cache_writer", write_cache, &cache);
  } else {
    writer_thread = taskscope::thread("cache_writer", write_cache_blocking, &cache, &holding);
    while (!holding.load()) std::this_thread::sleep_for(1ms);
  }
  auto refresh = executor.spawn("cache_refresh", refresh_cache, &cache, args.twin);
  auto compressor = executor.spawn("compress", compress, args.twin);
  std::vector<rt::JoinHandle<int>> requests;
  for (int i = 0; i < kRequests; ++i)
    requests.push_back(executor.spawn("request", serve_request, i));
  for (const auto& request : requests) request.wait();
  refresh.wait();
  compressor.wait();
  if (args.twin) writer_task.wait();
  if (writer_thread.joinable()) writer_thread.join();
  return taskscope::scenarios::completed();
}
