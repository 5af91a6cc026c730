// Cross-primitive helpers: a condvar wait releases and re-acquires its mutex,
// so condvar.cpp needs the mutex model of mutex.cpp.
#pragma once

#include <pthread.h>

#include "shim.hpp"

namespace taskscope::preload {

// The mutex's current identity, created on first use.
ResourceId mutex_resource(pthread_mutex_t* mutex) noexcept;
// Records the release of `mutex` (identity `id`) that the caller is about to do.
void mutex_released(pthread_mutex_t* mutex, ResourceId id) noexcept;
// Records that the calling thread holds `mutex` again after a condvar wait.
void mutex_acquired_by_condvar(pthread_mutex_t* mutex, ResourceId id, StringId where) noexcept;
// Ends the identity of the object at `address`, if any (init, destroy).
void retire_object(const void* address) noexcept;

}  // namespace taskscope::preload
