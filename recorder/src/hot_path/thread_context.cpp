#include "hot_path/thread_context.hpp"

#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <new>
#include <string_view>

#include "hot_path/reentry.hpp"
#include "taskscope/events.hpp"

namespace taskscope::detail {

constinit thread_local EventRing* t_ring __attribute__((tls_model("initial-exec"))) = nullptr;
constinit thread_local ThreadContext* t_context __attribute__((tls_model("initial-exec"))) =
    nullptr;
constinit thread_local bool t_in_recorder __attribute__((tls_model("initial-exec"))) = false;

namespace {

// Set once the thread's exit hook ran: later events (from other thread_local
// destructors) are ignored instead of creating a context nobody would retire.
constinit thread_local bool t_thread_gone __attribute__((tls_model("initial-exec"))) = false;

// The second thread_local: its destructor retires the context at thread exit.
// Touched once, when the context is created, so the hot path never pays for it.
struct ThreadExitHook {
  bool armed = false;
  ~ThreadExitHook() { end_this_thread(); }
};
thread_local ThreadExitHook t_exit_hook;

// glibc runs no thread_local destructors for a main thread that leaves through
// pthread_exit (the process goes on without it), but it does run pthread key
// destructors. Every thread with a context sets this key, whose destructor ends
// the thread if the exit hook has not (for other threads it runs after the
// hook, and finds nothing left to do).
void set_exit_key(ThreadContext* context) noexcept {
  static const pthread_key_t key = [] {
    pthread_key_t created;
    return pthread_key_create(&created, [](void*) { end_this_thread(); }) == 0
               ? created
               : ~pthread_key_t{0};
  }();
  if (key != ~pthread_key_t{0}) pthread_setspecific(key, context);
}

StringId os_thread_name() noexcept {
  char name[64] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return 0;
  // A thread nobody named carries the program's name cut to 15 characters
  // (the kernel's limit); the whole program name reads better.
  const std::string_view program =
      program_invocation_short_name != nullptr ? program_invocation_short_name : "";
  const std::string_view os_name(name);
  if (os_name.size() == 15 && program.size() > 15 && program.substr(0, 15) == os_name)
    return intern(program);
  return intern(name);
}

}  // namespace

ThreadRegistry& ThreadRegistry::instance() noexcept {
  // Never destroyed: threads retire their contexts during and after exit().
  static ThreadRegistry* registry = new ThreadRegistry();
  return *registry;
}

ThreadContext* ThreadRegistry::create(AgentId agent, AgentId parent, StringId name,
                                      bool* announce) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto* context = new ThreadContext(ring_records_, agent, parent, name);
  try {
    contexts_.push_back(context);
  } catch (...) {
    delete context;
    throw;
  }
  context->announced_epoch = active_ ? epoch_ : 0;
  *announce = active_;
  return context;
}

void ThreadRegistry::retire(ThreadContext* context) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (active_) {
    // The flusher drains what is left and frees it.
    context->retired.store(true, std::memory_order_release);
    return;
  }
  contexts_.erase(std::remove(contexts_.begin(), contexts_.end(), context), contexts_.end());
  delete context;
}

void ThreadRegistry::activate(uint64_t ring_records) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++epoch_;
  active_ = true;
  ring_records_ = ring_records;
  for (ThreadContext* context : contexts_) {
    if (context->retired.load(std::memory_order_relaxed)) continue;
    context->announced_epoch = epoch_;
    format::Event start;
    start.kind = EventKind::kThreadStart;
    start.thread = context->agent.load(std::memory_order_relaxed);
    start.a = start.thread;
    start.b = context->parent.load(std::memory_order_relaxed);
    start.str = context->name.load(std::memory_order_relaxed);
    context->flush.synthetic.clear();
    context->flush.synthetic.push_back(start);
    context->flush.last_ns = 0;
  }
}

void ThreadRegistry::deactivate() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  active_ = false;
  auto retired = [](ThreadContext* context) {
    if (!context->retired.load(std::memory_order_acquire)) return false;
    delete context;
    return true;
  };
  contexts_.erase(std::remove_if(contexts_.begin(), contexts_.end(), retired), contexts_.end());
}

void ThreadRegistry::list(std::vector<ThreadContext*>& out) {
  out.clear();
  std::lock_guard<std::mutex> lock(mutex_);
  out.insert(out.end(), contexts_.begin(), contexts_.end());
}

void ThreadRegistry::release(const std::vector<ThreadContext*>& drained) noexcept {
  if (drained.empty()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  for (ThreadContext* context : drained) {
    contexts_.erase(std::remove(contexts_.begin(), contexts_.end(), context), contexts_.end());
    delete context;
  }
}

void ThreadRegistry::reset_in_child(ThreadContext* survivor) noexcept {
  // Called with the lock held (taken before fork). The other threads do not
  // exist in the child; their contexts are plain memory now.
  for (ThreadContext* context : contexts_) {
    if (context != survivor) delete context;
  }
  contexts_.clear();
  if (survivor != nullptr) contexts_.push_back(survivor);
  active_ = false;
}

ThreadContext* create_this_thread_context(AgentId agent, AgentId parent, StringId name) noexcept {
  if (t_context != nullptr) return t_context;
  if (t_thread_gone) return nullptr;
  ReentryGuard guard;
  if (name == 0) name = os_thread_name();
  bool announce = false;
  ThreadContext* context = nullptr;
  try {
    t_exit_hook.armed = true;  // registers the exit hook's destructor
    context = ThreadRegistry::instance().create(agent, parent, name, &announce);
  } catch (...) {
    return nullptr;
  }
  t_context = context;
  t_ring = &context->ring;
  set_exit_key(context);
  if (announce) record(EventKind::kThreadStart, 0, 0, name, agent, parent);
  return context;
}

ThreadContext* create_this_thread_context_fresh() noexcept {
  return create_this_thread_context(new_agent_id(), 0, 0);
}

ThreadContext* this_thread_context_if_any() noexcept { return t_context; }

void end_this_thread() noexcept {
  ThreadContext* context = t_context;
  t_thread_gone = true;
  if (context == nullptr) return;
  if (recording()) {
    record(EventKind::kThreadEnd, 0, 0, context->exit_site,
           context->agent.load(std::memory_order_relaxed), 0);
  }
  t_ring = nullptr;
  t_context = nullptr;
  ReentryGuard guard;
  ThreadRegistry::instance().retire(context);
}

}  // namespace taskscope::detail
