// Support for the end-to-end scenario programs: start recording to the path
// given on the command line, and — for programs that get stuck on purpose — wait
// until the threads that must block are really asleep in the kernel, then stop
// the recorder (which flushes everything) and _exit without unwinding the
// deadlocked threads.
//
// "Really asleep": each blocking thread announces its kernel thread id just
// before the call that blocks; the watcher then polls /proc/self/task/<tid>/stat
// until the thread's state is 'S'. The wait event is recorded before the thread
// sleeps, so once it sleeps its wait is in the ring. No timing threshold decides
// anything; a generous deadline only turns a bug into a failure instead of a hang.
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <string>
#include <thread>

#include "taskscope/taskscope.hpp"

namespace scenario {

inline void start(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s TRACE\n", argv[0]);
    std::exit(2);
  }
  taskscope::Config config;
  config.output = argv[1];
  config.process_name = "scenario";
  if (!taskscope::start(config)) {
    std::fprintf(stderr, "cannot start recording to %s\n", argv[1]);
    std::exit(2);
  }
  taskscope::set_thread_name("main");
}

// One thread that is about to block.
class Blocker {
 public:
  // Called by the thread itself right before the blocking call.
  void arrive() { tid_.store(static_cast<pid_t>(::syscall(SYS_gettid))); }
  pid_t tid() const { return tid_.load(); }

 private:
  std::atomic<pid_t> tid_{0};
};

// The thread's state letter and its voluntary context-switch count.
inline bool sleeping(pid_t tid, long* switches) {
  std::ifstream status("/proc/self/task/" + std::to_string(tid) + "/status");
  std::string line;
  bool asleep = false;
  while (std::getline(status, line)) {
    if (line.rfind("State:", 0) == 0) asleep = line.find("S (sleeping)") != std::string::npos;
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0) *switches = std::atol(line.c_str() + 24);
  }
  return asleep;
}

// Asleep, and still in the same sleep over a few looks: a brief sleep on some
// internal lock on the way into the wait would have woken in between.
inline bool asleep(pid_t tid) {
  long first = -1;
  for (int look = 0; look < 3; ++look) {
    long switches = -1;
    if (!sleeping(tid, &switches)) return false;
    if (look == 0)
      first = switches;
    else if (switches != first)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Waits until every blocker has arrived and sleeps, then stops recording and
// exits the process with status 0 (3 if they never block).
[[noreturn]] inline void stop_when_blocked(std::initializer_list<const Blocker*> blockers) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (const Blocker* blocker : blockers) {
    while (blocker->tid() == 0 || !asleep(blocker->tid())) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::fprintf(stderr, "scenario: threads never blocked\n");
        std::_Exit(3);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  taskscope::stop();
  std::_Exit(0);
}

}  // namespace scenario
