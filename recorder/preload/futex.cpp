// Futex waits and wakes made through libc's syscall(): libstdc++ builds
// std::latch, std::barrier, std::counting_semaphore, std::atomic::wait
// (bits/atomic_wait.h, inline in the program) and std::future::get/wait
// (libstdc++.so) on syscall(SYS_futex, ...), which the shim interposes.
//
// A futex word is a resource of kind kFutex identified by its address
// (kResourceCreate.b = the address; named "sym:0x<addr>" in static storage,
// see identity.hpp). The ops recorded:
//   FUTEX_WAIT, FUTEX_WAIT_BITSET  wait_begin(word, kFutexWait, expected value,
//                                  timed = a timeout was given, where),
//                                  [real call], wait_end(word, kNotified |
//                                  kTimedOut | kCompleted (value changed, EINTR))
//   FUTEX_WAKE, FUTEX_WAKE_BITSET  notify(word, kOne | kAll, waiters), recorded
//                                  before the real wake, as a condvar notify
// with or without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME. Other futex ops
// and every other system call are forwarded untouched (all six arguments) and
// not recorded; errno is what the real call left. A wait may end spuriously or
// at once (the value changed): it is simply a short wait, and the analyzer
// treats any futex wait as one that anyone may end (docs/wait-semantics.md).
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdarg>

#include "identity.hpp"
#include "module_ranges.hpp"
#include "shim.hpp"

namespace taskscope::preload {
namespace {

using SyscallFn = long (*)(long, ...);
RealFunction<SyscallFn> real_syscall("syscall");

ResourceId futex_resource(Slot* slot, uintptr_t address) {
  if (slot == nullptr) return 0;
  return identity(slot, ResourceKind::kFutex, [&] { return uint64_t{address}; });
}

long futex_wait(const long (&arg)[6], const void* return_address) {
  const uintptr_t address = static_cast<uintptr_t>(arg[0]);
  const bool timed = arg[3] != 0;
  Slot* slot = nullptr;
  ResourceId id = 0;
  {
    BusyScope busy;
    slot = sync_objects().find_or_insert(address);
    id = futex_resource(slot, address);
    if (id != 0) {
      slot->waiters.fetch_add(1, std::memory_order_relaxed);
      wait_begin(id, WaitOp::kFutexWait, static_cast<uint32_t>(arg[2]), timed,
                 stack_site(return_address));
    }
  }
  const long rc = real_syscall.get()(SYS_futex, arg[0], arg[1], arg[2], arg[3], arg[4], arg[5]);
  if (id == 0) return rc;
  BusyScope busy;
  busy.keep_errno();
  slot->waiters.fetch_sub(1, std::memory_order_relaxed);
  wait_end(id, rc == 0                            ? WaitOutcome::kNotified
               : rc == -1 && errno == ETIMEDOUT ? WaitOutcome::kTimedOut
                                                : WaitOutcome::kCompleted);
  return rc;
}

void futex_wake(const long (&arg)[6], const void* return_address) {
  BusyScope busy;
  const uintptr_t address = static_cast<uintptr_t>(arg[0]);
  Slot* slot = sync_objects().find_or_insert(address);
  const ResourceId id = futex_resource(slot, address);
  if (id == 0) return;
  // A wake from inside libstdc++.so (a std::future made ready) has its
  // program frames further up: walk the stack for them.
  const StringId where = is_noise(return_address) ? stack_site(return_address)
                                                  : site(return_address);
  emit(EventKind::kNotify, static_cast<uint8_t>(arg[2] == 1 ? NotifyKind::kOne : NotifyKind::kAll),
       id, slot->waiters.load(std::memory_order_relaxed), where);
}

}  // namespace
}  // namespace taskscope::preload

using namespace taskscope;
using namespace taskscope::preload;

// Reads six arguments whatever the call takes, as libc's syscall() does: the
// extra ones are whatever the registers or stack held, passed on unread by the
// kernel.
TASKSCOPE_INTERPOSE long syscall(long number, ...) noexcept {
  long arg[6];
  va_list list;
  va_start(list, number);
  for (long& value : arg) value = va_arg(list, long);
  va_end(list);
  if (number == SYS_futex && should_record(__builtin_return_address(0)) &&
      modules_classified()) {
    switch (static_cast<int>(arg[1]) & FUTEX_CMD_MASK) {
      case FUTEX_WAIT:
      case FUTEX_WAIT_BITSET:
        return futex_wait(arg, __builtin_return_address(0));
      case FUTEX_WAKE:
      case FUTEX_WAKE_BITSET:
        futex_wake(arg, __builtin_return_address(0));
        break;
      default:
        break;
    }
  }
  return real_syscall.get()(number, arg[0], arg[1], arg[2], arg[3], arg[4], arg[5]);
}
