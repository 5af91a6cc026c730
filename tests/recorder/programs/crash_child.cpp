// Records a little, then dies of a fatal signal.
// Usage: crash_child OUTPUT stream|flight segv|abort [spill]
// With "spill" the ring is small and the flusher held, so that most events
// wait in spill blocks when the signal comes.
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include "taskscope/events.hpp"
#include "taskscope/session.hpp"

namespace taskscope::detail {
// Defined in recorder/src/process/session.cpp: holds the flusher's rounds.
void set_flusher_paused_for_testing(bool paused) noexcept;
}  // namespace taskscope::detail

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) return 2;
  const bool spill = argc == 5 && std::strcmp(argv[4], "spill") == 0;
  taskscope::Config config;
  config.output = argv[1];
  config.mode =
      std::strcmp(argv[2], "flight") == 0 ? taskscope::Mode::kFlight : taskscope::Mode::kStream;
  config.flush_interval_ms = 20;
  if (spill) config.ring_bytes = 4096;  // 128 records
  if (!taskscope::start(config)) return 3;
  if (spill) taskscope::detail::set_flusher_paused_for_testing(true);

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
  // A store to a page mapped without access: a real SIGSEGV, and well-defined
  // C++ as far as the sanitizers can tell (a null store would be reported by
  // UBSan before it faulted).
  void* page = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 3;
  volatile int* volatile nowhere = static_cast<int*>(page);
  *nowhere = 42;
  return 0;
}
