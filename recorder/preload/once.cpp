// pthread_once, which std::call_once reaches (libstdc++'s __gthread_once): a
// thread that finds the once not done may wait, inside glibc, for the thread
// running the initializer. glibc waits with its own futex calls, which the
// shim cannot see, so the wait is recorded around the call, on the once
// control word as a futex word (kFutex, kFutexWait, see futex.cpp):
//   wait_begin(once, kFutexWait, 0, untimed, where), [real pthread_once],
//   wait_end(once, kNotified)
// unless this thread turns out to run the initializer itself: the routine is
// called through a trampoline that ends the wait first (kCompleted, a wait of
// no length), runs the routine, and records the wake of the waiters
// (notify(once, kAll)) before glibc wakes them.
// A once already done (glibc's __PTHREAD_ONCE_DONE bit, 2, in the control
// word, nptl/pthread_once.c) is not recorded.
#include <pthread.h>

#include "identity.hpp"
#include "shim.hpp"

namespace taskscope::preload {
namespace {

RealFunction<int (*)(pthread_once_t*, void (*)())> real_once("pthread_once");

constexpr int kOnceDone = 2;

// The call in progress on this thread (nested calls save and restore it).
struct OnceCall {
  void (*routine)() = nullptr;
  ResourceId id = 0;
  bool waiting = false;
};
constinit thread_local OnceCall t_once __attribute__((tls_model("initial-exec")));

ResourceId once_resource(pthread_once_t* once) {
  const uintptr_t address = reinterpret_cast<uintptr_t>(once);
  Slot* slot = sync_objects().find_or_insert(address);
  if (slot == nullptr) return 0;
  return identity(slot, ResourceKind::kFutex, [&] { return uint64_t{address}; });
}

void run_routine() {
  const OnceCall call = t_once;
  if (call.waiting) {
    BusyScope busy;
    t_once.waiting = false;
    wait_end(call.id, WaitOutcome::kCompleted);
  }
  call.routine();
  BusyScope busy;
  emit(EventKind::kNotify, static_cast<uint8_t>(NotifyKind::kAll), call.id, 0);
}

}  // namespace
}  // namespace taskscope::preload

using namespace taskscope;
using namespace taskscope::preload;

TASKSCOPE_INTERPOSE int pthread_once(pthread_once_t* once, void (*routine)()) {
  if ((__atomic_load_n(once, __ATOMIC_ACQUIRE) & kOnceDone) != 0 ||
      !should_record(__builtin_return_address(0)) || !modules_classified())
    return real_once.get()(once, routine);
  // Restores the outer call's state however this one ends (an initializer
  // that throws, as std::call_once allows, unwinds through here).
  struct Restore {
    OnceCall outer = t_once;
    ~Restore() { t_once = outer; }
  } restore;
  {
    BusyScope busy;
    t_once = OnceCall{routine, once_resource(once), false};
    if (t_once.id != 0) {
      wait_begin(t_once.id, WaitOp::kFutexWait, 0, false,
                 stack_site(__builtin_return_address(0)));
      t_once.waiting = true;
    }
  }
  const int rc = real_once.get()(once, t_once.id != 0 ? run_routine : routine);
  BusyScope busy;
  busy.keep_errno();
  if (t_once.waiting) wait_end(t_once.id, WaitOutcome::kNotified);
  return rc;
}
