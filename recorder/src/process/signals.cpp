// Signal handlers. Everything they do is async-signal-safe: atomics, the futex
// wake-up, nanosleep, open/fstat/write/rename/unlink/close of already-encoded
// frames (output_file.hpp), sigaction and raise.
//
// Dump signal (default SIGUSR2): the handler only sets a flag and wakes the
// flusher, which writes the flight window (stream mode: nothing more to do,
// the file is current to the last round).
//
// Fatal signals (SIGSEGV, SIGBUS, SIGABRT, SIGFPE), best effort:
//  1. The first crashing thread claims the crash and wakes the flusher, which
//     drains the rings one last time and writes the trace normally (flight: a
//     dump with reason "signal N"; stream: header reason rewritten). The
//     handler waits up to kFlusherGraceNs for that.
//  2. If the flusher does not finish (it may need a lock the crashed thread
//     holds, or it is the thread that crashed), flight mode falls back to
//     writing the frames already in memory with write(2): a header encoded at
//     session start for this signal, the string frames, every generation.
//  3. The previous action is restored and the signal re-raised, so the process
//     dies as it would have (core dump included) or the program's own handler
//     runs. A thread that crashes while another is dumping waits for it first.
#include "process/signals.hpp"

#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "output/flight_buffer.hpp"
#include "output/flusher.hpp"
#include "output/output_file.hpp"
#include "hot_path/session_state.hpp"
#include "output/wakeup.hpp"

namespace taskscope::detail {
namespace {

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE};
constexpr int kFatalCount = sizeof kFatalSignals / sizeof kFatalSignals[0];
constexpr int64_t kFlusherGraceNs = 5'000'000'000;
constexpr int64_t kPollNs = 1'000'000;
constexpr size_t kPathMax = 4096;

// What the handlers need, prepared by install_signal_handlers() so that a
// handler only reads plain memory. Invariant: `armed` is set last and cleared
// first, and a handler that sees it unset does nothing of its own.
struct SignalTargets {
  std::atomic<bool> armed{false};
  int dump_signal = 0;
  bool dump_signal_installed = false;
  struct sigaction previous_dump {};
  bool fatal_installed = false;
  struct sigaction previous_fatal[kFatalCount] = {};
  std::atomic<FlightBuffer*> flight{nullptr};
  const format::Frame* crash_headers[kFatalCount] = {};
  char path[kPathMax] = {};
  char temp_path[kPathMax] = {};
  mode_t file_mode = 0600;
};
constinit SignalTargets g_targets;

// Set once the claiming thread finished its crash work (dumped or gave up).
constinit std::atomic<bool> g_crash_finished{false};

void pause_ns(int64_t ns) {
  timespec pause{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  nanosleep(&pause, nullptr);
}

template <class Predicate>
bool wait_until(Predicate done, int64_t budget_ns) {
  for (int64_t waited = 0; waited < budget_ns; waited += kPollNs) {
    if (done()) return true;
    pause_ns(kPollNs);
  }
  return done();
}

void write_text(const char* text) {
  ssize_t ignored = ::write(STDERR_FILENO, text, strlen(text));
  (void)ignored;
}

int fatal_index(int signal) {
  for (int i = 0; i < kFatalCount; ++i)
    if (kFatalSignals[i] == signal) return i;
  return -1;
}

void on_dump_signal(int signal) {
  const int saved_errno = errno;
  g_dump_signal_pending.store(signal, std::memory_order_release);
  flusher_wakeup().wake();
  errno = saved_errno;
}

void dump_after_crash(int signal, int index) {
  if (!t_is_flusher) {
    flusher_wakeup().wake();
    wait_until([] { return g_crash_handled.load(std::memory_order_acquire); }, kFlusherGraceNs);
  }
  if (g_crash_handled.load(std::memory_order_acquire)) {
    write_text("taskscope: fatal signal, trace written to ");
  } else {
    FlightBuffer* flight = g_targets.flight.load(std::memory_order_acquire);
    const format::Frame* header = g_targets.crash_headers[index];
    if (flight == nullptr || header == nullptr) return;
    if (!flight->freeze() ||
        !flight->write_from_signal(g_targets.path, g_targets.temp_path, *header,
                                   g_targets.file_mode)) {
      write_text("taskscope: fatal signal, could not write ");
      write_text(g_targets.path);
      write_text("\n");
      return;
    }
    write_text("taskscope: fatal signal, flight window written to ");
  }
  write_text(g_targets.path);
  write_text("\n");
  (void)signal;
}

void on_fatal_signal(int signal, siginfo_t*, void*) {
  const int saved_errno = errno;
  const int index = fatal_index(signal);
  int expected = 0;
  if (index >= 0 && g_targets.armed.load(std::memory_order_acquire) &&
      g_crash_signal.compare_exchange_strong(expected, signal, std::memory_order_acq_rel)) {
    dump_after_crash(signal, index);
    g_crash_finished.store(true, std::memory_order_release);
  } else if (expected != 0) {
    // Another thread is writing the crash dump: let it finish before dying.
    wait_until([] { return g_crash_finished.load(std::memory_order_acquire); },
               kFlusherGraceNs + 2'000'000'000);
  }
  // Die (or run the program's handler) as if we had never been here. The
  // signal is blocked while we run, so the raise is delivered on return.
  if (index >= 0 && g_targets.fatal_installed) {
    sigaction(signal, &g_targets.previous_fatal[index], nullptr);
  } else {
    ::signal(signal, SIG_DFL);
  }
  raise(signal);
  errno = saved_errno;
}

}  // namespace

void install_signal_handlers(const Config& config, Flusher& flusher) {
  g_crash_finished.store(false, std::memory_order_relaxed);
  const std::string& path = flusher.output();
  const std::string temp = output_temp_path(path, "crash.tmp");
  if (path.size() < kPathMax && temp.size() < kPathMax) {
    memcpy(g_targets.path, path.c_str(), path.size() + 1);
    memcpy(g_targets.temp_path, temp.c_str(), temp.size() + 1);
  }
  g_targets.file_mode = static_cast<mode_t>(config.file_mode);
  for (int i = 0; i < kFatalCount; ++i)
    g_targets.crash_headers[i] = flusher.crash_header(kFatalSignals[i]);
  g_targets.flight.store(flusher.flight(), std::memory_order_release);

  if (config.dump_signal > 0 && config.dump_signal < NSIG) {
    struct sigaction action {};
    action.sa_handler = on_dump_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    g_targets.dump_signal = config.dump_signal;
    g_targets.dump_signal_installed =
        sigaction(config.dump_signal, &action, &g_targets.previous_dump) == 0;
  }
  if (config.dump_on_fatal_signal) {
    struct sigaction action {};
    action.sa_sigaction = on_fatal_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < kFatalCount; ++i)
      sigaction(kFatalSignals[i], &action, &g_targets.previous_fatal[i]);
    g_targets.fatal_installed = true;
  }
  g_targets.armed.store(true, std::memory_order_release);
}

void restore_signal_handlers() noexcept {
  g_targets.armed.store(false, std::memory_order_release);
  if (g_targets.dump_signal_installed) {
    sigaction(g_targets.dump_signal, &g_targets.previous_dump, nullptr);
    g_targets.dump_signal_installed = false;
  }
  if (g_targets.fatal_installed) {
    for (int i = 0; i < kFatalCount; ++i)
      sigaction(kFatalSignals[i], &g_targets.previous_fatal[i], nullptr);
    g_targets.fatal_installed = false;
  }
  g_targets.flight.store(nullptr, std::memory_order_release);
}

}  // namespace taskscope::detail
