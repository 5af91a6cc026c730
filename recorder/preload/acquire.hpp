// The one acquisition protocol shared by mutexes, rwlocks and semaphores.
//
// Event convention (agreed with the analyzer):
//  - uncontended: the try-operation succeeds -> one `acquired(id, mode, units,
//    where)`; the fast path adds no wait events and, except at the object's
//    first use, no stack capture. A plain mutex's may instead be deferred: kept
//    in the thread's ledger and written only when it matters (docs/
//    architecture.md, "Uncontended locks");
//  - contended: `wait_begin(id, op, extra, timed, where)` -> the real blocking
//    call -> `wait_end(id, kAcquired | kTimedOut | kError)` -> on success
//    `acquired(id, mode, units, where)`. Ownership changes only through
//    acquired/released; wait events only say that the thread was blocked.
// `where` is site() on the fast path (the return address, followed by its
// callers when it returns into code that keeps frame pointers) and a short
// denoised stack on the slow path (stack_site) and at an object's first use.
#pragma once

#include <cerrno>

#include "identity.hpp"
#include "shim.hpp"

namespace taskscope::preload {

// What an acquisition is about. The callables take no arguments:
//  id()        -> ResourceId of the object (0: untracked, record nothing)
//  try_once()  -> 0 if acquired now, EBUSY/EAGAIN if it would block, else an error
//  block()     -> 0 acquired, ETIMEDOUT, or another error (the real call)
//  units()     -> kAcquired.b after success (recursion depth, semaphore units)
struct AcquireKind {
  WaitOp op;
  LockMode mode;
  uint64_t wait_extra;
  bool timed;
  // A plain mutex: its uncontended acquisition may be deferred, kept in the
  // thread's ledger unrecorded (detail::defer_acquired). 0 = always record.
  uintptr_t deferrable = 0;
};

template <typename IdFn, typename TryFn, typename BlockFn, typename UnitsFn>
int acquire(const void* return_address, const AcquireKind& kind, IdFn&& id, TryFn&& try_once,
            BlockFn&& block, UnitsFn&& units) {
  ResourceId resource = 0;
  int rc = 0;
  {
    // The identity comes first: creating it may read the object's state
    // (a semaphore's value), which the try-operation changes.
    BusyScope busy;
    t_identity_created = false;
    resource = id();
    rc = try_once();
    if (rc == 0 || rc == EOWNERDEAD) {
      if (resource != 0) {
        // The first use names the resource by its stack: always recorded.
        const StringId where =
            t_identity_created ? stack_site(return_address) : site(return_address);
        if (kind.deferrable == 0 || t_identity_created ||
            !detail::defer_acquired(resource, kind.deferrable, where))
          taskscope::acquired(resource, kind.mode, units(), where);
      }
      return rc;
    }
  }
  if (rc != EBUSY && rc != EAGAIN) return block();  // not a wait: fails the same way
  StringId where = 0;
  if (resource != 0) {
    BusyScope busy;
    where = stack_site(return_address);
    wait_begin(resource, kind.op, kind.wait_extra, kind.timed, where);
  }
  rc = block();
  if (resource != 0) {
    BusyScope busy;
    busy.keep_errno();
    if (rc == 0 || rc == EOWNERDEAD) {
      wait_end(resource, WaitOutcome::kAcquired);
      taskscope::acquired(resource, kind.mode, units(), where);
    } else {
      wait_end(resource, rc == ETIMEDOUT ? WaitOutcome::kTimedOut : WaitOutcome::kError);
    }
  }
  return rc;
}

}  // namespace taskscope::preload
