// Throughput of `taskscope stats`, `taskscope diff` and `taskscope export` on a large
// generated trace (>= 10 M events: worker threads polling tasks that lock, send,
// wake and enter spans), in events per second of CPU time on one core. Ends with
// `metric` lines. The export writes into a stream that only counts bytes, so the
// figure is the model walk and the JSON writing, not the disk.
// `stats_peak_rss` is the peak resident memory of a fresh process (this binary,
// --stats-child PATH) that does nothing but the stats pass over the base trace.
// The run fails (exit status 1) if a diff misses the lock the slow trace slowed.
//
// Environment: TASKSCOPE_BENCH_EVENTS overrides the event count (default 10.5 M).
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <streambuf>
#include <string>
#include <vector>

#include "taskscope/analyzer/chrome_export.hpp"
#include "taskscope/analyzer/diff.hpp"
#include "taskscope/analyzer/stats.hpp"
#include "taskscope/format/reader.hpp"
#include "taskscope/format/writer.hpp"

namespace {

using taskscope::format::Event;
using taskscope::format::EventKind;

constexpr uint64_t kWorkers = 4, kMain = 100, kTasks = 400, kLocks = 16, kChannels = 4;
constexpr uint64_t kFirstTask = 1000, kFirstLock = 1, kFirstChannel = 50;

// Writes a trace of about `target` events. `slow_lock` is held `slow_factor`
// times longer than the others (the change a diff should find).
uint64_t generate(const std::string& path, uint64_t target, double slow_factor) {
  using namespace taskscope::format;
  FrameEncoder encoder(1);
  TraceFile file;
  if (!file.open(path)) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
  TraceHeader header;
  header.version_major = kFormatMajor;
  header.version_minor = kFormatMinor;
  header.process_name = "stats_bench";
  header.mode = "stream";
  file.write(encoder.header(header));
  std::vector<StringEntry> strings = {{1, "handle"}, {2, "main"}};
  for (uint64_t i = 0; i < 20; ++i)
    strings.push_back({uint32_t(10 + i), "task-" + std::to_string(i)});
  for (uint64_t i = 0; i < kLocks; ++i)
    strings.push_back({uint32_t(40 + i), "lock-" + std::to_string(i)});
  for (uint64_t i = 0; i < kChannels; ++i)
    strings.push_back({uint32_t(60 + i), "queue-" + std::to_string(i)});
  for (uint64_t w = 0; w < kWorkers; ++w)
    strings.push_back({uint32_t(70 + w), "worker-" + std::to_string(w)});
  file.write(encoder.strings(strings));

  std::vector<Frame> frames;
  uint64_t written = 0;
  const auto ev = [](int64_t ts, uint64_t thread, EventKind kind, uint8_t op, uint64_t a,
                     uint64_t b = 0, uint32_t str = 0) {
    Event e;
    e.ts_ns = ts;
    e.thread = thread;
    e.kind = kind;
    e.op = op;
    e.a = a;
    e.b = b;
    e.str = str;
    return e;
  };
  // Setup at time 0 by main: threads, resources, tasks.
  std::vector<Event> setup;
  setup.push_back(ev(0, kMain, EventKind::kThreadStart, 0, kMain, 0, 2));
  for (uint64_t i = 0; i < kLocks; ++i)
    setup.push_back(ev(0, kMain, EventKind::kResourceCreate, uint8_t(ResourceKind::kMutex),
                       kFirstLock + i, 0, uint32_t(40 + i)));
  for (uint64_t i = 0; i < kChannels; ++i)
    setup.push_back(ev(0, kMain, EventKind::kResourceCreate, uint8_t(ResourceKind::kChannel),
                       kFirstChannel + i, 64, uint32_t(60 + i)));
  for (uint64_t t = 0; t < kTasks; ++t)
    setup.push_back(ev(0, kMain, EventKind::kTaskSpawn, 0, kFirstTask + t, 10 + t % 20));
  encoder.batch(kMain, setup, 1, frames);
  written += setup.size();

  uint64_t rng = 88172645463325252ULL;
  const auto next = [&rng] {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  std::vector<int64_t> clock(kWorkers, 1);
  std::vector<uint64_t> depth(kChannels, 0);
  std::vector<Event> batch;
  constexpr int64_t kWindow = 2'000'000;
  for (int64_t window_end = kWindow; written < target; window_end += kWindow) {
    for (uint64_t w = 0; w < kWorkers; ++w) {
      const uint64_t thread = 1 + w;
      batch.clear();
      int64_t t = clock[w];
      if (window_end == kWindow)
        batch.push_back(ev(t, thread, EventKind::kThreadStart, 0, thread, kMain, uint32_t(70 + w)));
      while (t < window_end - 20'000) {
        const uint64_t r = next();
        const uint64_t task = kFirstTask + (r % (kTasks / kWorkers)) * kWorkers + w;
        const uint64_t lock = kFirstLock + (r >> 8) % kLocks;
        const uint64_t ch = (r >> 16) % kChannels;
        batch.push_back(ev(t, thread, EventKind::kPollBegin, 0, task));
        batch.push_back(ev(t += 40, thread, EventKind::kSpanEnter, 0, 1));
        if ((r >> 24) % 8 == 0) {
          batch.push_back(ev(t += 30, thread, EventKind::kWaitBegin, uint8_t(WaitOp::kLock), lock));
          batch.push_back(
              ev(t += 200 + int64_t(r >> 40) % 400, thread, EventKind::kWaitEnd, 0, lock));
        }
        const int64_t hold = 150 + int64_t((r >> 32) % 300);
        batch.push_back(ev(t += 20, thread, EventKind::kAcquired, 0, lock));
        batch.push_back(ev(t += lock == kFirstLock + 3 ? int64_t(hold * slow_factor) : hold, thread,
                           EventKind::kReleased, 0, lock));
        depth[ch] = (r >> 48) % 2 ? std::min<uint64_t>(depth[ch] + 1, 64)
                    : depth[ch]   ? depth[ch] - 1
                                  : 0;
        batch.push_back(
            ev(t += 30, thread, EventKind::kChannelSend, 0, kFirstChannel + ch, depth[ch]));
        batch.push_back(ev(t += 20, thread, EventKind::kSpanExit, 0, 1));
        batch.push_back(ev(t += 20, thread, EventKind::kWake, 0, kFirstTask + (r >> 20) % kTasks));
        batch.push_back(
            ev(t += 30, thread, EventKind::kPollEnd, uint8_t(PollResult::kPending), task));
        t += 100 + int64_t((r >> 56) % 200);
      }
      clock[w] = t;
      // Every later frame (the other workers' batches of this window included)
      // starts no earlier than where this window's steps could start.
      encoder.batch(thread, batch, window_end - kWindow - 20'000, frames);
      written += batch.size();
    }
    for (const Frame& frame : frames) file.write(frame);
    frames.clear();
  }
  TraceFooter footer;
  footer.events = written;
  file.write(encoder.footer(footer));
  file.close();
  return written;
}

struct Fixture {
  std::string base, slow;
  uint64_t base_events = 0, slow_events = 0;
  double best_stats_s = 1e30, best_diff_s = 1e30, best_read_s = 1e30, best_export_s = 1e30;
  uint64_t export_bytes = 0;
  bool diff_missed = false;
};

Fixture& fixture() {
  static Fixture f = [] {
    Fixture x;
    const char* env = std::getenv("TASKSCOPE_BENCH_EVENTS");
    const uint64_t target = env ? std::strtoull(env, nullptr, 10) : 10'500'000;
    const auto dir = std::filesystem::temp_directory_path();
    x.base = (dir / "taskscope_stats_bench_base.tscope").string();
    x.slow = (dir / "taskscope_stats_bench_slow.tscope").string();
    x.base_events = generate(x.base, target, 1.0);
    x.slow_events = generate(x.slow, target, 3.0);
    return x;
  }();
  return f;
}

// CPU time of this thread: the machine is shared, and the figure that matters is
// what one core can do, not how long the scheduler kept us waiting.
double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void BM_ReadOnly(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    const double start = cpu_seconds();
    taskscope::format::TraceReader reader(f.base);
    taskscope::format::Event e;
    uint64_t n = 0;
    while (reader.next(e)) ++n;
    benchmark::DoNotOptimize(n);
    f.best_read_s = std::min(f.best_read_s, cpu_seconds() - start);
  }
  state.SetItemsProcessed(int64_t(state.iterations() * f.base_events));
}

void BM_Stats(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    const double start = cpu_seconds();
    const auto stats = taskscope::analyzer::compute_stats(f.base);
    benchmark::DoNotOptimize(stats.agents.size());
    f.best_stats_s = std::min(f.best_stats_s, cpu_seconds() - start);
  }
  state.SetItemsProcessed(int64_t(state.iterations() * f.base_events));
}

void BM_Diff(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    const double start = cpu_seconds();
    const auto diff = taskscope::analyzer::diff_traces(f.base, f.slow, {});
    benchmark::DoNotOptimize(diff.changes.size());
    f.best_diff_s = std::min(f.best_diff_s, cpu_seconds() - start);
    bool found = false;
    for (const auto& change : diff.changes)
      found |= change.name == "lock-3" && change.metric == "hold_time" && change.significant;
    if (!found) {
      // Skipping alone would leave the exit status at 0: main fails the run.
      f.diff_missed = true;
      state.SkipWithError("diff missed the slow lock");
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations() * (f.base_events + f.slow_events)));
}

// Discards what it is given and counts it.
class CountingBuffer : public std::streambuf {
 public:
  uint64_t bytes = 0;

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) ++bytes;
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<uint64_t>(n);
    return n;
  }
};

void BM_Export(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    CountingBuffer sink;
    std::ostream out(&sink);
    const double start = cpu_seconds();
    taskscope::format::TraceReader reader(f.base);
    const auto summary = taskscope::analyzer::export_chrome(reader, out);
    benchmark::DoNotOptimize(summary.slices);
    f.best_export_s = std::min(f.best_export_s, cpu_seconds() - start);
    f.export_bytes = sink.bytes;
  }
  state.SetItemsProcessed(int64_t(state.iterations() * f.base_events));
}

BENCHMARK(BM_ReadOnly)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Stats)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Diff)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Export)->Unit(benchmark::kMillisecond)->Iterations(2);

// The child: the stats pass alone, in a process that has done nothing else.
int stats_child(const char* path) {
  const auto stats = taskscope::analyzer::compute_stats(path);
  return stats.agents.empty() ? 1 : 0;
}

// Peak RSS in KiB of a child that runs the stats pass over `path` (negative on
// failure). The child is exec'd, so the fixture and the benchmarks run in this
// process are not in its address space; fork copies only this process's current
// page tables, not its high-water mark, and right after generating the traces
// this process is about the size of a freshly started one.
long stats_child_peak_kib(const std::string& path) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const pid_t child = fork();
  if (child == 0) {
    execl(self.c_str(), self.c_str(), "--stats-child", path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (child < 0) return -1;
  int status = 0;
  rusage usage{};
  if (wait4(child, &status, 0, &usage) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return -1;
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--stats-child") == 0) return stats_child(argv[2]);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Measured before the benchmarks grow this process: see stats_child_peak_kib.
  const long stats_peak_kib = stats_child_peak_kib(fixture().base);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  Fixture& f = fixture();
  std::printf("metric stats_trace_events %llu events\n",
              static_cast<unsigned long long>(f.base_events));
  if (f.best_read_s < 1e30)
    std::printf("metric stats_read_only_throughput %.0f events/s\n", f.base_events / f.best_read_s);
  if (f.best_stats_s < 1e30)
    std::printf("metric stats_throughput %.0f events/s\n", f.base_events / f.best_stats_s);
  if (f.best_diff_s < 1e30 && !f.diff_missed)
    std::printf("metric diff_throughput %.0f events/s\n",
                (f.base_events + f.slow_events) / f.best_diff_s);
  if (f.best_export_s < 1e30) {
    std::printf("metric export_throughput %.0f events/s\n", f.base_events / f.best_export_s);
    std::printf("metric export_output %.1f MiB\n", f.export_bytes / 1048576.0);
  }
  if (stats_peak_kib >= 0) std::printf("metric stats_peak_rss %.1f MiB\n", stats_peak_kib / 1024.0);
  std::filesystem::remove(f.base);
  std::filesystem::remove(f.slow);
  if (stats_peak_kib < 0) {
    std::fprintf(stderr, "stats_bench: the stats child process failed\n");
    return 1;
  }
  if (f.diff_missed) {
    std::fprintf(stderr, "stats_bench: diff did not find the slowed lock-3\n");
    return 1;
  }
  return 0;
}
