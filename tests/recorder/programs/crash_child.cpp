// Records a little, then dies of a fatal signal.
// Usage: crash_child OUTPUT stream|flight segv|abort
#include <cstdlib>
#include <cstring>
#include <thread>

#include "taskscope/events.hpp"
#include "taskscope/session.hpp"

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  taskscope::Config config;
  config.output = argv[1];
  config.mode =
      std::strcmp(argv[2], "flight") == 0 ? taskscope::Mode::kFlight : taskscope::Mode::kStream;
  config.flush_interval_ms = 20;
  if (!taskscope::start(config)) return 3;

  const taskscope::ResourceId lock = taskscope::new_resource_id();
  taskscope::resource_created(lock, taskscope::ResourceKind::kMutex, "crash_mutex");
  taskscope::acquired(lock);
  std::thread worker([] {
    taskscope::set_thread_name("crash_worker");
    for (int i = 0; i < 100; ++i) taskscope::mark("worker", i);
  });
  worker.join();
  for (int i = 0; i < 1000; ++i) taskscope::mark("before crash", i);

  if (std::strcmp(argv[3], "abort") == 0) std::abort();
  // Volatile both ways: the compiler can neither drop the store nor turn it
  // into a trap instruction (that would be SIGILL, not SIGSEGV).
  volatile int* volatile nowhere = nullptr;
  *nowhere = 42;
  return 0;
}
