// Records and returns from main without calling stop(): the trace must be
// complete anyway (atexit), even with a detached thread still recording.
// Usage: exit_child OUTPUT stream|flight    (starts a session itself)
//        exit_child - env                   (TASKSCOPE_OUTPUT etc. start it at load)
//        exit_child OUTPUT stream|flight main-first
//            main leaves through pthread_exit while a worker still records: the
//            process must end (status 0) when the worker does.
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "taskscope/events.hpp"
#include "taskscope/session.hpp"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) return 2;
  if (std::strcmp(argv[2], "env") == 0) {
    if (!taskscope::is_recording()) return 4;
  } else {
    taskscope::Config config;
    config.output = argv[1];
    config.mode =
        std::strcmp(argv[2], "flight") == 0 ? taskscope::Mode::kFlight : taskscope::Mode::kStream;
    if (!taskscope::start(config)) return 3;
  }
  if (argc == 4 && std::strcmp(argv[3], "main-first") == 0) {
    std::thread([] {
      taskscope::set_thread_name("exit_worker");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // main is gone by now
      for (int i = 0; i < 500; ++i) taskscope::mark("worker", i);
    }).detach();
    for (int i = 0; i < 2000; ++i) taskscope::mark("main", i);
    pthread_exit(nullptr);
  }
  std::thread worker([] {
    taskscope::set_thread_name("exit_worker");
    for (int i = 0; i < 500; ++i) taskscope::mark("worker", i);
  });
  worker.join();
  // Still recording when the process exits; must neither crash nor block exit.
  static std::atomic<bool> started{false};
  std::thread([] {
    for (int64_t i = 0;; ++i) {
      taskscope::counter("detached", i);
      started.store(true);
    }
  }).detach();
  while (!started.load()) std::this_thread::yield();
  for (int i = 0; i < 2000; ++i) taskscope::mark("main", i);
  return 0;
}
