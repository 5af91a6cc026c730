// `taskscope top` following a program that records 5 M events/s (issue 15).
//
// A writer thread produces a stream-mode trace at a paced rate (default 5 M
// events/s for 5 s) the way the recorder's flusher does: every 50 ms each
// thread's pending events go out as frames with a watermark. The mix is the
// analyzer benchmark's: threads taking shared mutexes, a bounded channel between
// a producer and a consumer, async tasks polled on workers with wakers, task
// churn, spans. Event times are the writer's wall clock since it started, so a
// frame's elapsed_ns says how far behind the live view is.
//
// The follower is a child process, `taskscope top -b --format json -d 200ms
// FILE`, as a user runs it. Measured: its CPU (getrusage of the child) as a
// fraction of one core over its life, its peak RSS, how far each frame's state
// lagged the writer when the frame was printed, the time it needed after the
// writer closed the file to print the final state, and the events/s it
// processed. Baseline in the same run: the CPU of a one-shot `taskscope analyze`
// of the finished file (what replaying those events costs anyway).
//
//   build/bench/top_bench         (TASKSCOPE_BENCH_RATE=events/s,
//                                  TASKSCOPE_BENCH_SECONDS=s, TASKSCOPE_BIN=cli)
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench_metrics.hpp"
#include "event_mix.hpp"
#include "taskscope/format/writer.hpp"

namespace {

using namespace taskscope::format;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kThreads = taskscope::bench::kMixThreads;
constexpr int64_t kFlushNs = 50'000'000;  // the recorder's flusher period in this run

double env_or(const char* name, double fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::strtod(value, nullptr) : fallback;
}

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct WriterResult {
  uint64_t events = 0;
  double seconds = 0;      // from the first event to the footer
  double cpu_seconds = 0;  // the writer thread's own CPU
  Clock::time_point closed;
};

// Trace time up to which the writer has written every event (its last flush).
std::atomic<int64_t> g_written_ns{0};

// Writes the trace at `rate` events/s for `seconds`, flushing every kFlushNs.
WriterResult write_paced(const std::string& path, double rate, double seconds,
                         Clock::time_point origin) {
  WriterResult result;
  const double cpu_before = thread_cpu_seconds();
  FrameEncoder encoder(3);
  TraceFile file;
  if (!file.open(path)) return result;
  TraceHeader header;
  header.version_major = kFormatMajor;
  header.version_minor = kFormatMinor;
  header.process_name = "top_bench";
  header.pid = static_cast<uint32_t>(::getpid());
  header.mode = "stream";
  file.write(encoder.header(header));
  const std::vector<StringEntry> strings = {
      {1, "worker"}, {2, "producer"}, {3, "consumer"}, {4, "request"}, {5, "src/server.cpp:40"},
      {6, "handle"}, {7, "queue"},    {8, "cache"},    {9, "stats"}};
  file.write(encoder.strings(strings));
  file.flush();

  std::vector<std::vector<Event>> pending(kThreads + 1);
  taskscope::bench::EventMix generator(pending);
  std::vector<Frame> frames;
  const auto since_origin = [&] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - origin).count();
  };
  const int64_t begin_ns = since_origin();
  generator.start(begin_ns);
  const int64_t end_ns = begin_ns + static_cast<int64_t>(seconds * 1e9);
  const double per_ns = rate / 1e9;
  uint64_t produced = 0;
  for (int64_t tick = begin_ns; tick < end_ns;) {
    const int64_t next_tick = std::min(tick + kFlushNs, end_ns);
    // The events the program recorded during this period, spread over it.
    const uint64_t due = static_cast<uint64_t>(per_ns * static_cast<double>(next_tick - begin_ns));
    const int64_t step =
        std::max<int64_t>(1, static_cast<int64_t>(1.0 / per_ns));
    int64_t now = std::max(tick, generator.now());
    while (produced < due) {
      produced += generator.round(now, step);
      now = generator.now();
      if (now >= next_tick) now = next_tick - 1;
    }
    // The flusher wakes at the end of the period and writes every thread's events.
    std::this_thread::sleep_until(origin + std::chrono::nanoseconds(next_tick));
    for (uint64_t thread = 1; thread < pending.size(); ++thread) {
      if (pending[thread].empty()) continue;
      int64_t watermark = next_tick;
      for (uint64_t other = 1; other < pending.size(); ++other)
        if (other != thread && !pending[other].empty())
          watermark = std::min(watermark, pending[other].front().ts_ns);
      frames.clear();
      encoder.batch(thread, pending[thread], watermark, frames);
      for (auto& frame : frames) file.write(frame);
      pending[thread].clear();
    }
    file.write(encoder.watermark(next_tick));
    file.flush();
    g_written_ns.store(next_tick);
    tick = next_tick;
  }
  TraceFooter footer;
  footer.events = produced;
  footer.end_ns = generator.now();
  file.write(encoder.footer(footer));
  file.close();
  result.closed = Clock::now();
  result.events = produced;
  result.seconds = static_cast<double>(since_origin() - begin_ns) / 1e9;
  result.cpu_seconds = thread_cpu_seconds() - cpu_before;
  return result;
}

struct Child {
  pid_t pid = -1;
  int out = -1;  // its stdout
};

Child spawn(const std::vector<std::string>& args) {
  Child child;
  int fds[2];
  if (::pipe(fds) != 0) return child;
  child.pid = ::fork();
  if (child.pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  child.out = fds[0];
  return child;
}

struct ChildUse {
  bool ok = false;
  double cpu_seconds = 0, wall_seconds = 0, peak_mib = 0;
};

ChildUse reap(const Child& child, Clock::time_point started) {
  ChildUse use;
  int status = 0;
  rusage usage{};
  if (::wait4(child.pid, &status, 0, &usage) != child.pid) return use;
  use.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  use.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  use.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                    static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  use.peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  return use;
}

int64_t json_int(const std::string& line, const char* key) {
  const std::string needle = std::string("\"") + key + "\":";
  const size_t at = line.find(needle);
  return at == std::string::npos ? -1 : std::strtoll(line.c_str() + at + needle.size(), nullptr, 10);
}

// What the follower printed: one JSON line per frame, each stamped on arrival.
struct FrameSeen {
  Clock::time_point at;
  int64_t written_ns = 0;  // what the writer had written then
  int64_t elapsed_ns = 0;
  uint64_t events = 0;
  bool ended = false;
};

std::vector<FrameSeen> read_frames(int fd) {
  std::vector<FrameSeen> seen;
  FILE* in = ::fdopen(fd, "r");
  if (in == nullptr) return seen;
  char* line = nullptr;
  size_t capacity = 0;
  while (::getline(&line, &capacity, in) > 0) {
    const std::string text(line);
    FrameSeen frame;
    frame.at = Clock::now();
    frame.written_ns = g_written_ns.load();
    frame.elapsed_ns = json_int(text, "elapsed_ns");
    frame.events = static_cast<uint64_t>(std::max<int64_t>(0, json_int(text, "events")));
    frame.ended = text.find("\"ended\":true") != std::string::npos;
    seen.push_back(frame);
  }
  std::free(line);
  std::fclose(in);
  return seen;
}

std::string cli_path() {
  if (const char* given = std::getenv("TASKSCOPE_BIN")) return given;
#ifdef TASKSCOPE_CLI_PATH
  return TASKSCOPE_CLI_PATH;
#else
  return "taskscope";
#endif
}

}  // namespace

int main() {
  const double rate = env_or("TASKSCOPE_BENCH_RATE", 5e6);
  const double seconds = env_or("TASKSCOPE_BENCH_SECONDS", 5);
  const std::string cli = cli_path();
  const std::string path = "/tmp/top-bench-" + std::to_string(::getpid()) + ".tscope";

  // The header goes out before top starts, as `taskscope record` renames the
  // file into place once it holds one.
  const Clock::time_point origin = Clock::now();
  WriterResult written;
  std::thread writer([&] {
    written = write_paced(path, rate, seconds, origin);
  });
  while (!std::filesystem::exists(path) || std::filesystem::file_size(path) == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const Clock::time_point follower_start = Clock::now();
  const Child follower = spawn({cli, "top", "-b", "--format", "json", "-d", "200ms", path});
  if (follower.pid < 0) {
    std::fprintf(stderr, "top_bench: cannot start %s\n", cli.c_str());
    writer.join();
    return 1;
  }
  std::vector<FrameSeen> seen;
  std::thread reader([&] { seen = read_frames(follower.out); });
  writer.join();
  reader.join();
  const ChildUse top = reap(follower, follower_start);

  const Clock::time_point analyze_start = Clock::now();
  const Child analyze = spawn({cli, "analyze", path, "-o", "/dev/null"});
  if (analyze.out >= 0) ::close(analyze.out);
  const ChildUse once = reap(analyze, analyze_start);
  if (!std::getenv("TASKSCOPE_BENCH_KEEP")) std::filesystem::remove(path);

  if (!top.ok || seen.empty() || !seen.back().ended || written.events == 0) {
    std::fprintf(stderr, "top_bench: the follower failed (%zu frames, exit %s)\n", seen.size(),
                 top.ok ? "ok" : "failed");
    return 1;
  }
  // Lag of each frame printed while the writer ran: how far (in trace time) its
  // state was behind what the writer had written when it appeared.
  double lag_max = 0, lag_sum = 0;
  size_t lag_frames = 0;
  for (const FrameSeen& frame : seen) {
    if (frame.ended || frame.at > written.closed) continue;
    const double lag = static_cast<double>(frame.written_ns - frame.elapsed_ns) / 1e9;
    lag_max = std::max(lag_max, lag);
    lag_sum += lag;
    ++lag_frames;
  }
  const FrameSeen& last = seen.back();
  const double final_after = std::chrono::duration<double>(last.at - written.closed).count();
  std::printf("wrote %llu events in %.2f s; top printed %zu frames, the last with %llu events\n",
              static_cast<unsigned long long>(written.events), written.seconds, seen.size(),
              static_cast<unsigned long long>(last.events));
  using taskscope::bench::report_metric;
  const double writer_rate = static_cast<double>(written.events) / written.seconds;
  report_metric("top.writer_events_per_second", writer_rate / 1e6, "Mevents/s");
  report_metric("top.writer_cpu_cores", written.cpu_seconds / written.seconds, "cores");
  report_metric("top.follower_cpu_cores", top.cpu_seconds / top.wall_seconds, "cores");
  report_metric("top.follower_events_per_second",
                static_cast<double>(last.events) / top.wall_seconds / 1e6, "Mevents/s");
  report_metric("top.follower_events_per_cpu_second",
                static_cast<double>(last.events) / std::max(1e-9, top.cpu_seconds) / 1e6,
                "Mevents/s");
  report_metric("top.follower_peak_rss", top.peak_mib, "MiB");
  report_metric("top.frame_lag_max", lag_max * 1e3, "ms");
  report_metric("top.frame_lag_mean", lag_frames ? lag_sum / static_cast<double>(lag_frames) * 1e3 : 0, "ms");
  report_metric("top.final_frame_after_close", final_after * 1e3, "ms");
  report_metric("top.events_shown_vs_written",
                static_cast<double>(last.events) / static_cast<double>(written.events), "ratio");
  if (once.ok) {
    report_metric("top.analyze_once_cpu", once.cpu_seconds, "s");
    report_metric("top.follower_cpu_vs_analyze_once", top.cpu_seconds / std::max(1e-9, once.cpu_seconds),
                  "ratio");
  }
  for (const auto& [name, value] : taskscope::bench::metrics())
    std::printf("metric %s %.6g %s\n", name.c_str(), value.first, value.second.c_str());
  return 0;
}
