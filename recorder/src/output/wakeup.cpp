#include "output/wakeup.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace taskscope::detail {
namespace {

long futex(std::atomic<uint32_t>* word, int op, uint32_t value, const timespec* timeout) {
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), op, value, timeout, nullptr, 0);
}

}  // namespace

void Wakeup::wake() noexcept {
  sequence_.fetch_add(1, std::memory_order_release);
  futex(&sequence_, FUTEX_WAKE_PRIVATE, 1, nullptr);
}

void Wakeup::wait_for(uint32_t seen, int64_t timeout_ns) noexcept {
  if (timeout_ns <= 0) return;
  timespec timeout{};
  timeout.tv_sec = static_cast<time_t>(timeout_ns / 1'000'000'000);
  timeout.tv_nsec = static_cast<long>(timeout_ns % 1'000'000'000);
  futex(&sequence_, FUTEX_WAIT_PRIVATE, seen, &timeout);
}

namespace {
// Constant-initialised and trivially destructible: usable from signal handlers
// and by threads that outlive static destruction.
constinit Wakeup g_flusher_wakeup;
}  // namespace

Wakeup& flusher_wakeup() noexcept { return g_flusher_wakeup; }

}  // namespace taskscope::detail
