// pthread condition variables: wait, timedwait, clockwait, signal, broadcast,
// init, destroy.
//
// A wait is recorded as the program experiences it: the mutex is released,
// the thread waits on the condvar (kWaitBegin.b = the mutex's resource id, so
// the report can show the associated mutex), is woken or times out, and holds
// the mutex again:
//   released(mutex), wait_begin(cv, kCondWait, mutex, timed, where),
//   [real wait], wait_end(cv, kNotified | kTimedOut), acquired(mutex, where).
// A notify records how many threads were inside a wait on the condvar at that
// moment (a per-condvar counter kept in its slot): a notify with 0 waiters
// followed by a wait that never returns is the lost-wakeup pattern.
//
// glibc has two ABIs of the pthread_cond_* family; programs linked today use
// the GLIBC_2.3.2 one, which dlsym(RTLD_NEXT) would not necessarily return, so
// the real functions are resolved with dlvsym at that version.
#include <pthread.h>

#include "identity.hpp"
#include "objects.hpp"
#include "shim.hpp"

namespace taskscope::preload {
namespace {

constexpr const char* kCondVersion = "GLIBC_2.3.2";
RealFunction<int (*)(pthread_cond_t*, pthread_mutex_t*)> real_wait("pthread_cond_wait",
                                                                   kCondVersion);
RealFunction<int (*)(pthread_cond_t*, pthread_mutex_t*, const timespec*)> real_timedwait(
    "pthread_cond_timedwait", kCondVersion);
RealFunction<int (*)(pthread_cond_t*, pthread_mutex_t*, clockid_t, const timespec*)> real_clockwait(
    "pthread_cond_clockwait");
RealFunction<int (*)(pthread_cond_t*)> real_signal("pthread_cond_signal", kCondVersion);
RealFunction<int (*)(pthread_cond_t*)> real_broadcast("pthread_cond_broadcast", kCondVersion);
RealFunction<int (*)(pthread_cond_t*)> real_destroy("pthread_cond_destroy", kCondVersion);
RealFunction<int (*)(pthread_cond_t*, const pthread_condattr_t*)> real_init("pthread_cond_init",
                                                                            kCondVersion);

Slot* condvar_slot(pthread_cond_t* cv) {
  return sync_objects().find_or_insert(reinterpret_cast<uintptr_t>(cv));
}

ResourceId condvar_resource(Slot* slot) {
  if (slot == nullptr) return 0;
  return identity(slot, ResourceKind::kCondvar, [] { return uint64_t{0}; });
}

template <typename WaitFn>
int wait(pthread_cond_t* cv, pthread_mutex_t* mutex, const void* return_address, bool timed,
         WaitFn&& real) {
  Slot* slot = nullptr;
  ResourceId cv_id = 0, mutex_id = 0;
  StringId where = 0;
  {
    BusyScope busy;
    slot = condvar_slot(cv);
    cv_id = condvar_resource(slot);
    mutex_id = mutex_resource(mutex);
    where = stack_site(return_address);
    if (mutex_id != 0) mutex_released(mutex, mutex_id);
    if (cv_id != 0) {
      slot->waiters.fetch_add(1, std::memory_order_relaxed);
      wait_begin(cv_id, WaitOp::kCondWait, mutex_id, timed, where);
    }
  }
  const int rc = real();
  BusyScope busy;
  busy.keep_errno();
  if (cv_id != 0) {
    slot->waiters.fetch_sub(1, std::memory_order_relaxed);
    wait_end(cv_id, rc == 0           ? WaitOutcome::kNotified
                    : rc == ETIMEDOUT ? WaitOutcome::kTimedOut
                                      : WaitOutcome::kError);
  }
  // Every return of a condvar wait (timeouts included) holds the mutex again.
  if (mutex_id != 0) mutex_acquired_by_condvar(mutex, mutex_id, where);
  return rc;
}

void notify(pthread_cond_t* cv, NotifyKind kind, const void* return_address) {
  BusyScope busy;
  Slot* slot = condvar_slot(cv);
  // notified() with the call site in `str` (the notifier's location, for a
  // lost-wakeup report); the field is otherwise unused by kNotify.
  if (const ResourceId id = condvar_resource(slot))
    emit(EventKind::kNotify, static_cast<uint8_t>(kind), id,
         slot->waiters.load(std::memory_order_relaxed), site(return_address));
}

}  // namespace
}  // namespace taskscope::preload

using namespace taskscope;
using namespace taskscope::preload;

TASKSCOPE_INTERPOSE int pthread_cond_wait(pthread_cond_t* cv, pthread_mutex_t* mutex) {
  if (!should_record(__builtin_return_address(0))) return real_wait.get()(cv, mutex);
  return wait(cv, mutex, __builtin_return_address(0), false,
              [&] { return real_wait.get()(cv, mutex); });
}

TASKSCOPE_INTERPOSE int pthread_cond_timedwait(pthread_cond_t* cv, pthread_mutex_t* mutex,
                                               const timespec* abstime) {
  if (!should_record(__builtin_return_address(0))) return real_timedwait.get()(cv, mutex, abstime);
  return wait(cv, mutex, __builtin_return_address(0), true,
              [&] { return real_timedwait.get()(cv, mutex, abstime); });
}

TASKSCOPE_INTERPOSE int pthread_cond_clockwait(pthread_cond_t* cv, pthread_mutex_t* mutex,
                                               clockid_t clock, const timespec* abstime) {
  if (!should_record(__builtin_return_address(0)))
    return real_clockwait.get()(cv, mutex, clock, abstime);
  return wait(cv, mutex, __builtin_return_address(0), true,
              [&] { return real_clockwait.get()(cv, mutex, clock, abstime); });
}

// Notify is recorded before the real call, so the woken thread's wait_end
// always follows it in the trace.
TASKSCOPE_INTERPOSE int pthread_cond_signal(pthread_cond_t* cv) {
  if (should_record(__builtin_return_address(0)))
    notify(cv, NotifyKind::kOne, __builtin_return_address(0));
  return real_signal.get()(cv);
}

TASKSCOPE_INTERPOSE int pthread_cond_broadcast(pthread_cond_t* cv) {
  if (should_record(__builtin_return_address(0)))
    notify(cv, NotifyKind::kAll, __builtin_return_address(0));
  return real_broadcast.get()(cv);
}

TASKSCOPE_INTERPOSE int pthread_cond_init(pthread_cond_t* cv, const pthread_condattr_t* attr) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    retire_object(cv);
  }
  return real_init.get()(cv, attr);
}

TASKSCOPE_INTERPOSE int pthread_cond_destroy(pthread_cond_t* cv) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    retire_object(cv);
  }
  return real_destroy.get()(cv);
}
