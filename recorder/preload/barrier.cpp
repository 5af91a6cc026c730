// pthread barriers: init, wait, destroy. A barrier must be initialised before
// use, so its identity is created by pthread_barrier_init (kResourceCreate.b =
// the count). Every pthread_barrier_wait is a wait —
// wait_begin(barrier, kBarrier, count) ... wait_end(kCompleted) — even for the
// last thread to arrive, whose wait is simply short.
#include <pthread.h>

#include "identity.hpp"
#include "objects.hpp"
#include "shim.hpp"

namespace taskscope::preload {
namespace {

RealFunction<int (*)(pthread_barrier_t*, const pthread_barrierattr_t*, unsigned)> real_init(
    "pthread_barrier_init");
RealFunction<int (*)(pthread_barrier_t*)> real_wait("pthread_barrier_wait");
RealFunction<int (*)(pthread_barrier_t*)> real_destroy("pthread_barrier_destroy");

}  // namespace
}  // namespace taskscope::preload

using namespace taskscope;
using namespace taskscope::preload;

TASKSCOPE_INTERPOSE int pthread_barrier_init(pthread_barrier_t* barrier,
                                             const pthread_barrierattr_t* attr, unsigned count) {
  const int rc = real_init.get()(barrier, attr, count);
  if (rc == 0 && should_record(__builtin_return_address(0))) {
    BusyScope busy;
    if (Slot* slot = sync_objects().find_or_insert(reinterpret_cast<uintptr_t>(barrier))) {
      slot->extra.store(count, std::memory_order_relaxed);
      retire_object(barrier);  // re-initialised without destroy: a new barrier
      create_identity(slot, ResourceKind::kBarrier, count);
    }
  }
  return rc;
}

TASKSCOPE_INTERPOSE int pthread_barrier_wait(pthread_barrier_t* barrier) {
  if (!should_record(__builtin_return_address(0))) return real_wait.get()(barrier);
  const void* return_address = __builtin_return_address(0);
  ResourceId id = 0;
  {
    BusyScope busy;
    if (Slot* slot = sync_objects().find_or_insert(reinterpret_cast<uintptr_t>(barrier))) {
      id = identity(slot, ResourceKind::kBarrier,
                    [&] { return uint64_t{slot->extra.load(std::memory_order_relaxed)}; });
      if (id != 0)
        wait_begin(id, WaitOp::kBarrier, slot->extra.load(std::memory_order_relaxed), false,
                   stack_site(return_address));
    }
  }
  const int rc = real_wait.get()(barrier);
  if (id != 0) {
    BusyScope busy;
    wait_end(id, rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD ? WaitOutcome::kCompleted
                                                                : WaitOutcome::kError);
  }
  return rc;
}

TASKSCOPE_INTERPOSE int pthread_barrier_destroy(pthread_barrier_t* barrier) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    retire_object(barrier);
  }
  return real_destroy.get()(barrier);
}
