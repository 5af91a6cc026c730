// Process-level hooks: start at load from the environment, stop at exit, and
// keep a fork()ed child away from the parent's trace.
//
// Exit: start() registers an atexit handler that ends the session (a flight
// recorder dumps its window with reason "exit"). It runs before the static
// objects that were constructed before start() are destroyed; the recorder's
// own global state is never destroyed, so threads that still record during
// static destruction find it intact (they record nothing: recording is off).
// The exiting thread's own ring was retired just before (glibc runs
// thread_local destructors first), so its last events are in the trace.
//
// fork(): the child does not record. Its copy of the session is abandoned and
// the trace file descriptor closed, so nothing the child does can reach the
// parent's file; the child may start() a session of its own.
//
// Environment: when TASKSCOPE_OUTPUT is set, the library starts a session at
// load with config_from_environment(). The process then exports
// TASKSCOPE_RECORDER_PID=<its pid>; a descendant that inherited the variables
// and auto-starts too (an exec'd child linked with the recorder, or under the
// same LD_PRELOAD) writes to "<TASKSCOPE_OUTPUT>.<its pid>" instead, so it
// cannot overwrite its ancestor's trace. Not in a secure-execution process
// (setuid and the like, secure_execution.hpp): its environment is untrusted.
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "hot_path/reentry.hpp"
#include "process/secure_execution.hpp"
#include "process/session.hpp"
#include "taskscope/session.hpp"

namespace taskscope::detail {
namespace {

constexpr const char* kOwnerVariable = "TASKSCOPE_RECORDER_PID";

void stop_at_exit() { stop_session("exit", /*at_exit=*/true); }

void autostart() {
  if (secure_execution()) return;  // the environment may be an attacker's
  const char* output = std::getenv("TASKSCOPE_OUTPUT");
  if (output == nullptr || output[0] == '\0') return;
  ReentryGuard guard;
  const std::string pid = std::to_string(::getpid());
  Config config = config_from_environment();
  const char* owner = std::getenv(kOwnerVariable);
  if (owner != nullptr && pid != owner) config.output += "." + pid;
  ::setenv(kOwnerVariable, pid.c_str(), 1);
  if (!start(config))
    std::fprintf(stderr, "taskscope: cannot record to %s\n", config.output.c_str());
}

}  // namespace

void register_process_hooks() noexcept {
  static std::once_flag once;
  try {
    std::call_once(once, [] {
      std::atexit(stop_at_exit);
      pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
    });
  } catch (...) {
  }
}

// After the library's own initialisers (priority 101 is the clock's load-time
// sample), before the program's main().
__attribute__((constructor(65000))) void start_from_environment() {
  try {
    autostart();
  } catch (...) {
  }
}

}  // namespace taskscope::detail
