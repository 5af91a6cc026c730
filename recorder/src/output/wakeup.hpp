// A wake-up word for the flusher, built directly on the futex system call.
//
// Why not std::condition_variable: producers wake the flusher from the event
// hot path (when a ring crosses its high-water mark) and from signal handlers;
// a futex wake is async-signal-safe, needs no mutex, and is not a pthread call
// that an LD_PRELOAD shim would intercept and record.
#pragma once

#include <atomic>
#include <cstdint>

namespace taskscope::detail {

// Invariant: `sequence_` only grows; a waiter that read value v before checking
// its conditions cannot miss a wake issued after that read (FUTEX_WAIT fails when
// the word no longer equals v).
class Wakeup {
 public:
  // Producer side: async-signal-safe, never blocks.
  void wake() noexcept;
  // Flusher side: the value to pass to wait_for() once conditions were checked.
  uint32_t prepare() const noexcept { return sequence_.load(std::memory_order_acquire); }
  // Sleeps until wake() is called after prepare() returned `seen`, or until
  // `timeout_ns` passed (spurious returns are allowed).
  void wait_for(uint32_t seen, int64_t timeout_ns) noexcept;

 private:
  std::atomic<uint32_t> sequence_{0};
};

// The one wake-up word of the process: lives as long as the process, so that
// threads and signal handlers may touch it whether or not a session runs.
Wakeup& flusher_wakeup() noexcept;

}  // namespace taskscope::detail
