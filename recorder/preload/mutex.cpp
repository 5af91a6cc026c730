// pthread mutexes: lock, trylock, timedlock, clocklock, unlock, init, destroy.
//
// Recursive and error-checking types are read from the mutex itself (glibc's
// __data.__kind), so statically initialised ones (PTHREAD_RECURSIVE_MUTEX_
// INITIALIZER_NP) are modelled too; the type goes into kResourceCreate.b as
// MutexFlags. Recursion depth: a first acquisition has b = 0; a relock of a
// recursive mutex has b = the depth after it (>= 2); kReleased.b is the depth
// left after the unlock (0 = the mutex is free), so a released with b > 0 does
// not end ownership. init and destroy retire the address's identity, so a mutex
// re-created at the same address is a new resource.
#include <pthread.h>

#include "acquire.hpp"
#include "identity.hpp"
#include "objects.hpp"
#include "shim.hpp"

namespace taskscope::preload {
namespace {

using MutexFn = int (*)(pthread_mutex_t*);
RealFunction<MutexFn> real_lock("pthread_mutex_lock");
RealFunction<MutexFn> real_trylock("pthread_mutex_trylock");
RealFunction<MutexFn> real_unlock("pthread_mutex_unlock");
RealFunction<MutexFn> real_destroy("pthread_mutex_destroy");
RealFunction<int (*)(pthread_mutex_t*, const pthread_mutexattr_t*)> real_init("pthread_mutex_init");
RealFunction<int (*)(pthread_mutex_t*, const timespec*)> real_timedlock("pthread_mutex_timedlock");
RealFunction<int (*)(pthread_mutex_t*, clockid_t, const timespec*)> real_clocklock(
    "pthread_mutex_clocklock");

int mutex_type(const pthread_mutex_t* mutex) { return mutex->__data.__kind & 3; }

uint64_t mutex_flags(const pthread_mutex_t* mutex) {
  switch (mutex_type(mutex)) {
    case PTHREAD_MUTEX_RECURSIVE:
      return format::kMutexRecursive;
    case PTHREAD_MUTEX_ERRORCHECK:
      return format::kMutexErrorCheck;
    default:
      return 0;
  }
}

// kAcquired.b right after this thread acquired `mutex`.
uint64_t depth_after_lock(const pthread_mutex_t* mutex) {
  if (mutex_type(mutex) != PTHREAD_MUTEX_RECURSIVE) return 0;
  const unsigned depth = mutex->__data.__count;
  return depth >= 2 ? depth : 0;
}

// A plain mutex (no recursion, error checks, robustness, priority protocol or
// adaptive spinning): its lock word says whether anyone waits (glibc: 0 free,
// 1 locked, 2 locked with waiters), so its uncontended holds can be deferred.
bool plain(const pthread_mutex_t* mutex) { return mutex->__data.__kind == 0; }
bool has_waiters(const pthread_mutex_t* mutex) {
  return __atomic_load_n(&mutex->__data.__lock, __ATOMIC_RELAXED) > 1;
}

template <typename BlockFn>
int lock(pthread_mutex_t* mutex, const void* return_address, bool timed, BlockFn&& block) {
  const uintptr_t deferrable = plain(mutex) ? reinterpret_cast<uintptr_t>(mutex) : 0;
  return acquire(
      return_address, {WaitOp::kLock, LockMode::kExclusive, 0, timed, deferrable},
      [&] { return mutex_resource(mutex); }, [&] { return real_trylock.get()(mutex); }, block,
      [&] { return depth_after_lock(mutex); });
}

}  // namespace

ResourceId mutex_resource(pthread_mutex_t* mutex) noexcept {
  Slot* slot = sync_objects().find_or_insert(reinterpret_cast<uintptr_t>(mutex));
  if (slot == nullptr) return 0;
  return identity(slot, ResourceKind::kMutex, [&] { return mutex_flags(mutex); });
}

void mutex_acquired_by_condvar(pthread_mutex_t* mutex, ResourceId id, StringId where) noexcept {
  taskscope::acquired(id, LockMode::kExclusive, depth_after_lock(mutex), where);
}

void mutex_released(pthread_mutex_t* mutex, ResourceId id) noexcept {
  const int type = mutex_type(mutex);
  uint64_t remaining = 0;
  if (type == PTHREAD_MUTEX_RECURSIVE || type == PTHREAD_MUTEX_ERRORCHECK) {
    // The real unlock will fail with EPERM: nothing is released.
    if (mutex->__data.__owner != current_tid()) return;
    if (type == PTHREAD_MUTEX_RECURSIVE && mutex->__data.__count > 0)
      remaining = mutex->__data.__count - 1;
  }
  released(id, LockMode::kExclusive, remaining);
}

void retire_object(const void* address) noexcept {
  if (Slot* slot = sync_objects().find(reinterpret_cast<uintptr_t>(address)))
    if (slot->word.load(std::memory_order_acquire) != 0) retire_identity(slot);
}

}  // namespace taskscope::preload

using namespace taskscope;
using namespace taskscope::preload;

TASKSCOPE_INTERPOSE int pthread_mutex_lock(pthread_mutex_t* mutex) {
  if (!should_record(__builtin_return_address(0))) return real_lock.get()(mutex);
  return lock(mutex, __builtin_return_address(0), false, [&] { return real_lock.get()(mutex); });
}

TASKSCOPE_INTERPOSE int pthread_mutex_timedlock(pthread_mutex_t* mutex, const timespec* abstime) {
  if (!should_record(__builtin_return_address(0))) return real_timedlock.get()(mutex, abstime);
  return lock(mutex, __builtin_return_address(0), true,
              [&] { return real_timedlock.get()(mutex, abstime); });
}

TASKSCOPE_INTERPOSE int pthread_mutex_clocklock(pthread_mutex_t* mutex, clockid_t clock,
                                                const timespec* abstime) {
  if (!should_record(__builtin_return_address(0)))
    return real_clocklock.get()(mutex, clock, abstime);
  return lock(mutex, __builtin_return_address(0), true,
              [&] { return real_clocklock.get()(mutex, clock, abstime); });
}

TASKSCOPE_INTERPOSE int pthread_mutex_trylock(pthread_mutex_t* mutex) {
  const int rc = real_trylock.get()(mutex);
  if ((rc == 0 || rc == EOWNERDEAD) && should_record(__builtin_return_address(0))) {
    BusyScope busy;
    const void* return_address = __builtin_return_address(0);
    if (const ResourceId id = mutex_resource(mutex))
      detail::record(EventKind::kAcquired, static_cast<uint8_t>(LockMode::kExclusive),
                     format::kFlagTry, site(return_address), id, depth_after_lock(mutex));
  }
  return rc;
}

TASKSCOPE_INTERPOSE int pthread_mutex_unlock(pthread_mutex_t* mutex) {
  if (should_record(__builtin_return_address(0))) {
    // A deferred hold nobody waits for ends unrecorded (the ledger's bookkeeping
    // calls nothing and leaves errno alone); one with waiters is written when
    // its release is recorded.
    if (plain(mutex) &&
        detail::drop_deferred(reinterpret_cast<uintptr_t>(mutex), has_waiters(mutex)))
      return real_unlock.get()(mutex);
    BusyScope busy;
    if (const ResourceId id = existing_identity(mutex, ResourceKind::kMutex))
      mutex_released(mutex, id);
  }
  return real_unlock.get()(mutex);
}

TASKSCOPE_INTERPOSE int pthread_mutex_init(pthread_mutex_t* mutex,
                                           const pthread_mutexattr_t* attr) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    retire_object(mutex);
  }
  return real_init.get()(mutex, attr);
}

TASKSCOPE_INTERPOSE int pthread_mutex_destroy(pthread_mutex_t* mutex) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    retire_object(mutex);
  }
  return real_destroy.get()(mutex);
}
