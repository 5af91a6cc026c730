// Threads: pthread_create, pthread_join (and its _np variants: tryjoin,
// timedjoin, clockjoin), pthread_detach, pthread_exit, pthread_setname_np.
//
// pthread_create allocates the new thread's agent id in the parent
// (new_agent_id), records the creation there (kThreadCreate with its call site:
// the point the analyzer orders the thread's work after, however late it first
// runs) and starts the thread on a trampoline that binds that id
// (adopt_thread_agent: kThreadStart with the parent and a name) before the
// user's start routine runs. pthread_create does not wait for the thread to
// start: the recorder never holds the program up. The parent also maps the
// pthread_t to the agent id, so that a join, or a pthread_setname_np from another thread, knows
// whom it is about: join is wait_begin(joined agent, kJoin) ... wait_end(kCompleted), setname is
// name_agent.
//
// Thread names before any pthread_setname_np come from the start routine:
//  - "sym:0x<address of the routine>", which Symbolizer::describe turns into
//    the function's name offline ("worker"): in-process, dladdr would know only
//    exported symbols and takes the loader lock;
//  - for std::thread the routine is libstdc++'s execute_native_thread_routine
//    and the argument a std::thread::_State; the name is then the address of
//    the _State's _M_run (third vtable slot in the Itanium C++ ABI), whose
//    symbol names the callable (e.g. a lambda in main).
//
// pthread_detach, and a pthread_create whose attributes say detached, record
// kThreadDetach: nobody will join that thread, which a report about a join on it
// says. The detach may come after the thread ended.
//
// pthread_exit records its call site, which the thread's kThreadEnd carries
// ("worker exited by pthread_exit at reload.c:12"). The recorder records the end
// itself once the thread has finished exiting (after its cleanup handlers, which
// may still unlock mutexes), the main thread's included.
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "identity.hpp"
#include "module_ranges.hpp"
#include "shim.hpp"

namespace taskscope::preload {
namespace {

using StartRoutine = void* (*)(void*);
RealFunction<int (*)(pthread_t*, const pthread_attr_t*, StartRoutine, void*)> real_create(
    "pthread_create");
RealFunction<int (*)(pthread_t, void**)> real_join("pthread_join");
RealFunction<int (*)(pthread_t, void**)> real_tryjoin("pthread_tryjoin_np");
RealFunction<int (*)(pthread_t, void**, const timespec*)> real_timedjoin("pthread_timedjoin_np");
RealFunction<int (*)(pthread_t, void**, clockid_t, const timespec*)> real_clockjoin(
    "pthread_clockjoin_np");
RealFunction<int (*)(pthread_t, const char*)> real_setname("pthread_setname_np");
RealFunction<int (*)(pthread_t)> real_detach("pthread_detach");
RealFunction<void (*)(void*)> real_exit("pthread_exit");

struct StartContext {
  StartRoutine start;
  void* arg;
  AgentId id;
  AgentId parent;
  char name[64];
};

void name_from_start_routine(StartRoutine start, void* arg, char* out, size_t size) {
  const void* code = reinterpret_cast<const void*>(start);
  if (in_libstdcxx(code) && arg != nullptr) {
    // std::thread: the routine is libstdc++'s execute_native_thread_routine and
    // `arg` its _State; name the thread by the _State's _M_run.
    void* const* vtable = *static_cast<void* const* const*>(arg);
    code = vtable[2];
  }
  std::snprintf(out, size, "sym:0x%" PRIxPTR, reinterpret_cast<uintptr_t>(code));
}

void remember(pthread_t thread, AgentId id) {
  if (Slot* slot = threads().find_or_insert(static_cast<uintptr_t>(thread)))
    slot->word.store(id, std::memory_order_release);
}

AgentId agent_of(pthread_t thread) {
  if (pthread_equal(thread, pthread_self())) return current_thread_agent();
  Slot* slot = threads().find(static_cast<uintptr_t>(thread));
  return slot != nullptr ? slot->word.load(std::memory_order_acquire) : 0;
}

// A join that may block: a wait on the joined thread's agent around `call`.
template <typename Call>
int join(pthread_t thread, bool timed, const void* return_address, Call&& call) {
  AgentId agent = 0;
  {
    BusyScope busy;
    agent = agent_of(thread);
    if (agent != 0)
      wait_begin(agent, WaitOp::kJoin, 0, timed, stack_site(return_address));
  }
  const int rc = call();
  if (agent != 0) {
    BusyScope busy;
    busy.keep_errno();
    wait_end(agent, rc == 0           ? WaitOutcome::kCompleted
                    : rc == ETIMEDOUT ? WaitOutcome::kTimedOut
                                      : WaitOutcome::kError);
  }
  return rc;
}

// Owns the context: the creator does not touch it once the thread exists.
void* trampoline(void* raw) {
  auto* context = static_cast<StartContext*>(raw);
  const StartRoutine start = context->start;
  void* const arg = context->arg;
  {
    BusyScope busy;
    adopt_thread_agent(context->id, context->parent, context->name);
    remember(pthread_self(), context->id);
    std::free(context);
  }
  return start(arg);
}

}  // namespace
}  // namespace taskscope::preload

using namespace taskscope;
using namespace taskscope::preload;

TASKSCOPE_INTERPOSE int pthread_create(pthread_t* thread, const pthread_attr_t* attr,
                                       StartRoutine start, void* arg) {
  if (!should_record(__builtin_return_address(0)))
    return real_create.get()(thread, attr, start, arg);
  StartContext* context = nullptr;
  {
    BusyScope busy;
    void* memory = std::malloc(sizeof(StartContext));
    if (memory != nullptr) {
      context = new (memory) StartContext;
      context->start = start;
      context->arg = arg;
      context->id = new_agent_id();
      context->parent = current_agent();
      name_from_start_routine(start, arg, context->name, sizeof context->name);
      // Before the thread exists: its work happens after this point of ours,
      // however late it first runs.
      emit(EventKind::kThreadCreate, 0, context->id, 0, stack_site(__builtin_return_address(0)));
    }
  }
  if (context == nullptr) return real_create.get()(thread, attr, start, arg);
  const AgentId id = context->id;
  const int rc = real_create.get()(thread, attr, trampoline, context);
  BusyScope busy;
  busy.keep_errno();
  if (rc != 0) {
    std::free(context);
    emit(EventKind::kThreadEnd, 0, id);  // created, never ran
    return rc;
  }
  remember(*thread, id);
  int detach_state = PTHREAD_CREATE_JOINABLE;
  if (attr != nullptr && pthread_attr_getdetachstate(attr, &detach_state) == 0 &&
      detach_state == PTHREAD_CREATE_DETACHED)
    emit(EventKind::kThreadDetach, 0, id, 0, stack_site(__builtin_return_address(0)));
  return rc;
}

TASKSCOPE_INTERPOSE int pthread_join(pthread_t thread, void** result) {
  if (!should_record(__builtin_return_address(0))) return real_join.get()(thread, result);
  return join(thread, false, __builtin_return_address(0),
              [&] { return real_join.get()(thread, result); });
}

TASKSCOPE_INTERPOSE int pthread_timedjoin_np(pthread_t thread, void** result,
                                             const timespec* abstime) {
  if (!should_record(__builtin_return_address(0)))
    return real_timedjoin.get()(thread, result, abstime);
  return join(thread, true, __builtin_return_address(0),
              [&] { return real_timedjoin.get()(thread, result, abstime); });
}

TASKSCOPE_INTERPOSE int pthread_clockjoin_np(pthread_t thread, void** result, clockid_t clock,
                                             const timespec* abstime) {
  if (!should_record(__builtin_return_address(0)))
    return real_clockjoin.get()(thread, result, clock, abstime);
  return join(thread, true, __builtin_return_address(0),
              [&] { return real_clockjoin.get()(thread, result, clock, abstime); });
}

TASKSCOPE_INTERPOSE int pthread_tryjoin_np(pthread_t thread, void** result) {
  const int rc = real_tryjoin.get()(thread, result);
  if (rc == 0 && should_record(__builtin_return_address(0))) {
    // The thread had ended: a join that did not have to wait (the analyzer's
    // ordering of what the joiner does after it).
    BusyScope busy;
    if (const AgentId agent = agent_of(thread)) {
      wait_begin(agent, WaitOp::kJoin, 0, false, site(__builtin_return_address(0)));
      wait_end(agent, WaitOutcome::kCompleted);
    }
  }
  return rc;
}

TASKSCOPE_INTERPOSE int pthread_detach(pthread_t thread) {
  if (!should_record(__builtin_return_address(0))) return real_detach.get()(thread);
  AgentId agent = 0;
  {
    BusyScope busy;
    agent = agent_of(thread);
  }
  const int rc = real_detach.get()(thread);
  if (rc == 0 && agent != 0) {
    BusyScope busy;
    busy.keep_errno();
    emit(EventKind::kThreadDetach, 0, agent, 0, stack_site(__builtin_return_address(0)));
  }
  return rc;
}

TASKSCOPE_INTERPOSE int pthread_setname_np(pthread_t thread, const char* name) {
  const int rc = real_setname.get()(thread, name);
  if (rc == 0 && should_record(__builtin_return_address(0))) {
    BusyScope busy;
    if (const AgentId agent = agent_of(thread)) name_agent(agent, name);
  }
  return rc;
}

TASKSCOPE_INTERPOSE void pthread_exit(void* result) {
  if (should_record(__builtin_return_address(0))) {
    BusyScope busy;
    thread_exiting(stack_site(__builtin_return_address(0)));
  }
  real_exit.get()(result);
  __builtin_unreachable();
}
