// taskscope::start / stop / dump: the life of a recording session.
//
// A session is process-global. start() calibrates the clock, opens the output,
// activates the thread registry (threads that already exist get a synthetic
// kThreadStart), turns recording on, then starts the flusher and installs the
// signal handlers. stop() turns recording off, lets the flusher drain every
// ring (retired ones included) and close the trace, and never waits for an
// application thread: only the flusher is joined, and the only locks taken are
// the recorder's own, which application threads hold for a few instructions
// and never while blocked.
#include "process/session.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "hot_path/clock.hpp"
#include "output/flusher.hpp"
#include "process/modules.hpp"
#include "hot_path/reentry.hpp"
#include "hot_path/session_state.hpp"
#include "process/signals.hpp"
#include "hot_path/strings.hpp"
#include "taskscope/events.hpp"
#include "taskscope/session.hpp"
#include "hot_path/hold_ledger.hpp"
#include "hot_path/thread_context.hpp"
#include "output/wakeup.hpp"

namespace taskscope {
namespace detail {

constinit std::atomic<bool> g_lossless{false};
constinit SessionCounters g_counters;
constinit std::atomic<int> g_dump_signal_pending{0};
constinit std::atomic<int> g_crash_signal{0};
constinit std::atomic<bool> g_crash_handled{false};
constinit std::atomic<bool> g_flusher_paused{false};
constinit thread_local bool t_is_flusher __attribute__((tls_model("initial-exec"))) = false;

namespace {

// Serialises start, stop, dump and fork. Never destroyed (used from atexit).
std::mutex& session_mutex() {
  static auto* mutex = new std::mutex();
  return *mutex;
}

// At exit: a few seconds at most, then give up (polling try_lock rather than a
// timed mutex, whose clock-based lock sanitizers do not model).
bool lock_before_exit(std::unique_lock<std::mutex>& lock) {
  for (int attempt = 0; attempt < 5000; ++attempt) {
    if (lock.try_lock()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

struct Session {
  Config config;
  std::unique_ptr<Flusher> flusher;
};
Session* g_session = nullptr;  // guarded by session_mutex()

std::string process_name() {
  std::ifstream comm("/proc/self/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

std::string absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[4096];
  if (::getcwd(cwd, sizeof cwd) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

void reset_counters() {
  g_counters.events.store(0, std::memory_order_relaxed);
  g_counters.dropped.store(0, std::memory_order_relaxed);
  g_counters.frames.store(0, std::memory_order_relaxed);
  g_counters.bytes.store(0, std::memory_order_relaxed);
}

bool start_locked(const Config& requested) {
  Config config = requested;
  if (config.process_name.empty()) config.process_name = process_name();
  if (config.flight_bytes == 0) config.flight_bytes = Config{}.flight_bytes;
  const std::string output = absolute(config.output);
  const Calibration clock = calibrate();
  g_ticks_per_ms.store(std::max<uint64_t>(static_cast<uint64_t>(clock.ticks_per_ns * 1e6), 1),
                       std::memory_order_relaxed);
  auto flusher = std::make_unique<Flusher>(config, clock, output, loaded_modules());
  if (!flusher->open()) return false;
  ThreadContext* starter = this_thread_context();

  reset_counters();
  g_lossless.store(config.lossless, std::memory_order_relaxed);
  g_defer_holds.store(!config.every_hold, std::memory_order_relaxed);
  g_edge_epoch.fetch_add(1, std::memory_order_relaxed);  // a new trace: its own edges
  SpillPool::configure(config.spill_bytes);
  g_dump_signal_pending.store(0, std::memory_order_relaxed);
  g_crash_handled.store(false, std::memory_order_relaxed);
  g_crash_signal.store(0, std::memory_order_relaxed);
  ThreadRegistry::instance().activate(std::max<uint64_t>(config.ring_bytes / sizeof(Record), 1));
  // Stream traces carry the module map once, at the start; flight dumps carry
  // it in every snapshot instead. The flusher has not started: its per-thread
  // state is still ours to fill.
  if (config.mode == Mode::kStream && starter != nullptr) {
    for (const format::Event& event :
         flusher->module_events(starter->agent.load(std::memory_order_relaxed)))
      starter->flush.synthetic.push_back(event);
  }
  g_recording.store(true, std::memory_order_release);
  if (!flusher->start_thread()) {
    g_recording.store(false, std::memory_order_release);
    ThreadRegistry::instance().deactivate();
    return false;
  }
  install_signal_handlers(config, *flusher);
  register_process_hooks();
  g_session = new Session{config, std::move(flusher)};
  return true;
}

void stop_locked(const char* reason) {
  Session* session = g_session;
  if (session == nullptr) return;
  g_session = nullptr;
  g_recording.store(false, std::memory_order_release);
  session->flusher->finish(reason);
  restore_signal_handlers();
  ThreadRegistry::instance().deactivate();
  // A crash handler that froze the flight window may still be reading it: then
  // the session is left alone (the process is dying anyway).
  FlightBuffer* flight = session->flusher->flight();
  if (flight != nullptr && !flight->begin_mutation()) return;
  delete session;
}

}  // namespace

void stop_session(const char* reason, bool at_exit) noexcept {
  ReentryGuard guard;
  std::unique_lock<std::mutex> lock(session_mutex(), std::defer_lock);
  if (at_exit) {
    if (!lock_before_exit(lock)) return;
  } else {
    lock.lock();
  }
  try {
    stop_locked(reason);
  } catch (...) {
  }
}

void before_fork() noexcept {
  session_mutex().lock();
  StringTable::instance().lock_for_fork();
  ThreadRegistry::instance().lock_for_fork();
}

void after_fork_in_parent() noexcept {
  ThreadRegistry::instance().unlock_after_fork();
  StringTable::instance().unlock_after_fork();
  session_mutex().unlock();
}

void after_fork_in_child() noexcept {
  // The child has one thread and no flusher. It records nothing until it calls
  // start() itself, and it must not write to the parent's file: the session is
  // abandoned (its memory is the parent's copy; freeing it could run code that
  // touches the file), its descriptor closed, the signal actions restored.
  g_recording.store(false, std::memory_order_relaxed);
  if (Session* session = g_session) {
    g_session = nullptr;
    if (const int fd = session->flusher->stream_fd(); fd >= 0) ::close(fd);
  }
  restore_signal_handlers();
  g_crash_signal.store(0, std::memory_order_relaxed);
  g_crash_handled.store(false, std::memory_order_relaxed);
  ThreadRegistry::instance().reset_in_child(this_thread_context_if_any());
  ThreadRegistry::instance().unlock_after_fork();
  StringTable::instance().unlock_after_fork();
  session_mutex().unlock();
}

// Tests: hold the flusher's rounds (see tests/recorder).
void set_flusher_paused_for_testing(bool paused) noexcept {
  g_flusher_paused.store(paused, std::memory_order_relaxed);
  if (!paused) flusher_wakeup().wake();
}

}  // namespace detail

bool start(const Config& config) {
  detail::ReentryGuard guard;
  std::lock_guard<std::mutex> lock(detail::session_mutex());
  if (detail::g_session != nullptr) return false;
  try {
    return detail::start_locked(config);
  } catch (...) {
    detail::g_recording.store(false, std::memory_order_release);
    return false;
  }
}

void stop() { detail::stop_session("stop", /*at_exit=*/false); }

bool dump(const std::string& path) {
  detail::ReentryGuard guard;
  std::lock_guard<std::mutex> lock(detail::session_mutex());
  if (detail::g_session == nullptr) return false;
  try {
    return detail::g_session->flusher->dump(path);
  } catch (...) {
    return false;
  }
}

bool is_recording() { return recording(); }

Stats session_stats() {
  Stats stats;
  stats.events = detail::g_counters.events.load(std::memory_order_relaxed);
  stats.dropped = detail::g_counters.dropped.load(std::memory_order_relaxed);
  stats.frames = detail::g_counters.frames.load(std::memory_order_relaxed);
  stats.bytes = detail::g_counters.bytes.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace taskscope
