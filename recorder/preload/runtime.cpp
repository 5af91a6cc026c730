// The shim's per-process plumbing: resolving the real functions, the per-thread
// guard and tid cache, and the hook that runs when the library is loaded.
#include <dlfcn.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

#include "module_ranges.hpp"
#include "shim.hpp"

namespace taskscope::preload {

constinit thread_local bool t_busy __attribute__((tls_model("initial-exec"))) = false;

namespace {
thread_local int t_tid __attribute__((tls_model("initial-exec"))) = 0;
}  // namespace

void* resolve_next(const char* name, const char* version) noexcept {
  // dlsym may allocate or lock; whatever it calls must bypass the shim.
  const bool was_busy = t_busy;
  t_busy = true;
  void* fn = version != nullptr ? dlvsym(RTLD_NEXT, name, version) : nullptr;
  if (fn == nullptr) fn = dlsym(RTLD_NEXT, name);
  t_busy = was_busy;
  if (fn == nullptr) {
    // Without the real function the program cannot go on; say which one.
    static const char kMessage[] = "taskscope preload: cannot resolve a libc function\n";
    [[maybe_unused]] auto written = write(2, kMessage, sizeof kMessage - 1);
    abort();
  }
  return fn;
}

int current_tid() noexcept {
  if (t_tid == 0) [[unlikely]]
    t_tid = static_cast<int>(syscall(SYS_gettid));
  return t_tid;
}

void reset_tid_after_fork() noexcept { t_tid = 0; }

namespace {

// Runs when the library is loaded (before main for LD_PRELOAD), after the
// recorder's own initialisers (a dependency's run first): the recorder has
// already started the session asked for by TASKSCOPE_OUTPUT (and gives a
// process exec'd by the recorded one a file of its own, see the recorder's
// process_hooks.cpp). A program linked with the recorder shares that session.
__attribute__((constructor)) void on_load() {
  t_busy = true;
  pthread_atfork(nullptr, nullptr, [] { reset_tid_after_fork(); });
  classify_modules();
  prepare_stack_capture();
  t_busy = false;
}

}  // namespace

}  // namespace taskscope::preload
