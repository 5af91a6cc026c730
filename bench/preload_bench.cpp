// Cost of recording an unmodified program through the preload shim.
//
// The workload is this binary itself: run as `preload_bench --loop MODE N`, it
// does N lock/unlock pairs on a pthread mutex — MODE "uncontended" on one
// thread, "contended" on two threads sharing one mutex — or, MODE "semaphore",
// N acquire/release pairs on an uncontended std::counting_semaphore (each
// release from 0 is a futex wake through syscall(), recorded by the shim:
// recorder/preload/futex.cpp), and prints wall and CPU ns per pair. The benchmark runs that child alternately without the shim
// and with it (LD_PRELOAD + TASKSCOPE_OUTPUT: recording in stream mode with the
// default configuration), 5 times each, and reports medians and ratios in
// `metric` lines: `_ratio` compares the looping threads' CPU time (steady on a
// shared machine), `_wall_ratio` elapsed time, `_passthrough_ratio` the cost of
// the shim loaded while not recording, `recorder_floor_ratio` the same loop
// emitting the shim's two events per pair through the recording API directly
// (what any recording of every lock costs, shim or not). By default the shim
// defers uncontended holds (docs/architecture.md, "Uncontended locks");
// `uncontended_every_hold_ratio` is the same loop recorded with
// TASKSCOPE_HOLDS=all. Alternating in one run keeps
// both sides under the same machine load: every ratio's runs, the floor's
// included, are interleaved with the plain runs it is divided by.
//
// The shim is $TASKSCOPE_PRELOAD, else ../recorder/preload/libtaskscope_preload.so
// relative to this binary (the build tree: build/bench/preload_bench).
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <semaphore>
#include <string>
#include <vector>

#include "taskscope/events.hpp"

namespace {

pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
volatile long g_counter = 0;

struct LoopArgs {
  long iterations = 0;
  double cpu_ns = 0;  // CPU time of this thread in the loop
};

double thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

// The recorder's floor for the same work: the two events the shim records per
// pair (acquired, released), emitted directly through the recording API.
void* event_loop(void* raw) {
  auto* args = static_cast<LoopArgs*>(raw);
  const taskscope::ResourceId id = taskscope::new_resource_id();
  const taskscope::StringId where = taskscope::intern("pc:0x1");
  const double start = thread_cpu_ns();
  for (long i = 0; i < args->iterations; ++i) {
    pthread_mutex_lock(&g_mutex);
    taskscope::acquired(id, taskscope::LockMode::kExclusive, 0, where);
    g_counter = g_counter + 1;
    taskscope::released(id);
    pthread_mutex_unlock(&g_mutex);
  }
  args->cpu_ns = thread_cpu_ns() - start;
  return nullptr;
}

void* lock_loop(void* raw) {
  auto* args = static_cast<LoopArgs*>(raw);
  const double start = thread_cpu_ns();
  for (long i = 0; i < args->iterations; ++i) {
    pthread_mutex_lock(&g_mutex);
    g_counter = g_counter + 1;
    pthread_mutex_unlock(&g_mutex);
  }
  args->cpu_ns = thread_cpu_ns() - start;
  return nullptr;
}

std::counting_semaphore<1> g_semaphore(1);

void* semaphore_loop(void* raw) {
  auto* args = static_cast<LoopArgs*>(raw);
  const double start = thread_cpu_ns();
  for (long i = 0; i < args->iterations; ++i) {
    g_semaphore.acquire();
    g_counter = g_counter + 1;
    g_semaphore.release();
  }
  args->cpu_ns = thread_cpu_ns() - start;
  return nullptr;
}

// The child: runs the loop and prints "<wall ns> <cpu ns>" per lock/unlock
// pair. CPU time (of the looping threads only) is steadier than wall time on
// a loaded machine; wall time also pays for the recorder's flusher thread.
int run_loop(const std::string& mode, long iterations) {
  const int threads = mode == "contended" ? 2 : 1;
  auto* loop = mode == "events" ? event_loop : mode == "semaphore" ? semaphore_loop : lock_loop;
  std::vector<LoopArgs> args(threads);
  std::vector<pthread_t> handles(threads);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < threads; ++i) {
    args[i].iterations = iterations;
    pthread_create(&handles[i], nullptr, loop, &args[i]);
  }
  for (auto& handle : handles) pthread_join(handle, nullptr);
  const double wall =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  double cpu = 0;
  for (const LoopArgs& a : args) cpu += a.cpu_ns;
  const double pairs = static_cast<double>(iterations) * threads;
  std::printf("%.3f %.3f\n", wall / pairs, cpu / pairs);
  return 0;
}

std::string self_path() {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

std::string find_shim() {
  if (const char* path = std::getenv("TASKSCOPE_PRELOAD")) return path;
  const std::string self = self_path();
  return self.substr(0, self.rfind('/')) + "/../recorder/preload/libtaskscope_preload.so";
}

struct Sample {
  double wall = -1;
  double cpu = -1;
};

// Runs one child; returns its ns per pair (negative on failure).
// `shim` empty: the plain program; `trace` empty: the shim loaded but not
// recording (its pass-through cost).
Sample measure(const std::string& mode, long iterations, const std::string& shim,
               const std::string& trace, bool record_without_shim = false,
               const char* holds = nullptr) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t child = fork();
  if (child == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    unsetenv("TASKSCOPE_RECORDER_PID");
    if (holds != nullptr)
      setenv("TASKSCOPE_HOLDS", holds, 1);
    else
      unsetenv("TASKSCOPE_HOLDS");
    if (!shim.empty()) {
      setenv("LD_PRELOAD", shim.c_str(), 1);
      if (trace.empty())
        unsetenv("TASKSCOPE_OUTPUT");
      else
        setenv("TASKSCOPE_OUTPUT", trace.c_str(), 1);
    } else {
      unsetenv("LD_PRELOAD");
      if (record_without_shim)
        setenv("TASKSCOPE_OUTPUT", trace.c_str(), 1);
      else
        unsetenv("TASKSCOPE_OUTPUT");
    }
    const std::string self = self_path();
    const std::string count = std::to_string(iterations);
    execl(self.c_str(), self.c_str(), "--loop", mode.c_str(), count.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  char text[128] = {};
  const ssize_t n = read(fds[0], text, sizeof text - 1);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  Sample sample;
  if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      std::sscanf(text, "%lf %lf", &sample.wall, &sample.cpu) != 2)
    return {};
  return sample;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--loop") == 0)
    return run_loop(argv[2], std::atol(argv[3]));

  const std::string shim = find_shim();
  struct stat st {};
  if (stat(shim.c_str(), &st) != 0) {
    std::fprintf(stderr, "preload_bench: no shim at %s (set TASKSCOPE_PRELOAD)\n", shim.c_str());
    return 1;
  }
  char trace_template[] = "/tmp/taskscope-preload-bench-XXXXXX";
  const char* trace_dir = mkdtemp(trace_template);
  if (trace_dir == nullptr) return 1;
  const std::string trace = std::string(trace_dir) + "/bench.tscope";

  constexpr int kRepetitions = 5;
  struct Case {
    const char* mode;
    long iterations;
  };
  for (const Case& c : {Case{"uncontended", 1'000'000}, Case{"contended", 250'000},
                        Case{"semaphore", 1'000'000}}) {
    // The recorder's own cost for the two events, without the shim: measured on
    // the one-thread loop only, in the same rounds as its plain baseline.
    const bool with_floor = std::string(c.mode) == "uncontended";
    std::vector<double> plain_wall, plain_cpu, shim_wall, shim_cpu, idle_cpu, floor_cpu, every_cpu;
    for (int i = 0; i < kRepetitions; ++i) {
      const Sample plain = measure(c.mode, c.iterations, "", trace);
      const Sample shimmed = measure(c.mode, c.iterations, shim, trace);
      const Sample idle = measure(c.mode, c.iterations, shim, "");
      const Sample floor_run =
          with_floor ? measure("events", c.iterations, "", trace, true) : Sample{};
      const Sample every_run =
          with_floor ? measure(c.mode, c.iterations, shim, trace, false, "all") : Sample{};
      if (plain.cpu <= 0 || shimmed.cpu <= 0 || idle.cpu <= 0 ||
          (with_floor && (floor_run.cpu <= 0 || every_run.cpu <= 0))) {
        std::fprintf(stderr, "preload_bench: a %s run failed\n", c.mode);
        return 1;
      }
      plain_wall.push_back(plain.wall);
      plain_cpu.push_back(plain.cpu);
      shim_wall.push_back(shimmed.wall);
      shim_cpu.push_back(shimmed.cpu);
      idle_cpu.push_back(idle.cpu);
      if (with_floor) {
        floor_cpu.push_back(floor_run.cpu);
        every_cpu.push_back(every_run.cpu);
      }
    }
    const double base = median(plain_cpu), recorded = median(shim_cpu);
    std::printf("metric preload_%s_plain_cpu_ns_per_pair %.2f ns\n", c.mode, base);
    std::printf("metric preload_%s_recorded_cpu_ns_per_pair %.2f ns\n", c.mode, recorded);
    std::printf("metric preload_%s_ratio %.3f x\n", c.mode, recorded / base);
    std::printf("metric preload_%s_wall_ratio %.3f x\n", c.mode,
                median(shim_wall) / median(plain_wall));
    std::printf("metric preload_%s_passthrough_ratio %.3f x\n", c.mode, median(idle_cpu) / base);
    if (with_floor) {
      std::printf("metric preload_recorder_floor_ratio %.3f x\n", median(floor_cpu) / base);
      std::printf("metric preload_uncontended_every_hold_ratio %.3f x\n",
                  median(every_cpu) / base);
    }
  }
  std::remove(trace.c_str());
  rmdir(trace_dir);
  return 0;
}
