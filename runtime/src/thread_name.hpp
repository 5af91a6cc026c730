// Naming the runtime's own threads (workers, timer, io-poller).
#pragma once

#include <pthread.h>

#include <algorithm>
#include <string_view>

#include "taskscope/events.hpp"

namespace taskscope::rt::detail {

// Sets the OS name before the thread's first event: a new thread inherits its
// creator's name, and the recorder's thread-start event would otherwise carry
// that one ("worker-1" for a timer thread started from a worker).
inline void name_this_thread(std::string_view name) noexcept {
  char os_name[16] = {};
  name.copy(os_name, std::min<std::size_t>(name.size(), sizeof os_name - 1));
  pthread_setname_np(pthread_self(), os_name);
  set_thread_name(name);
}

}  // namespace taskscope::rt::detail
