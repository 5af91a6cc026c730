// pthread rwlocks: rdlock, wrlock (plain, try, timed, clock), unlock, init,
// destroy. Read locks are LockMode::kShared (wait op kReadLock), write locks
// kExclusive (kLock). pthread_rwlock_unlock does not say which kind it
// releases; glibc records the writer's tid in __data.__cur_writer, so a lock
// whose writer is the calling thread is released exclusively, else shared.
// kResourceCreate.b is 1 for writer-preferring rwlocks (glibc's
// PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP), as the analyzer's wait-for
// model of readers depends on it.
#include <pthread.h>

#include "acquire.hpp"
#include "identity.hpp"
#include "objects.hpp"
#include "shim.hpp"

namespace taskscope::preload {
namespace {

using RwFn = int (*)(pthread_rwlock_t*);
using TimedRwFn = int (*)(pthread_rwlock_t*, const timespec*);
using ClockRwFn = int (*)(pthread_rwlock_t*, clockid_t, const timespec*);
RealFunction<RwFn> real_rdlock("pthread_rwlock_rdlock");
RealFunction<RwFn> real_wrlock("pthread_rwlock_wrlock");
RealFunction<RwFn> real_tryrdlock("pthread_rwlock_tryrdlock");
RealFunction<RwFn> real_trywrlock("pthread_rwlock_trywrlock");
RealFunction<RwFn> real_unlock("pthread_rwlock_unlock");
RealFunction<RwFn> real_destroy("pthread_rwlock_destroy");
RealFunction<TimedRwFn> real_timedrdlock("pthread_rwlock_timedrdlock");
RealFunction<TimedRwFn> real_timedwrlock("pthread_rwlock_timedwrlock");
RealFunction<ClockRwFn> real_clockrdlock("pthread_rwlock_clockrdlock");
RealFunction<ClockRwFn> real_clockwrlock("pthread_rwlock_clockwrlock");
RealFunction<int (*)(pthread_rwlock_t*, const pthread_rwlockattr_t*)> real_init(
    "pthread_rwlock_init");

ResourceId rwlock_resource(pthread_rwlock_t* rwlock) {
  Slot* slot = sync_objects().find_or_insert(reinterpret_cast<uintptr_t>(rwlock));
  if (slot == nullptr) return 0;
  return identity(slot, ResourceKind::kRwLock, [&] {
    return uint64_t{rwlock->__data.__flags == PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP};
  });
}

template <typename BlockFn>
int lock(pthread_rwlock_t* rwlock, bool shared, bool timed, const void* return_address,
         BlockFn&& block) {
  const AcquireKind kind{shared ? WaitOp::kReadLock : WaitOp::kLock,
                         shared ? LockMode::kShared : LockMode::kExclusive, 0, timed, 0};
  return acquire(
      return_address, kind, [&] { return rwlock_resource(rwlock); },
      [&] { return shared ? real_tryrdlock.get()(rwlock) : real_trywrlock.get()(rwlock); }, block,
      [] { return uint64_t{0}; });
}

int trylock(pthread_rwlock_t* rwlock, bool shared, const void* return_address) {
  const int rc = shared ? real_tryrdlock.get()(rwlock) : real_trywrlock.get()(rwlock);
  if (rc == 0 && should_record(return_address)) {
    BusyScope busy;
    if (const ResourceId id = rwlock_resource(rwlock))
      detail::record(EventKind::kAcquired,
                     static_cast<uint8_t>(shared ? LockMode::kShared : LockMode::kExclusive),
                     format::kFlagTry, site(return_address), id, 0);
  }
  return rc;
}

}  // namespace
}  // namespace taskscope::preload

using namespace taskscope;
using namespace taskscope::preload;

#define TASKSCOPE_RW_LOCK(name, shared, timed, real, params, args)           \
  TASKSCOPE_INTERPOSE int name params {                                      \
    if (!should_record(__builtin_return_address(0))) return real.get() args; \
    return lock(rwlock, shared, timed, __builtin_return_address(0),          \
                [&] { return real.get() args; });                            \
  }

TASKSCOPE_RW_LOCK(pthread_rwlock_rdlock, true, false, real_rdlock, (pthread_rwlock_t * rwlock),
                  (rwlock))
TASKSCOPE_RW_LOCK(pthread_rwlock_wrlock, false, false, real_wrlock, (pthread_rwlock_t * rwlock),
                  (rwlock))
TASKSCOPE_RW_LOCK(pthread_rwlock_timedrdlock, true, true, real_timedrdlock,
                  (pthread_rwlock_t * rwlock, const timespec* abstime), (rwlock, abstime))
TASKSCOPE_RW_LOCK(pthread_rwlock_timedwrlock, false, true, real_timedwrlock,
                  (pthread_rwlock_t * rwlock, const timespec* abstime), (rwlock, abstime))
TASKSCOPE_RW_LOCK(pthread_rwlock_clockrdlock, true, true, real_clockrdlock,
                  (pthread_rwlock_t * rwlock, clockid_t clock, const timespec* abstime),
                  (rwlock, clock, abstime))
TASKSCOPE_RW_LOCK(pthread_rwlock_clockwrlock, false, true, real_clockwrlock,
                  (pthread_rwlock_t * rwlock, clockid_t clock, const timespec* abstime),
                  (rwlock, clock, abstime))

TASKSCOPE_INTERPOSE int pthread_rwlock_tryrdlock(pthread_rwlock_t* rwlock) {
  return trylock(rwlock, true, __builtin_return_address(0));
}

TASKSCOPE_INTERPOSE int pthread_rwlock_trywrlock(pthread_rwlock_t* rwlock) {
  return trylock(rwlock, false, __builtin_return_address(0));
}

TASKSCOPE_INTERPOSE int pthread_rwlock_unlock(pthread_rwlock_t* rwlock) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    if (const ResourceId id = existing_identity(rwlock, ResourceKind::kRwLock))
      released(id, rwlock->__data.__cur_writer == current_tid() ? LockMode::kExclusive
                                                                : LockMode::kShared);
  }
  return real_unlock.get()(rwlock);
}

TASKSCOPE_INTERPOSE int pthread_rwlock_init(pthread_rwlock_t* rwlock,
                                            const pthread_rwlockattr_t* attr) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    retire_object(rwlock);
  }
  return real_init.get()(rwlock, attr);
}

TASKSCOPE_INTERPOSE int pthread_rwlock_destroy(pthread_rwlock_t* rwlock) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    retire_object(rwlock);
  }
  return real_destroy.get()(rwlock);
}
