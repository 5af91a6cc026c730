// Marks code that runs on behalf of the recorder, so that instrumentation which
// intercepts libc/pthread calls (the preload shim) can tell the recorder's own
// calls from the program's and does not recurse into the recorder.
#pragma once

#include "taskscope/events.hpp"

namespace taskscope::detail {

// t_in_recorder (declared in taskscope/events.hpp, initial-exec TLS because the
// shim checks it on every intercepted call) is the flag.

// Sets the calling thread's reentrancy flag for its scope. Nests: the flag is
// restored, not cleared, so a guard inside a guard keeps the outer one valid.
class ReentryGuard {
 public:
  ReentryGuard() noexcept : previous_(t_in_recorder) { t_in_recorder = true; }
  ~ReentryGuard() { t_in_recorder = previous_; }
  ReentryGuard(const ReentryGuard&) = delete;
  ReentryGuard& operator=(const ReentryGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace taskscope::detail
