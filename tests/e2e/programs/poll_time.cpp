// Three tasks, one after another on a one-worker executor, each holding the
// worker for about 50 ms in one poll, in three different ways:
//   burn     computes for 50 ms of CPU time: starves the executor (reported);
//   nap      makes a thread-level blocking sleep, recorded as a wait (reported);
//   stopped  is descheduled: the whole process is stopped by SIGSTOP for 50 ms
//            while the task is inside its poll, exactly what a loaded machine
//            does to a thread, only longer. Not the task's doing (not reported;
//            `stats` notes the worker as descheduled).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "scenario.hpp"
#include "taskscope/rt/runtime.hpp"

namespace rt = taskscope::rt;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kHoldNs = 50'000'000;

uint64_t thread_cpu_ns() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
}

rt::Task<> burn() {
  const uint64_t until = thread_cpu_ns() + kHoldNs;
  volatile uint64_t sink = 0;
  while (thread_cpu_ns() < until)
    for (int i = 0; i < 1000; ++i) sink = sink + static_cast<uint64_t>(i);
  co_return;
}

rt::Task<> nap() {
  taskscope::sleep_begin(kHoldNs);
  std::this_thread::sleep_for(std::chrono::nanoseconds(kHoldNs));
  taskscope::sleep_end();
  co_return;
}

// True once the process `stat_path` describes is stopped (state 'T'). Only
// async-signal-safe calls: it runs in a forked child.
bool is_stopped(const char* stat_path) {
  const int fd = ::open(stat_path, O_RDONLY);
  if (fd < 0) return false;
  char buffer[512];
  const ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
  ::close(fd);
  if (n <= 0) return false;
  // "pid (comm) S ...": the state follows the last ')'.
  for (ssize_t i = n - 1; i > 0; --i)
    if (buffer[i] == ')') return i + 2 < n && buffer[i + 2] == 'T';
  return false;
}

// Stops the whole process for 50 ms. A child waits until the process has
// stopped (so that its SIGCONT cannot come first), sleeps, and resumes it.
rt::Task<> stopped() {
  const pid_t parent = ::getpid();
  char stat_path[64];
  std::snprintf(stat_path, sizeof stat_path, "/proc/%d/stat", static_cast<int>(parent));
  const pid_t child = ::fork();
  if (child == 0) {
    timespec tick{0, 1'000'000};
    for (int i = 0; i < 10'000 && !is_stopped(stat_path); ++i) ::nanosleep(&tick, nullptr);
    timespec pause{0, static_cast<long>(kHoldNs)};
    ::nanosleep(&pause, nullptr);
    ::kill(parent, SIGCONT);
    ::_exit(0);
  }
  if (child > 0) {
    ::kill(parent, SIGSTOP);  // returns once the child has sent SIGCONT
    ::waitpid(child, nullptr, 0);
  }
  co_return;
}

}  // namespace

int main(int argc, char** argv) {
  scenario::start(argc, argv);
  {
    rt::Executor executor(1);
    executor.spawn("burn", burn).wait();
    executor.spawn("nap", nap).wait();
    executor.spawn("stopped", stopped).wait();
  }
  taskscope::stop();
  return 0;
}
