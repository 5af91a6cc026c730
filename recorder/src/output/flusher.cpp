#include "output/flusher.hpp"

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <queue>

#include "hot_path/last_thread.hpp"
#include "output/output_file.hpp"
#include "hot_path/reentry.hpp"
#include "hot_path/session_state.hpp"
#include "hot_path/strings.hpp"
#include "output/wakeup.hpp"

namespace taskscope::detail {
namespace {

constexpr auto kDumpRequestTimeout = std::chrono::seconds(30);
constexpr int64_t kThreadCheckNs = 200'000'000;
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE};

std::string signal_reason(int signal) { return "signal " + std::to_string(signal); }

// The CPU time the program's threads used so far: the process's, less the
// calling thread's (the flusher, the recorder's only thread). -1 if unknown.
int64_t program_cpu_ns() {
  timespec process, own;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &process) != 0 ||
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &own) != 0)
    return -1;
  const int64_t total = static_cast<int64_t>(process.tv_sec) * 1'000'000'000 + process.tv_nsec;
  const int64_t mine = static_cast<int64_t>(own.tv_sec) * 1'000'000'000 + own.tv_nsec;
  return std::max<int64_t>(total - mine, 0);
}

void say(const char* text) {
  ssize_t ignored = ::write(STDERR_FILENO, text, std::char_traits<char>::length(text));
  (void)ignored;
}

}  // namespace

Flusher::Flusher(const Config& config, const Calibration& clock, std::string output,
                 std::vector<ModuleInfo> modules)
    : config_(config),
      clock_(clock),
      output_(std::move(output)),
      modules_(std::move(modules)),
      encoder_(config.zstd_level),
      mirror_enabled_(config.mode == Mode::kFlight || config.hang_timeout_ms > 0),
      watchdog_(static_cast<int64_t>(config.hang_timeout_ms) * 1'000'000) {}

Flusher::~Flusher() {
  if (thread_.joinable()) thread_.detach();  // only after a crash parked it
}

format::TraceHeader Flusher::header(const std::string& reason) const {
  format::TraceHeader header;
  header.version_major = format::kFormatMajor;
  header.version_minor = format::kFormatMinor;
  header.process_name = config_.process_name;
  header.pid = static_cast<uint32_t>(::getpid());
  header.start_unix_ns = clock_.start_unix_ns;
  header.ticks_per_ns = clock_.ticks_per_ns;
  header.start_ticks = clock_.start_ticks;
  header.mode = config_.mode == Mode::kFlight ? "flight" : "stream";
  header.buffer_bytes = config_.mode == Mode::kFlight ? config_.flight_bytes : config_.ring_bytes;
  header.hang_timeout_ns = static_cast<int64_t>(config_.hang_timeout_ms) * 1'000'000;
  header.reason = reason;
  if (reason == "hang") header.threads_at_hang = threads_at_hang_;
  header.holds = config_.every_hold ? "all" : "needed";
  return header;
}

bool Flusher::open() {
  try {
    if (config_.mode == Mode::kFlight) {
      // Dumps come later, maybe from a signal handler: refuse a symlink,
      // FIFO, device or directory at the output now, while start() can say so.
      if (const int error = check_output_target(output_.c_str()); error != 0) {
        std::fprintf(stderr, "taskscope: cannot write %s: %s\n", output_.c_str(),
                     describe_output_error(error));
        return false;
      }
      flight_ = std::make_unique<FlightBuffer>(config_.flight_bytes);
      for (int signal : kFatalSignals)
        crash_headers_.emplace_back(signal, encoder_.header(header(signal_reason(signal))));
      return true;
    }
    stream_ = std::make_unique<StreamWriter>();
    if (stream_->open(output_, encoder_.header(header("")), config_.file_mode)) return true;
    std::fprintf(stderr, "taskscope: cannot write %s: %s\n", output_.c_str(),
                 describe_output_error(stream_->error()));
    return false;
  } catch (...) {
    return false;
  }
}

std::vector<format::Event> Flusher::module_events(uint64_t thread) const {
  std::vector<format::Event> events;
  for (const ModuleInfo& module : modules_) {
    format::Event event;
    event.kind = EventKind::kModuleMap;
    event.thread = thread;
    event.a = module.address;
    event.b = module.size;
    event.str = module.path_id;
    events.push_back(event);
    if (module.build_id_id == 0) continue;
    event.kind = EventKind::kModuleBuildId;
    event.b = 0;
    event.str = module.build_id_id;
    events.push_back(event);
  }
  return events;
}

const format::Frame* Flusher::crash_header(int signal) const {
  for (const auto& [number, frame] : crash_headers_)
    if (number == signal) return &frame;
  return nullptr;
}

bool Flusher::start_thread() {
  // The flusher must not receive the program's asynchronous signals (a dump
  // signal is a request to it, not something for it to handle): it starts with
  // every signal blocked. Faults in it still reach the fatal-signal handler.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  bool ok = true;
  try {
    thread_ = std::thread([this] { run(); });
  } catch (...) {
    ok = false;
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return ok;
}

void Flusher::run() {
  t_in_recorder = true;
  t_is_flusher = true;
  pthread_setname_np(pthread_self(), "taskscope-flush");  // for top -H, gdb, perf
  int64_t interval_ns =
      static_cast<int64_t>(std::max<uint64_t>(config_.flush_interval_ms, 1)) * 1'000'000;
  if (watchdog_.enabled())
    interval_ns = std::clamp<int64_t>(static_cast<int64_t>(config_.hang_timeout_ms) * 250'000,
                                      1'000'000, interval_ns);
  Wakeup& wakeup = flusher_wakeup();
  // The wake-up count is read before each round's work, so a wake that arrives
  // while the round runs (a ring crossing its high-water mark, a dump request)
  // makes the next wait return at once instead of being absorbed.
  uint32_t seen = wakeup.prepare();
  for (;;) {
    const bool urgent = backlog_ || stop_requested_.load(std::memory_order_acquire) ||
                        g_crash_signal.load(std::memory_order_acquire) != 0 ||
                        g_dump_signal_pending.load(std::memory_order_acquire) != 0 ||
                        requests_pending_.load(std::memory_order_acquire);
    if (!urgent) wakeup.wait_for(seen, interval_ns);
    seen = wakeup.prepare();
    if (const int signal = g_crash_signal.load(std::memory_order_acquire); signal != 0) {
      on_crash(signal);
      park();
      return;
    }
    if (stop_requested_.load(std::memory_order_acquire)) return;
    if (g_flusher_paused.load(std::memory_order_relaxed)) {
      wakeup.wait_for(seen, interval_ns);  // held by a test: idle, do not spin
      continue;
    }
    try {
      round(false);
      // A dump shows everything recorded before it was asked for: the spill
      // chains are drained once the request is taken, before the window is written.
      if (const int signal = g_dump_signal_pending.exchange(0); signal != 0 && flight_ != nullptr) {
        round_until_drained(false);
        dump_window(output_, signal_reason(signal), /*with_footer=*/true);
      }
      serve_requests();
      if (watchdog_.enabled() &&
          watchdog_.observe(clock_.to_ns(read_ticks()), newest_event_ns_, mirror_.blocked_waits(),
                            program_cpu_ns()))
        on_hang();
    } catch (...) {
      // Out of memory or an encoder failure: this round's data is lost, the
      // program goes on, and the next round tries again.
    }
    if (program_ended()) {
      // What glibc does when a process's last thread ends: exit(0), which runs
      // the program's atexit handlers (stdio is flushed) and ours, whose
      // finish() then runs on this thread.
      std::exit(0);
    }
  }
}

bool Flusher::program_ended() {
  const int64_t now = clock_.to_ns(read_ticks());
  if (now < next_thread_check_ns_) return false;
  next_thread_check_ns_ = now + kThreadCheckNs;
  return only_caller_left();
}

void Flusher::finish(const std::string& reason) {
  stop_requested_.store(true, std::memory_order_release);
  flusher_wakeup().wake();
  if (thread_.joinable()) {
    // On the flusher itself when it ended the process (see run()).
    if (t_is_flusher)
      thread_.detach();
    else
      thread_.join();
  }
  if (crashed_) return;
  try {
    // Recording is off: the holds still deferred are written as they stand.
    drain_with_deferred_holds(/*final=*/true);
    serve_requests();
    if (flight_ != nullptr) {
      dump_window(output_, reason, /*with_footer=*/true);
    } else if (stream_ != nullptr) {
      close_stream_with_footer();
      g_counters.frames.store(stream_->frames(), std::memory_order_relaxed);
      g_counters.bytes.store(stream_->bytes(), std::memory_order_relaxed);
    }
  } catch (...) {
    if (stream_ != nullptr) stream_->close(nullptr);
  }
}

void Flusher::close_stream_with_footer() {
  const format::Frame footer =
      footer_frame(g_counters.events.load(std::memory_order_relaxed), 1 + stream_->frames());
  stream_->close(&footer);
}

format::Frame Flusher::footer_frame(uint64_t events, uint64_t frames) {
  format::TraceFooter footer;
  footer.events = events;
  footer.frames = frames;
  footer.dropped_events = g_counters.dropped.load(std::memory_order_relaxed);
  footer.end_ns = std::max(clock_.to_ns(read_ticks()), watermark_ns_);
  return encoder_.footer(footer);
}

bool Flusher::dump_window(const std::string& path, const std::string& reason, bool with_footer) {
  if (flight_ == nullptr) return stream_ != nullptr;
  const format::Frame head = encoder_.header(header(reason));
  // The holds threads keep unrecorded go into this dump only: the program may
  // go on and release them unrecorded.
  std::vector<format::Frame> holds;
  const uint64_t hold_events = deferred_hold_frames(holds);
  const uint64_t frames = 1 + flight_->string_frame_count() + flight_->frames() + holds.size();
  if (!with_footer) return flight_->write(path, head, holds, nullptr, config_.file_mode);
  const format::Frame footer = footer_frame(flight_->events() + hold_events, frames);
  return flight_->write(path, head, holds, &footer, config_.file_mode);
}

bool Flusher::dump(const std::string& path) {
  auto request = std::make_shared<DumpRequest>();
  request->path = path.empty() ? output_ : path;
  std::unique_lock<std::mutex> lock(requests_mutex_);
  requests_.push_back(request);
  requests_pending_.store(true, std::memory_order_release);
  flusher_wakeup().wake();
  requests_done_.wait_for(lock, kDumpRequestTimeout, [&] { return request->done; });
  return request->done && request->ok;
}

void Flusher::serve_requests() {
  std::deque<std::shared_ptr<DumpRequest>> pending;
  {
    std::lock_guard<std::mutex> lock(requests_mutex_);
    pending.swap(requests_);
    requests_pending_.store(false, std::memory_order_release);
  }
  if (pending.empty()) return;
  try {
    round_until_drained(false);  // what was recorded before the requests (see run())
  } catch (...) {
    // Out of memory: the dumps below write what the window holds.
  }
  for (auto& request : pending) {
    bool ok = false;
    try {
      ok = flight_ != nullptr ? dump_window(request->path, "dump", /*with_footer=*/true)
                              : stream_ != nullptr && stream_->is_open();
    } catch (...) {
      ok = false;
    }
    std::lock_guard<std::mutex> lock(requests_mutex_);
    request->done = true;
    request->ok = ok;
  }
  requests_done_.notify_all();
}

void Flusher::on_hang() {
  // Runs on the flusher, the recorder's only thread: the others are the program's.
  const int others = other_live_threads();
  threads_at_hang_ = others > 0 ? static_cast<uint32_t>(others) : 0;
  // A stream that ends here shows who holds what; one that goes on does not
  // (the holders may release unrecorded).
  if (config_.abort_on_hang)
    drain_with_deferred_holds(false);
  else
    round_until_drained(false);
  bool ok = false;
  if (flight_ != nullptr) {
    ok = dump_window(output_, "hang", /*with_footer=*/true);
  } else if (stream_ != nullptr) {
    ok = stream_->replace_header(encoder_.header(header("hang")));
  }
  char message[512];
  std::snprintf(message, sizeof message,
                "taskscope: no progress for %llu ms while %zu %s blocked; %s %s\n",
                static_cast<unsigned long long>(config_.hang_timeout_ms), mirror_.blocked_waits(),
                mirror_.blocked_waits() == 1 ? "agent is" : "agents are",
                ok ? "trace written to" : "could not write", output_.c_str());
  say(message);
  if (!config_.abort_on_hang) return;
  if (stream_ != nullptr) {
    // Ended on purpose: the footer records when, so that the analysis sees the
    // hang's full length, not just the time of the last event.
    close_stream_with_footer();
  }
  say("taskscope: terminating the hung process (exit status 124)\n");
  ::_exit(kHangExitStatus);
}

void Flusher::on_crash(int signal) {
  crashed_ = true;
  try {
    drain_with_deferred_holds(false);  // recording stays off after a crash
    if (flight_ != nullptr) {
      dump_window(output_, signal_reason(signal), /*with_footer=*/false);
    } else if (stream_ != nullptr) {
      stream_->replace_header(encoder_.header(header(signal_reason(signal))));
    }
  } catch (...) {
  }
  g_crash_handled.store(true, std::memory_order_release);
}

void Flusher::park() {
  // After a crash dump the process is going down; if it survives its signal
  // (a handler of its own recovered), recording stays off but stop() still
  // returns.
  while (!stop_requested_.load(std::memory_order_acquire)) {
    const uint32_t seen = flusher_wakeup().prepare();
    if (stop_requested_.load(std::memory_order_acquire)) break;
    flusher_wakeup().wait_for(seen, 100'000'000);
  }
}

}  // namespace taskscope::detail
