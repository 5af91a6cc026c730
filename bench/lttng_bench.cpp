// taskscope and LTTng-UST side by side, in one run: the same event payload (a
// kind, two 64-bit fields and a 32-bit string id: what taskscope records for a
// channel send) through taskscope's record path and through an LTTng-UST
// tracepoint (bench/lttng_tp.h), each timed on the same thread with the same
// burst schedule against a bare rdtsc measured here too. Reports ns per event
// (median, p99) and bytes per event on disk for both, and what each costs while
// nothing records.
//
// The active tracepoint needs a session daemon: the benchmark uses a running one,
// or starts `lttng-sessiond --no-kernel` as its own child and stops it at the end,
// and drives a session through the `lttng` command (create, enable-event, start,
// stop, destroy) writing to a temporary directory. Without the `lttng` command,
// or when no daemon can be reached, that part is skipped with a message.
//
// Built without liblttng-ust (CMake found no lttng-ust package), it prints why
// and `metric lttng_skipped 1 flag`.
//
// Events are timed kBatch at a time and recorded in bursts much smaller than
// either tracer's buffers, with a pause between bursts for the consumers to
// drain: the numbers are the cost of recording, never of dropping (drop and
// discard counts are printed to prove it).
#include <cstdio>

#if defined(TASKSCOPE_HAVE_LTTNG_UST)

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "taskscope/taskscope.hpp"
#include "tsc_sampling.hpp"

#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "lttng_tp.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kBatch = 64;            // events per timed sample
constexpr int kSamplesPerBurst = 64;  // 4096 events per burst
constexpr int kBursts = 40;
constexpr auto kDrainPause = std::chrono::milliseconds(12);
constexpr uint64_t kEvents = uint64_t{kBatch} * kSamplesPerBurst * kBursts;

// The payload both tracers carry.
constexpr auto kKind = taskscope::EventKind::kChannelSend;
constexpr uint64_t kChannel = 7;
constexpr uint32_t kWhere = 42;

double g_ticks_per_ns = 0;

using taskscope::bench::Distribution;

// Times kBatch calls of `op` per sample, in bursts with a drain pause between.
// `op` gets a sequence number, the payload's varying field.
template <class Op>
Distribution sample(Op op) {
  op(0);  // not measured: the first event may set up per-thread state
  return taskscope::bench::summarize(taskscope::bench::sample_batches(
      {kBatch, kSamplesPerBurst, kBursts, g_ticks_per_ns},
      [&](uint64_t sequence) { op(sequence + 1); },
      [] { std::this_thread::sleep_for(kDrainPause); }));
}

// The baseline: one bare rdtsc, its value kept so that it is not optimised out.
void rdtsc_one(uint64_t) {
  uint64_t ticks = __rdtsc();
  benchmark::DoNotOptimize(ticks);
}

void taskscope_one(uint64_t i) { taskscope::emit(kKind, 0, kChannel, i, kWhere); }

void lttng_one(uint64_t i) {
  lttng_ust_tracepoint(taskscope_bench, event, static_cast<uint8_t>(kKind), kChannel, i, kWhere);
}

bool lttng_enabled() { return lttng_ust_tracepoint_enabled(taskscope_bench, event); }

std::string temp_name(const char* tag) {
  return (std::filesystem::temp_directory_path() /
          (std::string("taskscope-bench-") + tag + "-" + std::to_string(::getpid())))
      .string();
}

struct TreeSize {
  uint64_t bytes = 0;       // as written
  uint64_t zstd_bytes = 0;  // each file compressed with zstd at taskscope's default level
};

// The files under `root`, as written and compressed: LTTng writes its fields
// uncompressed, taskscope compresses them, and this separates the two effects.
TreeSize tree_size(const std::filesystem::path& root) {
  TreeSize size;
  std::error_code error;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root, error)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    std::string compressed(ZSTD_compressBound(data.size()), '\0');
    const size_t written = ZSTD_compress(compressed.data(), compressed.size(), data.data(),
                                         data.size(), taskscope::Config{}.zstd_level);
    size.bytes += data.size();
    size.zstd_bytes += ZSTD_isError(written) ? data.size() : written;
  }
  return size;
}

// Runs a shell command (built here from fixed words and temporary paths);
// returns its exit status and, when asked, what it printed.
int run(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string text;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) text += buffer;
  const int status = ::pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The session daemon the active measurement talks to: one that was already
// running, or one started here as a child process and stopped by the destructor.
class SessionDaemon {
 public:
  SessionDaemon() = default;
  SessionDaemon(const SessionDaemon&) = delete;
  SessionDaemon& operator=(const SessionDaemon&) = delete;
  ~SessionDaemon() {
    if (child_ <= 0) return;
    ::kill(child_, SIGTERM);
    int status = 0;
    ::waitpid(child_, &status, 0);
  }

  // True when a daemon answers; otherwise `why` says what failed.
  bool reach(std::string* why) {
    if (run("command -v lttng >/dev/null") != 0) {
      *why = "no `lttng` command on PATH (install lttng-tools)";
      return false;
    }
    if (answers()) return true;
    const char* argv[] = {"lttng-sessiond", "--no-kernel", nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int error =
        posix_spawnp(&child_, argv[0], &actions, nullptr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
      child_ = -1;
      *why = "cannot start lttng-sessiond";
      return false;
    }
    for (int attempt = 0; attempt < 100; ++attempt) {
      int status = 0;
      if (::waitpid(child_, &status, WNOHANG) == child_) {
        child_ = -1;
        *why = "lttng-sessiond exited at start-up";
        return false;
      }
      if (answers()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    *why = "lttng-sessiond did not answer within 5 s";
    return false;
  }

  bool started_here() const { return child_ > 0; }

 private:
  static bool answers() { return run("lttng --no-sessiond list >/dev/null") == 0; }

  pid_t child_ = -1;
};

// Sums the "Discarded events: N" lines of `lttng list <session>`.
uint64_t discarded_events(const std::string& listing) {
  uint64_t total = 0;
  const std::string key = "Discarded events:";
  for (size_t at = listing.find(key); at != std::string::npos; at = listing.find(key, at + 1))
    total += std::strtoull(listing.c_str() + at + key.size(), nullptr, 10);
  return total;
}

struct Tracer {
  Distribution cost;
  uint64_t events = 0;
  uint64_t lost = 0;  // taskscope: dropped; LTTng: discarded
  uint64_t bytes = 0;
  uint64_t zstd_bytes = 0;  // LTTng: its files compressed as taskscope would
  double bytes_per_event() const { return per_event(bytes); }
  double zstd_bytes_per_event() const { return per_event(zstd_bytes); }
  double per_event(uint64_t total) const {
    return static_cast<double>(total) / static_cast<double>(std::max<uint64_t>(events, 1));
  }
};

Tracer measure_taskscope() {
  const std::string path = temp_name("lttng-side") + ".tscope";
  taskscope::Config config;
  config.output = path;
  if (!taskscope::start(config)) {
    std::fprintf(stderr, "cannot record to %s\n", path.c_str());
    std::exit(1);
  }
  Tracer result;
  result.cost = sample(taskscope_one);
  taskscope::stop();
  const taskscope::Stats stats = taskscope::session_stats();
  result.events = stats.events;
  result.lost = stats.dropped;
  result.bytes = std::filesystem::file_size(path);
  std::filesystem::remove(path);
  return result;
}

// An LTTng session enabling the tracepoint, written to a temporary directory.
// Returns false with `why` set when the session cannot be made active.
bool measure_lttng_active(Tracer* result, std::string* why) {
  const std::string session = "taskscope-bench-" + std::to_string(::getpid());
  const std::filesystem::path output = temp_name("lttng");
  std::string text;
  if (run("lttng create " + session + " --output='" + output.string() + "'", &text) != 0) {
    *why = "lttng create failed: " + text;
    return false;
  }
  bool ok = run("lttng enable-event --userspace taskscope_bench:event --session=" + session,
                &text) == 0 &&
            run("lttng start " + session, &text) == 0;
  if (!ok) *why = "lttng enable-event/start failed: " + text;
  // The application registers with the daemon asynchronously (at once if the
  // daemon was running when it started, else when the daemon wakes it).
  for (int attempt = 0; ok && !lttng_enabled(); ++attempt) {
    if (attempt == 500) {
      *why = "the tracepoint was not enabled within 5 s (application not registered)";
      ok = false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (ok) {
    result->cost = sample(lttng_one);
    ok = run("lttng stop " + session, &text) == 0;  // waits until the data is on disk
    if (!ok) *why = "lttng stop failed: " + text;
    run("lttng list " + session, &text);
    const uint64_t emitted = kEvents + 1;
    result->lost = std::min(discarded_events(text), emitted);
    result->events = emitted - result->lost;
  }
  run("lttng destroy " + session + " >/dev/null");
  const TreeSize size = tree_size(output);
  result->bytes = size.bytes;
  result->zstd_bytes = size.zstd_bytes;
  std::error_code error;
  std::filesystem::remove_all(output, error);
  return ok;
}

}  // namespace

int main() {
  g_ticks_per_ns = taskscope::bench::measure_ticks_per_ns();
  std::printf("counter: %.3f ticks/ns; %llu events per measurement, bursts of %d\n", g_ticks_per_ns,
              static_cast<unsigned long long>(kEvents), kBatch * kSamplesPerBurst);

  const Distribution rdtsc = sample(rdtsc_one);
  const bool enabled_before = lttng_enabled();
  const Distribution inactive = sample(lttng_one);
  const Distribution ours_inactive = sample(taskscope_one);  // no session yet
  const Tracer ours = measure_taskscope();

  std::printf("rdtsc:                      median %7.2f ns  p99 %7.2f ns\n", rdtsc.median,
              rdtsc.p99);
  std::printf("LTTng tracepoint, %s: median %7.2f ns  p99 %7.2f ns\n",
              enabled_before ? "enabled!" : "inactive", inactive.median, inactive.p99);
  std::printf("taskscope, no session:      median %7.2f ns  p99 %7.2f ns\n", ours_inactive.median,
              ours_inactive.p99);
  std::printf(
      "taskscope record:           median %7.2f ns  p99 %7.2f ns  %.2f bytes/event "
      "(%llu events, %llu dropped)\n",
      ours.cost.median, ours.cost.p99, ours.bytes_per_event(),
      static_cast<unsigned long long>(ours.events), static_cast<unsigned long long>(ours.lost));

  SessionDaemon daemon;
  std::string why;
  Tracer lttng;
  const bool active = daemon.reach(&why) && measure_lttng_active(&lttng, &why);
  if (active) {
    std::printf(
        "LTTng tracepoint, active:   median %7.2f ns  p99 %7.2f ns  %.2f bytes/event, %.2f "
        "with zstd (%llu events, %llu discarded; session daemon %s)\n",
        lttng.cost.median, lttng.cost.p99, lttng.bytes_per_event(), lttng.zstd_bytes_per_event(),
        static_cast<unsigned long long>(lttng.events), static_cast<unsigned long long>(lttng.lost),
        daemon.started_here() ? "started by this benchmark" : "already running");
    std::printf("LTTng vs taskscope: %.1fx ns/event, %.1fx bytes/event\n",
                lttng.cost.median / ours.cost.median,
                lttng.bytes_per_event() / ours.bytes_per_event());
  } else {
    std::printf("LTTng tracepoint, active: skipped: %s\n", why.c_str());
  }

  std::printf("\n");
  std::printf("metric lttng_rdtsc_median_ns %.2f ns\n", rdtsc.median);
  std::printf("metric taskscope_event_median_ns %.2f ns\n", ours.cost.median);
  std::printf("metric taskscope_event_p99_ns %.2f ns\n", ours.cost.p99);
  std::printf("metric taskscope_bytes_per_event %.2f bytes\n", ours.bytes_per_event());
  std::printf("metric taskscope_dropped_events %llu events\n",
              static_cast<unsigned long long>(ours.lost));
  std::printf("metric taskscope_inactive_median_ns %.2f ns\n", ours_inactive.median);
  std::printf("metric lttng_inactive_median_ns %.2f ns\n", inactive.median);
  if (active) {
    std::printf("metric lttng_event_median_ns %.2f ns\n", lttng.cost.median);
    std::printf("metric lttng_event_p99_ns %.2f ns\n", lttng.cost.p99);
    std::printf("metric lttng_bytes_per_event %.2f bytes\n", lttng.bytes_per_event());
    std::printf("metric lttng_zstd_bytes_per_event %.2f bytes\n", lttng.zstd_bytes_per_event());
    std::printf("metric lttng_discarded_events %llu events\n",
                static_cast<unsigned long long>(lttng.lost));
    std::printf("metric lttng_vs_taskscope_ns_ratio %.2f x\n",
                lttng.cost.median / ours.cost.median);
    std::printf("metric lttng_vs_taskscope_bytes_ratio %.2f x\n",
                lttng.bytes_per_event() / ours.bytes_per_event());
  } else {
    std::printf("metric lttng_active_skipped 1 flag\n");
  }
  return 0;
}

#else  // !TASKSCOPE_HAVE_LTTNG_UST

int main() {
  std::printf(
      "lttng_bench: skipped: built without LTTng-UST (install liblttng-ust-dev and "
      "lttng-tools, then reconfigure)\n");
  std::printf("metric lttng_skipped 1 flag\n");
  return 0;
}

#endif
