// The event table: what each field of each event kind means, in one place.
//
// format/include/taskscope/format/event.hpp fixes the wire record (ts, thread,
// kind, op, flags, str, a, b); this table gives every kind its typed fields, as
// accessor expressions over that record. Views, the generic field walk (dump,
// JSON) and the visitor are all generated from it (event_views.hpp), so no
// consumer reads `a` or `b` by hand and a new kind is one entry here
// (docs/event-model.md lists the kinds in prose).
//
// TASKSCOPE_EVENT_TABLE(EVENT, FIELD, ALIAS):
//   EVENT(Kind, members)      one kind; Kind names format::EventKind::k<Kind>
//   FIELD(name, role, type, expr)
//                             a field: shown by dumps and walked by for_each_field
//   ALIAS(name, type, expr)   a second, kind-specific reading of a field (the
//                             condvar a wait's mutex lives in, ...): an accessor only
// `expr` reads the record as `e`; it must not contain a top-level comma.
#pragma once

#include <cstdint>

#include "taskscope/format/event.hpp"

namespace taskscope::model {

using AgentId = uint64_t;
using ResourceId = uint64_t;
using EndpointId = uint64_t;
using StringId = uint32_t;

// What a field holds, so that generic consumers (dump, the naming service)
// know how to show it.
enum class Role : uint8_t {
  kAgent,        // an agent id (thread or task)
  kResource,     // a resource id
  kEndpoint,     // a channel endpoint id
  kName,         // a string id naming something
  kLocation,     // a string id of a source location ("file:line fn", "pc:0x...")
  kCount,        // a plain count (units, depth, waiters, bytes of a module)
  kSigned,       // a two's complement value (counter, memory delta)
  kNs,           // a time in ns (a duration, a CPU clock, a timestamp); -1 unknown
  kFlag,         // a yes/no
  kAddress,      // a memory address
  kWaitOp, kWaitOutcome, kLockMode, kResourceKind, kPollResult, kTaskEndReason,
  kEndpointSide, kNotifyKind, kIoOp,
};

}  // namespace taskscope::model

// clang-format off
#define TASKSCOPE_EVENT_TABLE(EVENT, FIELD, ALIAS)                                              \
  EVENT(ThreadStart,                                                                            \
        FIELD(agent, kAgent, AgentId, e.a)                                                      \
        FIELD(spawner, kAgent, AgentId, e.b)                                                    \
        FIELD(name, kName, StringId, e.str))                                                    \
  EVENT(ThreadEnd,                                                                              \
        FIELD(agent, kAgent, AgentId, e.a)                                                      \
        FIELD(exit_location, kLocation, StringId, e.str))                                       \
  EVENT(AgentName,                                                                              \
        FIELD(agent, kAgent, AgentId, e.a)                                                      \
        FIELD(name, kName, StringId, e.str))                                                    \
  EVENT(TaskSpawn,                                                                              \
        FIELD(task, kAgent, AgentId, e.a)                                                       \
        FIELD(name, kName, StringId, static_cast<StringId>(e.b))                                \
        FIELD(location, kLocation, StringId, e.str))                                            \
  EVENT(PollBegin,                                                                              \
        FIELD(task, kAgent, AgentId, e.a)                                                       \
        FIELD(cpu_ns, kNs, int64_t, cpu_clock(e)))                                              \
  EVENT(PollEnd,                                                                                \
        FIELD(task, kAgent, AgentId, e.a)                                                       \
        FIELD(result, kPollResult, format::PollResult, static_cast<format::PollResult>(e.op))   \
        FIELD(cpu_ns, kNs, int64_t, cpu_clock(e)))                                              \
  EVENT(TaskEnd,                                                                                \
        FIELD(task, kAgent, AgentId, e.a)                                                       \
        FIELD(reason, kTaskEndReason, format::TaskEndReason,                                    \
              static_cast<format::TaskEndReason>(e.op)))                                        \
  EVENT(WakerClone,                                                                             \
        FIELD(task, kAgent, AgentId, e.a)                                                       \
        FIELD(resource, kResource, ResourceId, e.b))                                            \
  EVENT(WakerDrop,                                                                              \
        FIELD(task, kAgent, AgentId, e.a))                                                      \
  EVENT(Wake,                                                                                   \
        FIELD(task, kAgent, AgentId, e.a))                                                      \
  EVENT(WaitBegin,                                                                              \
        FIELD(op, kWaitOp, format::WaitOp, static_cast<format::WaitOp>(e.op))                   \
        FIELD(resource, kResource, ResourceId, e.a)                                             \
        FIELD(detail, kCount, uint64_t, e.b)                                                    \
        FIELD(timed, kFlag, bool, (e.flags & format::kFlagTimed) != 0)                          \
        FIELD(io_op, kIoOp, format::IoOp, format::io_op_of(e.flags))                            \
        FIELD(location, kLocation, StringId, e.str)                                             \
        ALIAS(joined, AgentId, e.a)                   /* op kJoin */                            \
        ALIAS(condvar_mutex, ResourceId, e.b)         /* op kCondWait */                        \
        ALIAS(units, uint64_t, e.b)                   /* op kAcquire */                         \
        ALIAS(sleep_ns, int64_t, static_cast<int64_t>(e.b)) /* op kSleep */                     \
        ALIAS(fd, int64_t, static_cast<int64_t>(e.b))       /* op kIo */                        \
        ALIAS(futex_expected, uint64_t, e.b))               /* op kFutexWait */                 \
  EVENT(WaitEnd,                                                                                \
        FIELD(resource, kResource, ResourceId, e.a)                                             \
        FIELD(outcome, kWaitOutcome, format::WaitOutcome,                                       \
              static_cast<format::WaitOutcome>(e.op))                                           \
        FIELD(try_op, kFlag, bool, (e.flags & format::kFlagTry) != 0)                           \
        ALIAS(joined, AgentId, e.a))                                                            \
  EVENT(Acquired,                                                                               \
        FIELD(resource, kResource, ResourceId, e.a)                                             \
        FIELD(mode, kLockMode, format::LockMode, static_cast<format::LockMode>(e.op))           \
        FIELD(count, kCount, uint64_t, e.b)                                                     \
        FIELD(try_op, kFlag, bool, (e.flags & format::kFlagTry) != 0)                           \
        FIELD(location, kLocation, StringId, e.str))                                            \
  EVENT(Released,                                                                               \
        FIELD(resource, kResource, ResourceId, e.a)                                             \
        FIELD(mode, kLockMode, format::LockMode, static_cast<format::LockMode>(e.op))           \
        FIELD(units, kCount, uint64_t, e.b))                                                    \
  EVENT(SemPost,                                                                                \
        FIELD(semaphore, kResource, ResourceId, e.a)                                            \
        FIELD(units, kCount, uint64_t, e.b))                                                    \
  EVENT(ResourceCreate,                                                                         \
        FIELD(resource, kResource, ResourceId, e.a)                                             \
        FIELD(resource_kind, kResourceKind, format::ResourceKind,                               \
              static_cast<format::ResourceKind>(e.op))                                          \
        FIELD(detail, kCount, uint64_t, e.b)                                                    \
        FIELD(name, kName, StringId, e.str)                                                     \
        ALIAS(capacity, uint64_t, e.b)                /* channel, 0 = unbounded */              \
        ALIAS(initial_units, uint64_t, e.b)           /* semaphore */                           \
        ALIAS(mutex_flags, uint64_t, e.b)             /* mutex: format::MutexFlags */           \
        ALIAS(writer_preferring, bool, e.b == 1)      /* rwlock */                              \
        ALIAS(futex_address, uint64_t, e.b)           /* futex */                               \
        ALIAS(endpoints_by_use, bool, (e.flags & format::kFlagEndpointsByUse) != 0)) /* channel */ \
  EVENT(ResourceDestroy,                                                                        \
        FIELD(resource, kResource, ResourceId, e.a))                                            \
  EVENT(ChannelSend,                                                                            \
        FIELD(channel, kResource, ResourceId, e.a)                                              \
        FIELD(depth, kCount, uint64_t, e.b)                                                     \
        FIELD(location, kLocation, StringId, e.str))                                            \
  EVENT(ChannelRecv,                                                                            \
        FIELD(channel, kResource, ResourceId, e.a)                                              \
        FIELD(depth, kCount, uint64_t, e.b)                                                     \
        FIELD(location, kLocation, StringId, e.str))                                            \
  EVENT(ChannelClose,                                                                           \
        FIELD(channel, kResource, ResourceId, e.a))                                             \
  EVENT(EndpointOpen,                                                                           \
        FIELD(endpoint, kEndpoint, EndpointId, e.a)                                             \
        FIELD(channel, kResource, ResourceId, e.b)                                              \
        FIELD(side, kEndpointSide, format::EndpointSide, static_cast<format::EndpointSide>(e.op)))\
  EVENT(EndpointClose,                                                                          \
        FIELD(endpoint, kEndpoint, EndpointId, e.a))                                            \
  EVENT(EndpointUse,                                                                            \
        FIELD(endpoint, kEndpoint, EndpointId, e.a)                                             \
        FIELD(side, kEndpointSide, format::EndpointSide, static_cast<format::EndpointSide>(e.op)))\
  EVENT(EndpointHand,                                                                           \
        FIELD(endpoint, kEndpoint, EndpointId, e.a)                                             \
        FIELD(to, kAgent, AgentId, e.b))                                                        \
  EVENT(Notify,                                                                                 \
        FIELD(condvar, kResource, ResourceId, e.a)                                              \
        FIELD(notify_kind, kNotifyKind, format::NotifyKind, static_cast<format::NotifyKind>(e.op))\
        FIELD(waiters, kCount, uint64_t, e.b))                                                  \
  EVENT(SpanEnter,                                                                              \
        FIELD(name, kName, StringId, static_cast<StringId>(e.a))                                \
        FIELD(argument, kName, StringId, static_cast<StringId>(e.b))                            \
        FIELD(location, kLocation, StringId, e.str))                                            \
  EVENT(SpanExit,                                                                               \
        FIELD(name, kName, StringId, static_cast<StringId>(e.a)))                               \
  EVENT(Mark,                                                                                   \
        FIELD(name, kName, StringId, static_cast<StringId>(e.a))                                \
        FIELD(value, kCount, uint64_t, e.b))                                                    \
  EVENT(Counter,                                                                                \
        FIELD(name, kName, StringId, static_cast<StringId>(e.a))                                \
        FIELD(value, kSigned, int64_t, static_cast<int64_t>(e.b)))                              \
  EVENT(Memory,                                                                                 \
        FIELD(agent, kAgent, AgentId, e.a)            /* 0: the acting agent */                 \
        FIELD(delta, kSigned, int64_t, static_cast<int64_t>(e.b)))                              \
  EVENT(Dropped,                                                                                \
        FIELD(lost, kCount, uint64_t, e.a)                                                      \
        FIELD(first_lost_ns, kNs, int64_t, static_cast<int64_t>(e.b)))                          \
  EVENT(ModuleMap,                                                                              \
        FIELD(load_address, kAddress, uint64_t, e.a)                                            \
        FIELD(size, kCount, uint64_t, e.b)                                                      \
        FIELD(path, kName, StringId, e.str))                                                    \
  EVENT(ModuleBuildId,                                                                          \
        FIELD(load_address, kAddress, uint64_t, e.a)                                            \
        FIELD(build_id, kName, StringId, e.str))                                                \
  EVENT(ThreadDetach,                                                                           \
        FIELD(agent, kAgent, AgentId, e.a)                                                      \
        FIELD(location, kLocation, StringId, e.str))                                            \
  EVENT(ThreadCreate,                                                                           \
        FIELD(agent, kAgent, AgentId, e.a)                                                      \
        FIELD(location, kLocation, StringId, e.str))
// clang-format on
