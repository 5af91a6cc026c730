// What recording costs a realistic program: a worker pool fed by a bounded
// channel, built from taskscope's own primitives so that a recorded run records
// every send, receive, wait and lock. The main thread sends kJobs jobs through a
// taskscope channel of capacity kCapacity to kWorkers taskscope::threads; each job
// is a few microseconds of deterministic CPU work (a splitmix64 chain, calibrated
// at start-up) followed by a taskscope::mutex taken to fold the result into a
// shared checksum.
//
// The same workload runs unrecorded (no session) and recorded (a stream session
// writing a trace to a temporary file) in one process, in rounds of three runs:
// unrecorded, recorded and unrecorded again, in an order that rotates so that no
// arm always runs first. The headline, worker_pool_recorded_vs_unrecorded, is the
// ratio of the median wall times; the second unrecorded arm gives the same ratio
// for two identical workloads (worker_pool_unrecorded_vs_unrecorded), i.e. how
// much of a difference the machine's load alone produces. Wall time is the
// workload alone, from the first send to the last join; the session's start() and
// stop() (which writes what is still buffered) are outside it, and stop() is
// reported separately. Process CPU (getrusage, so the recorder's flusher thread
// is included) covers start() to stop() in a recorded run: on a loaded machine it
// is the steadier measure of what recording costs.
//
// Ends with `metric <name> <value> <unit>` lines.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "taskscope/taskscope.hpp"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kWorkers = 3;  // more workers than this machine's two cores
constexpr std::size_t kCapacity = 64;
constexpr uint64_t kJobs = 20'000;
constexpr double kJobMicros = 3.0;  // CPU per job the calibration aims at
constexpr int kRounds = 31;         // rounds of three runs

// One job's work: a chain of splitmix64 steps, each depending on the last, so
// the compiler can neither vectorise nor shorten it.
uint64_t job_work(uint64_t seed, uint32_t rounds) {
  uint64_t x = seed;
  for (uint32_t i = 0; i < rounds; ++i) {
    x += 0x9e3779b97f4a7c15ULL;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    x ^= z ^ (z >> 31);
  }
  return x;
}

// Rounds per job so that one job takes about kJobMicros of CPU on this machine
// (the fastest of several timings: other load only ever slows one down).
uint32_t calibrate_rounds() {
  constexpr uint32_t kProbeRounds = 200'000;
  double best_ns = 1e30;
  uint64_t sink = 0;
  for (int attempt = 0; attempt < 7; ++attempt) {
    const auto start = Clock::now();
    sink += job_work(static_cast<uint64_t>(attempt), kProbeRounds);
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    best_ns = std::min(best_ns, ns);
  }
  if (sink == 42) std::printf(" ");  // keeps the probe's result alive
  const double ns_per_round = best_ns / kProbeRounds;
  return static_cast<uint32_t>(std::max(1.0, kJobMicros * 1000.0 / ns_per_round));
}

struct Job {
  uint64_t seed;
};

// What the workers share: the lock taken once per job and what it guards.
struct Shared {
  taskscope::mutex lock{"checksum"};
  uint64_t checksum = 0;
  uint64_t jobs_done = 0;
};

void work(taskscope::Receiver<Job> jobs, Shared* shared, uint32_t rounds) {
  while (auto job = jobs.recv()) {
    const uint64_t result = job_work(job->seed, rounds);
    std::lock_guard<taskscope::mutex> guard(shared->lock);
    shared->checksum += result;  // order-independent, so every run agrees
    ++shared->jobs_done;
  }
}

struct RunResult {
  double wall_s = 0;
  uint64_t checksum = 0;
};

RunResult run_pool(uint32_t rounds) {
  Shared shared;
  const auto start = Clock::now();
  {
    auto [tx, rx] = taskscope::make_channel<Job>(kCapacity, "jobs");
    std::vector<taskscope::thread> workers;
    for (int w = 0; w < kWorkers; ++w)
      workers.push_back(taskscope::thread("worker", work, rx, &shared, rounds));
    rx = {};  // the workers hold the receiving side
    for (uint64_t i = 0; i < kJobs; ++i) tx.send(Job{i * 0x632be59bd9b4e019ULL + 1});
    tx = {};  // closes the channel: workers drain it and return
    for (auto& worker : workers) worker.join();
  }
  RunResult result;
  result.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  result.checksum = shared.checksum;
  if (shared.jobs_done != kJobs) {
    std::fprintf(stderr, "worker pool finished %llu of %llu jobs\n",
                 static_cast<unsigned long long>(shared.jobs_done),
                 static_cast<unsigned long long>(kJobs));
    std::exit(1);
  }
  return result;
}

// Process-wide CPU time (every thread, the recorder's included) and context
// switches (voluntary: a thread blocked; involuntary: it was preempted).
struct Usage {
  double cpu_s = 0;
  double voluntary = 0;
  double involuntary = 0;
};

Usage process_usage() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
  };
  return {seconds(usage.ru_utime) + seconds(usage.ru_stime), static_cast<double>(usage.ru_nvcsw),
          static_cast<double>(usage.ru_nivcsw)};
}

Usage operator-(const Usage& a, const Usage& b) {
  return {a.cpu_s - b.cpu_s, a.voluntary - b.voluntary, a.involuntary - b.involuntary};
}

struct Sample {
  double wall_s = 0;
  Usage usage;
  double stop_s = 0;  // recorded runs: the final stop()
  uint64_t events = 0;
  uint64_t dropped = 0;
  uint64_t bytes = 0;
  uint64_t checksum = 0;
};

Sample unrecorded(uint32_t rounds) {
  Sample sample;
  const Usage before = process_usage();
  const RunResult run = run_pool(rounds);
  sample.usage = process_usage() - before;
  sample.wall_s = run.wall_s;
  sample.checksum = run.checksum;
  return sample;
}

Sample recorded(uint32_t rounds) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("taskscope-worker-pool-" + std::to_string(::getpid()) + ".tscope"))
                               .string();
  taskscope::Config config;
  config.output = path;
  Sample sample;
  const Usage before = process_usage();
  if (!taskscope::start(config)) {
    std::fprintf(stderr, "cannot record to %s\n", path.c_str());
    std::exit(1);
  }
  const RunResult run = run_pool(rounds);
  const auto stop_start = Clock::now();
  taskscope::stop();
  sample.stop_s = std::chrono::duration<double>(Clock::now() - stop_start).count();
  sample.usage = process_usage() - before;
  sample.wall_s = run.wall_s;
  sample.checksum = run.checksum;
  const taskscope::Stats stats = taskscope::session_stats();
  sample.events = stats.events;
  sample.dropped = stats.dropped;
  sample.bytes = std::filesystem::file_size(path);
  std::filesystem::remove(path);
  return sample;
}

// The q-quantile (0..1) of `values`, interpolating between neighbours.
double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const std::size_t below = static_cast<std::size_t>(at);
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (values[above] - values[below]) * (at - static_cast<double>(below));
}

template <class Field>
std::vector<double> column(const std::vector<Sample>& samples, Field field) {
  std::vector<double> values;
  for (const Sample& sample : samples) values.push_back(static_cast<double>(field(sample)));
  return values;
}

template <class Field>
double median_of(const std::vector<Sample>& samples, Field field) {
  return quantile(column(samples, field), 0.5);
}

// The 1-minute load average: how busy the machine was while this ran.
double load_average() {
  double load = -1;
  if (FILE* file = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(file, "%lf", &load) != 1) load = -1;
    std::fclose(file);
  }
  return load;
}

}  // namespace

int main() {
  const uint32_t rounds = calibrate_rounds();
  {
    const auto start = Clock::now();
    const uint64_t value = job_work(1, rounds * 100);
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / 100;
    std::printf("job: %u splitmix64 rounds, %.2f us of CPU (result %llx)\n", rounds, us,
                static_cast<unsigned long long>(value & 0xff));
  }
  std::printf("workload: %llu jobs, %d workers, channel capacity %zu, one mutex per job\n",
              static_cast<unsigned long long>(kJobs), kWorkers, kCapacity);
  const double load_before = load_average();

  unrecorded(rounds);  // warm up caches, the allocator and the thread stacks
  recorded(rounds);
  // Each round runs the three arms back to back, in an order that rotates from
  // round to round. The second unrecorded arm measures nothing but the noise:
  // its ratio to the first is what the machine's load alone does to a ratio.
  std::vector<Sample> off, on, off_again;
  std::vector<double> pair_ratios;
  for (int round = 0; round < kRounds; ++round) {
    for (int arm = 0; arm < 3; ++arm) {
      switch ((round + arm) % 3) {
        case 0:
          off.push_back(unrecorded(rounds));
          break;
        case 1:
          on.push_back(recorded(rounds));
          break;
        default:
          off_again.push_back(unrecorded(rounds));
          break;
      }
    }
    pair_ratios.push_back(on.back().wall_s / off.back().wall_s);
  }
  for (const std::vector<Sample>* arm : {&off, &on, &off_again}) {
    for (const Sample& sample : *arm) {
      if (sample.checksum != off.front().checksum) {
        std::fprintf(stderr, "runs disagree on the checksum\n");
        return 1;
      }
    }
  }

  auto wall = [](const Sample& s) { return s.wall_s; };
  auto cpu = [](const Sample& s) { return s.usage.cpu_s; };
  auto voluntary = [](const Sample& s) { return s.usage.voluntary; };
  auto involuntary = [](const Sample& s) { return s.usage.involuntary; };
  const double off_wall = median_of(off, wall);
  const double on_wall = median_of(on, wall);
  const double ratio = on_wall / off_wall;
  const double noise_ratio = median_of(off_again, wall) / off_wall;
  // A round's recorded and unrecorded runs ran close together, so their ratio
  // cancels slow changes in the machine's load; the spread of these ratios says
  // how far to trust `ratio`.
  const double paired = quantile(pair_ratios, 0.5);
  const double paired_q1 = quantile(pair_ratios, 0.25);
  const double paired_q3 = quantile(pair_ratios, 0.75);
  const double cpu_ratio = median_of(on, cpu) / median_of(off, cpu);
  const double stop_ms = median_of(on, [](const Sample& s) { return s.stop_s; }) * 1e3;
  uint64_t events = 0, dropped = 0, bytes = 0;
  for (const Sample& sample : on) {
    events += sample.events;
    dropped += sample.dropped;
    bytes += sample.bytes;
  }
  const double events_per_run = static_cast<double>(events) / kRounds;
  const double bytes_per_event =
      static_cast<double>(bytes) / static_cast<double>(std::max<uint64_t>(events, 1));

  std::printf(
      "%d rounds of unrecorded, recorded and unrecorded-again runs in rotating order, load "
      "average %.1f before and %.1f after; medians:\n",
      kRounds, load_before, load_average());
  std::printf(
      "unrecorded: %6.1f ms wall, %6.1f ms CPU, context switches %.0f blocked, %.0f "
      "preempted\n",
      off_wall * 1e3, median_of(off, cpu) * 1e3, median_of(off, voluntary),
      median_of(off, involuntary));
  std::printf(
      "recorded:   %6.1f ms wall, %6.1f ms CPU, context switches %.0f blocked, %.0f "
      "preempted; then stop() %.2f ms\n",
      on_wall * 1e3, median_of(on, cpu) * 1e3, median_of(on, voluntary), median_of(on, involuntary),
      stop_ms);
  std::printf(
      "recorded/unrecorded wall: %.3fx (per round: median %.3fx, quartiles %.3f-%.3f); "
      "CPU %.3fx\n",
      ratio, paired, paired_q1, paired_q3, cpu_ratio);
  std::printf("unrecorded-again/unrecorded wall (noise alone): %.3fx\n", noise_ratio);
  std::printf(
      "per recorded run: %.0f events (%.1f per job, %.2f M events/s), %.2f bytes/event; "
      "%llu dropped in all runs\n",
      events_per_run, events_per_run / kJobs, events_per_run / on_wall / 1e6, bytes_per_event,
      static_cast<unsigned long long>(dropped));

  std::printf("\n");
  std::printf("metric worker_pool_unrecorded_ms %.2f ms\n", off_wall * 1e3);
  std::printf("metric worker_pool_recorded_ms %.2f ms\n", on_wall * 1e3);
  std::printf("metric worker_pool_recorded_vs_unrecorded %.3f ratio\n", ratio);
  std::printf("metric worker_pool_recorded_vs_unrecorded_paired %.3f ratio\n", paired);
  std::printf("metric worker_pool_recorded_vs_unrecorded_paired_q1 %.3f ratio\n", paired_q1);
  std::printf("metric worker_pool_recorded_vs_unrecorded_paired_q3 %.3f ratio\n", paired_q3);
  std::printf("metric worker_pool_unrecorded_vs_unrecorded %.3f ratio\n", noise_ratio);
  std::printf("metric worker_pool_cpu_recorded_vs_unrecorded %.3f ratio\n", cpu_ratio);
  std::printf("metric worker_pool_stop_ms %.2f ms\n", stop_ms);
  std::printf("metric worker_pool_events_per_run %.0f events\n", events_per_run);
  std::printf("metric worker_pool_dropped_events %llu events\n",
              static_cast<unsigned long long>(dropped));
  std::printf("metric worker_pool_bytes_per_event %.2f bytes\n", bytes_per_event);
  return 0;
}
