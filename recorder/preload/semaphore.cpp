// POSIX semaphores: sem_wait, sem_trywait, sem_timedwait, sem_clockwait,
// sem_post, sem_init, sem_destroy (named semaphores from sem_open work too:
// their identity is created on first use).
//
// A wait takes one unit: acquired(sem, kExclusive, units = 1) — after a
// wait_begin(sem, kAcquire, 1)/wait_end pair when it blocked. A post is
// kSemPost(sem, 1), recorded before the real post so that the waiter it wakes
// is seen after it; there is no kReleased for semaphores, since the poster is
// often not the thread that acquired. kResourceCreate.b is the value at the
// first use (the initial value for sem_init'd semaphores).
#include <semaphore.h>

#include "acquire.hpp"
#include "identity.hpp"
#include "objects.hpp"
#include "shim.hpp"

namespace taskscope::preload {
namespace {

RealFunction<int (*)(sem_t*)> real_wait("sem_wait");
RealFunction<int (*)(sem_t*)> real_trywait("sem_trywait");
RealFunction<int (*)(sem_t*, const timespec*)> real_timedwait("sem_timedwait");
RealFunction<int (*)(sem_t*, clockid_t, const timespec*)> real_clockwait("sem_clockwait");
RealFunction<int (*)(sem_t*)> real_post("sem_post");
RealFunction<int (*)(sem_t*)> real_destroy("sem_destroy");
RealFunction<int (*)(sem_t*, int, unsigned)> real_init("sem_init");

ResourceId semaphore_resource(sem_t* sem) {
  Slot* slot = sync_objects().find_or_insert(reinterpret_cast<uintptr_t>(sem));
  if (slot == nullptr) return 0;
  return identity(slot, ResourceKind::kSemaphore, [&] {
    int value = 0;
    sem_getvalue(sem, &value);
    return static_cast<uint64_t>(value > 0 ? value : 0);
  });
}

// Adapts a -1/errno call to the 0/error-code convention of acquire().
template <typename Fn>
int as_code(Fn&& fn) {
  return fn() == 0 ? 0 : errno;
}

template <typename BlockFn>
int wait(sem_t* sem, bool timed, const void* return_address, BlockFn&& block) {
  const int rc = acquire(
      return_address, {WaitOp::kAcquire, LockMode::kExclusive, 1, timed, 0},
      [&] { return semaphore_resource(sem); },
      [&] { return as_code([&] { return real_trywait.get()(sem); }); },
      [&] { return as_code(block); }, [] { return uint64_t{1}; });
  if (rc == 0) return 0;
  errno = rc;
  return -1;
}

}  // namespace
}  // namespace taskscope::preload

using namespace taskscope;
using namespace taskscope::preload;

TASKSCOPE_INTERPOSE int sem_wait(sem_t* sem) {
  if (!should_record(__builtin_return_address(0))) return real_wait.get()(sem);
  return wait(sem, false, __builtin_return_address(0), [&] { return real_wait.get()(sem); });
}

TASKSCOPE_INTERPOSE int sem_timedwait(sem_t* sem, const timespec* abstime) {
  if (!should_record(__builtin_return_address(0))) return real_timedwait.get()(sem, abstime);
  return wait(sem, true, __builtin_return_address(0),
              [&] { return real_timedwait.get()(sem, abstime); });
}

TASKSCOPE_INTERPOSE int sem_clockwait(sem_t* sem, clockid_t clock, const timespec* abstime) {
  if (!should_record(__builtin_return_address(0))) return real_clockwait.get()(sem, clock, abstime);
  return wait(sem, true, __builtin_return_address(0),
              [&] { return real_clockwait.get()(sem, clock, abstime); });
}

TASKSCOPE_INTERPOSE int sem_trywait(sem_t* sem) {
  const int rc = real_trywait.get()(sem);
  if (rc == 0 && should_record(__builtin_return_address(0))) {
    BusyScope busy;
    const void* return_address = __builtin_return_address(0);
    if (const ResourceId id = semaphore_resource(sem))
      detail::record(EventKind::kAcquired, static_cast<uint8_t>(LockMode::kExclusive),
                     format::kFlagTry, site(return_address), id, 1);
  }
  return rc;
}

TASKSCOPE_INTERPOSE int sem_post(sem_t* sem) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    if (const ResourceId id = semaphore_resource(sem)) sem_posted(id, 1);
  }
  return real_post.get()(sem);
}

TASKSCOPE_INTERPOSE int sem_init(sem_t* sem, int pshared, unsigned value) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    retire_object(sem);
  }
  return real_init.get()(sem, pshared, value);
}

TASKSCOPE_INTERPOSE int sem_destroy(sem_t* sem) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    retire_object(sem);
  }
  return real_destroy.get()(sem);
}
