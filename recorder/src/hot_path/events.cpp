// The out-of-line part of the recording API (taskscope/events.hpp): ids,
// strings, agents, tasks and user events. The inline ones live in the header.
#include "taskscope/events.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <string>

#include "hot_path/clock.hpp"
#include "hot_path/reentry.hpp"
#include "hot_path/string_caches.hpp"
#include "hot_path/thread_context.hpp"

namespace taskscope {
namespace {

// Id counters. Agents (threads and tasks) share one space; 0 means "none".
constinit std::atomic<uint64_t> g_next_agent{1};
constinit std::atomic<uint64_t> g_next_resource{1};
constinit std::atomic<uint64_t> g_next_endpoint{1};

// PollScope::previous_ when the scope recorded nothing (recording was off).
constexpr AgentId kPollInactive = ~AgentId{0};

// Interns through the calling thread's cache when it has a context.
StringId intern_cached(std::string_view text) noexcept {
  if (text.empty()) return 0;
  if (detail::ThreadContext* context = detail::this_thread_context())
    return context->caches.name(text);
  return detail::intern_text(text);
}

// A poll's CPU time is read from the thread's CPU clock, a system call that
// costs far more than an event. The PollBegin reading is therefore an upper
// bound: the last probe plus the wall time since it (a thread cannot run longer
// than the wall clock), with a new probe only when the last is a millisecond old.
// The PollEnd of a poll shorter than a millisecond carries no reading (it cannot
// have run longer on the CPU); a longer one probes. PollEnd minus PollBegin is
// then a lower bound of the poll's CPU time, at most 1 ms under the truth.
uint64_t cpu_time_at_most(detail::ThreadContext& context, uint64_t now) noexcept {
  const uint64_t per_ms = detail::g_ticks_per_ms.load(std::memory_order_relaxed);
  const uint64_t since = now - context.cpu_probe_ticks;
  if (context.cpu_probe_ticks != 0 && since < per_ms)
    return context.cpu_probe_ns + since * 1'000'000 / per_ms;
  context.cpu_probe_ns = detail::thread_cpu_ns();
  context.cpu_probe_ticks = detail::read_ticks();
  return context.cpu_probe_ns;
}

}  // namespace

AgentId new_agent_id() noexcept { return g_next_agent.fetch_add(1, std::memory_order_relaxed); }
ResourceId new_resource_id() noexcept {
  return g_next_resource.fetch_add(1, std::memory_order_relaxed);
}
EndpointId new_endpoint_id() noexcept {
  return g_next_endpoint.fetch_add(1, std::memory_order_relaxed);
}

AgentId current_thread_agent() noexcept {
  detail::ThreadContext* context = detail::this_thread_context();
  return context != nullptr ? context->agent.load(std::memory_order_relaxed) : 0;
}

AgentId current_agent() noexcept {
  detail::ThreadContext* context = detail::this_thread_context();
  if (context == nullptr) return 0;
  return context->acting != 0 ? context->acting : context->agent.load(std::memory_order_relaxed);
}

StringId intern(std::string_view text) noexcept { return detail::intern_text(text); }

StringId intern_location(const std::source_location& loc) noexcept {
  if (detail::ThreadContext* context = detail::this_thread_context())
    return context->caches.location(loc);
  try {
    return detail::intern_text(detail::location_text(loc));
  } catch (...) {
    return 0;
  }
}

StringId intern_pc(const void* return_address) noexcept {
  if (detail::ThreadContext* context = detail::this_thread_context())
    return context->caches.pc(return_address);
  try {
    return detail::intern_text(detail::pc_text(return_address));
  } catch (...) {
    return 0;
  }
}

// ---- lifecycle ----

void adopt_thread_agent(AgentId id, AgentId parent, std::string_view name) noexcept {
  detail::ReentryGuard guard;
  const StringId name_id = detail::intern_text(name);
  detail::ThreadContext* context = detail::this_thread_context_if_any();
  if (context == nullptr) {
    detail::create_this_thread_context(id, parent, name_id);
    return;
  }
  const AgentId old = context->agent.load(std::memory_order_relaxed);
  if (old == id) return;
  // The thread already recorded under another id: end that agent, then tell the
  // flusher (in ring order) that later records belong to the new one.
  if (recording()) detail::record(EventKind::kThreadEnd, 0, 0, 0, old, 0);
  detail::record(static_cast<EventKind>(detail::kRecordRebind), 0, 0, 0, id, 0);
  context->agent.store(id, std::memory_order_relaxed);
  context->parent.store(parent, std::memory_order_relaxed);
  context->name.store(name_id, std::memory_order_relaxed);
  if (recording()) detail::record(EventKind::kThreadStart, 0, 0, name_id, id, parent);
}

void set_thread_name(std::string_view name) noexcept {
  detail::ReentryGuard guard;
  detail::ThreadContext* context = detail::this_thread_context();
  const StringId name_id = detail::intern_text(name);
  // Also the OS name (15 characters at most), so debuggers and top agree.
  char os_name[16] = {};
  name.copy(os_name, std::min<size_t>(name.size(), sizeof os_name - 1));
  pthread_setname_np(pthread_self(), os_name);
  if (context == nullptr) return;
  context->name.store(name_id, std::memory_order_relaxed);
  if (recording())
    detail::record(EventKind::kAgentName, 0, 0, name_id,
                   context->agent.load(std::memory_order_relaxed), 0);
}

void thread_exiting(StringId site) noexcept {
  if (detail::ThreadContext* context = detail::this_thread_context_if_any())
    context->exit_site = site;
}

void name_agent(AgentId agent, std::string_view name) noexcept {
  if (!recording()) return;
  detail::record(EventKind::kAgentName, 0, 0, intern_cached(name), agent, 0);
}

AgentId task_spawned(std::string_view name, const std::source_location& loc) noexcept {
  const AgentId task = new_agent_id();
  if (recording())
    detail::record(EventKind::kTaskSpawn, 0, 0, intern_location(loc), task, intern_cached(name));
  return task;
}

void task_ended(AgentId task, TaskEndReason reason) noexcept {
  emit(EventKind::kTaskEnd, static_cast<uint8_t>(reason), task);
}

PollScope::PollScope(AgentId task) noexcept : task_(task), previous_(kPollInactive) {
  if (!recording()) return;
  detail::ThreadContext* context = detail::this_thread_context();
  if (context == nullptr) return;
  previous_ = context->acting;
  context->acting = task;
  begin_ticks_ = detail::read_ticks();
  detail::record(EventKind::kPollBegin, 0, format::kFlagCpuTime, 0, task,
                 cpu_time_at_most(*context, begin_ticks_));
}

PollScope::~PollScope() {
  if (previous_ == kPollInactive) return;
  detail::ThreadContext* context = detail::this_thread_context_if_any();
  if (recording()) {
    const uint64_t now = detail::read_ticks();
    const uint64_t per_ms = detail::g_ticks_per_ms.load(std::memory_order_relaxed);
    if (context != nullptr && now - begin_ticks_ >= per_ms) {
      context->cpu_probe_ns = detail::thread_cpu_ns();
      context->cpu_probe_ticks = detail::read_ticks();
      detail::record(EventKind::kPollEnd, static_cast<uint8_t>(result_), format::kFlagCpuTime, 0,
                     task_, context->cpu_probe_ns);
    } else {
      detail::record(EventKind::kPollEnd, static_cast<uint8_t>(result_), 0, 0, task_, 0);
    }
  }
  if (context != nullptr) context->acting = previous_;
}

// ---- wakers ----

void waker_cloned(AgentId task, ResourceId registered_on) noexcept {
  emit(EventKind::kWakerClone, 0, task, registered_on);
}
void waker_dropped(AgentId task) noexcept { emit(EventKind::kWakerDrop, 0, task); }
void woke(AgentId task) noexcept { emit(EventKind::kWake, 0, task); }

// ---- resources and endpoints ----

void resource_created(ResourceId id, ResourceKind kind, std::string_view name,
                      uint64_t extra) noexcept {
  if (!recording()) return;
  detail::record(EventKind::kResourceCreate, static_cast<uint8_t>(kind), 0, intern_cached(name), id,
                 extra);
}

void resource_destroyed(ResourceId id) noexcept { emit(EventKind::kResourceDestroy, 0, id); }

void endpoint_opened(EndpointId ep, ResourceId ch, EndpointSide side) noexcept {
  emit(EventKind::kEndpointOpen, static_cast<uint8_t>(side), ep, ch);
}
void endpoint_closed(EndpointId ep) noexcept { emit(EventKind::kEndpointClose, 0, ep); }
void endpoint_used(EndpointId ep, EndpointSide side) noexcept {
  emit(EventKind::kEndpointUse, static_cast<uint8_t>(side), ep);
}
void endpoint_handed(EndpointId ep, AgentId to) noexcept {
  emit(EventKind::kEndpointHand, 0, ep, to);
}

// ---- user events ----

Span::Span(std::string_view name, std::string_view argument,
           const std::source_location& loc) noexcept
    : name_(0) {
  if (!recording() || name.empty()) return;
  name_ = intern_cached(name);
  detail::record(EventKind::kSpanEnter, 0, 0, intern_location(loc), name_, intern_cached(argument));
}

Span::~Span() {
  // name_ == 0: the span began while recording was off (or had no name).
  if (name_ != 0 && recording()) detail::record(EventKind::kSpanExit, 0, 0, 0, name_, 0);
}

void mark(std::string_view name, int64_t value) noexcept {
  if (!recording()) return;
  detail::record(EventKind::kMark, 0, 0, 0, intern_cached(name), static_cast<uint64_t>(value));
}

void counter(std::string_view name, int64_t value) noexcept {
  if (!recording()) return;
  detail::record(EventKind::kCounter, 0, 0, 0, intern_cached(name), static_cast<uint64_t>(value));
}

void memory_delta(int64_t bytes, AgentId agent) noexcept {
  emit(EventKind::kMemory, 0, agent, static_cast<uint64_t>(bytes));
}

}  // namespace taskscope
