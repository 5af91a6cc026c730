// Sleeps: nanosleep, clock_nanosleep, usleep, sleep (std::this_thread::sleep_for
// reaches nanosleep). Each is sleep_begin(requested ns, where) ... sleep_end():
// a sleeping thread waits on time, which always progresses, so the analyzer
// never counts it as stuck — but it shows where a stalled thread was sleeping.
// glibc's sleep() and usleep() call its internal nanosleep, not the exported
// one, so a sleep is recorded once.
#include <time.h>
#include <unistd.h>

#include "shim.hpp"

namespace taskscope::preload {
namespace {

RealFunction<int (*)(const timespec*, timespec*)> real_nanosleep("nanosleep");
RealFunction<int (*)(clockid_t, int, const timespec*, timespec*)> real_clock_nanosleep(
    "clock_nanosleep");
RealFunction<int (*)(useconds_t)> real_usleep("usleep");
RealFunction<unsigned (*)(unsigned)> real_sleep("sleep");

uint64_t to_ns(const timespec& t) {
  if (t.tv_sec < 0) return 0;
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(t.tv_nsec);
}

template <typename SleepFn>
auto sleep_for(uint64_t duration_ns, const void* return_address, SleepFn&& real) {
  {
    BusyScope busy;
    sleep_begin(duration_ns, stack_site(return_address));
  }
  const auto result = real();
  BusyScope busy;
  busy.keep_errno();
  sleep_end();
  return result;
}

}  // namespace
}  // namespace taskscope::preload

using namespace taskscope;
using namespace taskscope::preload;

TASKSCOPE_INTERPOSE int nanosleep(const timespec* request, timespec* remaining) {
  if (request == nullptr || !should_record(__builtin_return_address(0)))
    return real_nanosleep.get()(request, remaining);
  return sleep_for(to_ns(*request), __builtin_return_address(0),
                   [&] { return real_nanosleep.get()(request, remaining); });
}

TASKSCOPE_INTERPOSE int clock_nanosleep(clockid_t clock, int flags, const timespec* request,
                                        timespec* remaining) {
  if (request == nullptr || !should_record(__builtin_return_address(0)))
    return real_clock_nanosleep.get()(clock, flags, request, remaining);
  uint64_t duration = to_ns(*request);
  if (flags & TIMER_ABSTIME) {
    timespec now{};
    clock_gettime(clock, &now);
    const uint64_t now_ns = to_ns(now);
    duration = duration > now_ns ? duration - now_ns : 0;
  }
  return sleep_for(duration, __builtin_return_address(0),
                   [&] { return real_clock_nanosleep.get()(clock, flags, request, remaining); });
}

TASKSCOPE_INTERPOSE int usleep(useconds_t microseconds) {
  if (!should_record(__builtin_return_address(0))) return real_usleep.get()(microseconds);
  return sleep_for(uint64_t{microseconds} * 1000, __builtin_return_address(0),
                   [&] { return real_usleep.get()(microseconds); });
}

TASKSCOPE_INTERPOSE unsigned sleep(unsigned seconds) {
  if (!should_record(__builtin_return_address(0))) return real_sleep.get()(seconds);
  return sleep_for(uint64_t{seconds} * 1'000'000'000u, __builtin_return_address(0),
                   [&] { return real_sleep.get()(seconds); });
}
