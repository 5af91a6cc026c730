// The low-level recording API: what runtime authors and instrumented primitives
// call. Every function is safe to call when recording is off (it then costs one
// predictable branch) and never blocks, allocates on the hot path, or throws.
//
// Acting agent: events are attributed to the task being polled on the calling
// thread (see PollScope), otherwise to the thread itself.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>
#include <string_view>

#include "taskscope/format/event.hpp"

namespace taskscope {

using AgentId = uint64_t;
using ResourceId = uint64_t;
using EndpointId = uint64_t;
using StringId = uint32_t;

using format::EndpointSide;
using format::EventKind;
using format::IoOp;
using format::LockMode;
using format::NotifyKind;
using format::PollResult;
using format::ResourceKind;
using format::TaskEndReason;
using format::WaitOp;
using format::WaitOutcome;

namespace detail {
// True between start() and stop(). Read with relaxed order on every hot-path call.
extern std::atomic<bool> g_recording;
// Appends one event to the calling thread's ring (creating the ring on first use).
void record(EventKind kind, uint8_t op, uint16_t flags, StringId str, uint64_t a,
            uint64_t b) noexcept;
// Set on the recorder's own threads and while the recorder runs on a program
// thread (see on_recorder_thread). Initial-exec TLS: one load, no call.
extern constinit thread_local bool t_in_recorder __attribute__((tls_model("initial-exec")));
// True on the recorder's own threads (flusher, watchdog) and while the recorder
// itself runs on this thread: instrumentation (e.g. the preload shim) must record
// nothing then, or it would recurse into the recorder.
inline bool on_recorder_thread() noexcept { return t_in_recorder; }
// Plain mutexes of instrumentation that sees their lock word (the preload shim):
// keeps an uncontended acquisition of `resource`, the mutex at `object`, in the
// calling thread's ledger instead of recording it, when it tells the analyzer
// nothing new (docs/architecture.md, "Uncontended locks"). False: record it.
bool defer_acquired(ResourceId resource, uintptr_t object, StringId where) noexcept;
// Before the mutex at `object` is unlocked: true when its hold was deferred and
// is forgotten (record nothing). `contended`: another thread waits for it; the
// hold is then written and false returned, so that its release is recorded.
bool drop_deferred(uintptr_t object, bool contended) noexcept;
}  // namespace detail

// True while a session records.
inline bool recording() noexcept { return detail::g_recording.load(std::memory_order_relaxed); }

// Generic emission of any event kind (see taskscope/format/event.hpp for fields).
inline void emit(EventKind kind, uint8_t op, uint64_t a, uint64_t b = 0, StringId str = 0,
                 uint16_t flags = 0) noexcept {
  if (recording()) detail::record(kind, op, flags, str, a, b);
}

// ---- ids and strings (not hot path: call once per object or call site) ----
AgentId new_agent_id() noexcept;        // for tasks; threads get theirs on first event
ResourceId new_resource_id() noexcept;
EndpointId new_endpoint_id() noexcept;
AgentId current_thread_agent() noexcept;  // the calling OS thread's agent id
AgentId current_agent() noexcept;         // polled task on this thread, else the thread
// Interns a string into the trace's string table; 0 for empty. Thread-safe.
StringId intern(std::string_view text) noexcept;
// Interns "file:line function" for a call site; cached per call site.
StringId intern_location(const std::source_location& loc) noexcept;
// Interns "pc:0x..." for a return address (symbolized offline); cached.
StringId intern_pc(const void* return_address) noexcept;
// Interns a call site for a slow path (a wait that blocks) as the short chain
// "pc:0x<return>;pc:0x<caller>;..." the symbolizer reads, so that the report can
// name the first frame in the program's own code even when the return address
// lies in a library header's wrapper compiled into the program (std::lock_guard
// at -O0). Callers are found through frame pointers, and only out of functions
// that keep one; without any, this is intern_pc(return_address). `frame` is
// __builtin_frame_address(0) of the function `return_address` returns from, or
// of one it called, every frame in between keeping a frame pointer; nullptr
// starts from this function's own frame (then every caller up to the one
// `return_address` returns from must keep a frame pointer). Cached per thread.
// `alone`, when given, is set when the site is the return address alone and
// always will be (the function it returns into keeps no frame pointer), so
// that a caller may cache the result by return address.
StringId intern_call_chain(const void* return_address, const void* frame,
                           bool* alone = nullptr) noexcept;

// ---- lifecycle ----
// Called first thing on a new thread whose agent id the spawner allocated with
// new_agent_id() (so that it could record handing endpoints to it): binds the id to
// the calling thread and records kThreadStart with the parent and name.
void adopt_thread_agent(AgentId id, AgentId parent, std::string_view name) noexcept;
void set_thread_name(std::string_view name) noexcept;
// The calling thread leaves through pthread_exit at `site` (a location string):
// the kThreadEnd recorded when it has finished exiting names that site.
void thread_exiting(StringId site) noexcept;
void name_agent(AgentId agent, std::string_view name) noexcept;
// Records a task spawned by the acting agent. Returns the new task's id.
AgentId task_spawned(std::string_view name,
                     const std::source_location& loc = std::source_location::current()) noexcept;
void task_ended(AgentId task, TaskEndReason reason = TaskEndReason::kCompleted) noexcept;

// RAII poll of a task on the current thread: PollBegin now, PollEnd on destruction
// with kReady unless set_pending() was called. Nests (a task polled inside another
// task's poll restores the outer task as acting agent afterwards). Both events
// carry the thread's CPU time, so that the analyzer can tell a poll that ran long
// on the CPU from one whose thread was descheduled (docs/verdict-clocks.md).
class PollScope {
 public:
  explicit PollScope(AgentId task) noexcept;
  ~PollScope();
  PollScope(const PollScope&) = delete;
  PollScope& operator=(const PollScope&) = delete;
  void set_pending() noexcept { result_ = PollResult::kPending; }
  void set_ready() noexcept { result_ = PollResult::kReady; }

 private:
  AgentId task_;
  AgentId previous_;
  uint64_t begin_ticks_ = 0;
  PollResult result_ = PollResult::kReady;
};

// ---- wakers ----
void waker_cloned(AgentId task, ResourceId registered_on = 0) noexcept;
void waker_dropped(AgentId task) noexcept;
void woke(AgentId task) noexcept;

// ---- resources ----
// Announces a resource; `extra` as in kResourceCreate (channel capacity, ...).
void resource_created(ResourceId id, ResourceKind kind, std::string_view name,
                      uint64_t extra = 0) noexcept;
void resource_destroyed(ResourceId id) noexcept;

// ---- waits and ownership ----
// A blocking wait begins. `extra` as in kWaitBegin (condvar: its mutex, io: fd,
// sleep: duration). `timed` when the wait has a deadline.
// `flags`: op-specific bits (I/O waits: format::io_op_flags).
inline void wait_begin(ResourceId id, WaitOp op, uint64_t extra = 0, bool timed = false,
                       StringId where = 0, uint16_t flags = 0) noexcept {
  if (recording())
    detail::record(EventKind::kWaitBegin, static_cast<uint8_t>(op),
                   static_cast<uint16_t>(flags | (timed ? format::kFlagTimed : 0)), where, id,
                   extra);
}
inline void wait_end(ResourceId id, WaitOutcome outcome) noexcept {
  if (recording())
    detail::record(EventKind::kWaitEnd, static_cast<uint8_t>(outcome), 0, 0, id, 0);
}
inline void acquired(ResourceId id, LockMode mode = LockMode::kExclusive, uint64_t units = 0,
                     StringId where = 0) noexcept {
  if (recording())
    detail::record(EventKind::kAcquired, static_cast<uint8_t>(mode), 0, where, id, units);
}
inline void released(ResourceId id, LockMode mode = LockMode::kExclusive,
                     uint64_t units = 0) noexcept {
  if (recording())
    detail::record(EventKind::kReleased, static_cast<uint8_t>(mode), 0, 0, id, units);
}
inline void sem_posted(ResourceId id, uint64_t units = 1) noexcept {
  emit(EventKind::kSemPost, 0, id, units);
}
inline void notified(ResourceId condvar, NotifyKind kind, uint64_t waiters) noexcept {
  emit(EventKind::kNotify, static_cast<uint8_t>(kind), condvar, waiters);
}

// ---- channels ----
inline void channel_sent(ResourceId ch, uint64_t depth_after, StringId where = 0) noexcept {
  emit(EventKind::kChannelSend, 0, ch, depth_after, where);
}
inline void channel_received(ResourceId ch, uint64_t depth_after, StringId where = 0) noexcept {
  emit(EventKind::kChannelRecv, 0, ch, depth_after, where);
}
inline void channel_closed(ResourceId ch) noexcept { emit(EventKind::kChannelClose, 0, ch); }
void endpoint_opened(EndpointId ep, ResourceId ch, EndpointSide side) noexcept;
void endpoint_closed(EndpointId ep) noexcept;
void endpoint_used(EndpointId ep, EndpointSide side) noexcept;
void endpoint_handed(EndpointId ep, AgentId to) noexcept;

// ---- I/O and time ----
// An I/O wait on `fd` (io: its resource, 0 if untracked) for operation `op`.
inline void io_wait_begin(int fd, ResourceId io = 0, StringId where = 0,
                          IoOp op = IoOp::kRead, bool timed = false) noexcept {
  wait_begin(io, WaitOp::kIo, static_cast<uint64_t>(static_cast<int64_t>(fd)), timed, where,
             format::io_op_flags(op));
}
inline void io_wait_end(ResourceId io = 0,
                        WaitOutcome outcome = WaitOutcome::kCompleted) noexcept {
  wait_end(io, outcome);
}
inline void sleep_begin(uint64_t duration_ns, StringId where = 0) noexcept {
  wait_begin(0, WaitOp::kSleep, duration_ns, true, where);
}
inline void sleep_end() noexcept { wait_end(0, WaitOutcome::kCompleted); }

// ---- user events ----
// RAII span on the acting agent's span stack.
class Span {
 public:
  explicit Span(std::string_view name, std::string_view argument = {},
                const std::source_location& loc = std::source_location::current()) noexcept;
  ~Span();
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

 private:
  StringId name_;
};
void mark(std::string_view name, int64_t value = 0) noexcept;
void counter(std::string_view name, int64_t value) noexcept;
void memory_delta(int64_t bytes, AgentId agent = 0) noexcept;

}  // namespace taskscope
