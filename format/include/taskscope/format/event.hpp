// The taskscope event model: what the recorder emits and the reader yields.
//
// Every event is one fixed-size record. Its meaning is carried by `kind`; the
// fields `op`, `flags`, `str`, `a` and `b` are interpreted per kind as listed
// beside each enumerator below. That table is the contract between the recorder,
// the trace file and the analyzer. A new kind is added at the end with a
// kFormatMinor bump (readers pass kinds they do not know through untouched), and
// so is a meaning given to a field a kind left unused, behind a new flag bit (old
// readers ignore it); any other change goes with kFormatMajor.
//
// Conventions
//  - Agents (threads and tasks) share one id space; resources (mutexes, channels,
//    condition variables, ...) have another; channel endpoints a third. Id 0 is
//    "none/unknown" in all of them.
//  - `thread` is the agent id of the OS thread that recorded the event. The
//    acting agent is the task being polled on that thread (between PollBegin and
//    PollEnd), else the thread itself. Events read from a snapshot carry
//    kFlagSnapshot and then `thread` is the acting agent directly.
//  - `str` is a string-table id (names, source locations, span names), 0 = none.
//    A source location string is "file:line" or "file:line function", or, for
//    call sites known only by return address, "pc:0x<hex>" (symbolized offline).
#pragma once

#include <cstdint>
#include <string_view>

namespace taskscope::format {

inline constexpr uint16_t kFormatMajor = 1;
inline constexpr uint16_t kFormatMinor = 5;

enum class EventKind : uint8_t {
  kInvalid = 0,
  // --- lifecycle ---
  kThreadStart = 1,  // a=thread agent, b=spawning agent (0 unknown), str=name
  kThreadEnd = 2,    // a=thread agent, str=where it called pthread_exit (0: it returned)
  kAgentName = 3,    // a=agent (thread or task), str=name
  kTaskSpawn = 4,    // a=task agent, b=name string id, str=source location; parent = acting agent
  kPollBegin = 5,    // a=task agent (becomes the acting agent of this thread); with
                     //   kFlagCpuTime, b=the polling thread's CPU time in ns (format 1.2)
  kPollEnd = 6,      // a=task agent, op=PollResult; b as in kPollBegin
  kTaskEnd = 7,      // a=task agent, op=TaskEndReason
  // --- wakers (async) ---
  kWakerClone = 8,  // a=task the waker wakes, b=resource it was registered on (0 none)
  kWakerDrop = 9,   // a=task the waker wakes
  kWake = 10,       // a=task woken; waker = acting agent
  // --- waits ---
  kWaitBegin = 11,  // a=resource (op kJoin: the joined agent), op=WaitOp, b=WaitOp-specific
                    //   (condvar: associated mutex; semaphore: units; sleep: duration ns;
                    //    io: fd), flags may hold kFlagTimed, str=source location
  kWaitEnd = 12,    // a=resource (as in WaitBegin), op=WaitOutcome
  // --- ownership ---
  kAcquired = 13,  // a=resource, op=LockMode, b=units (semaphores) or recursion depth,
                   //   str=source location. An uncontended acquisition is this event alone.
  kReleased = 14,  // a=resource, op=LockMode, b=units (semaphores)
  kSemPost = 15,   // a=semaphore, b=units posted
  // --- resources ---
  kResourceCreate = 16,   // a=resource, op=ResourceKind, b=kind-specific (channel: capacity,
                          //   0 = unbounded; semaphore: initial units; mutex: MutexFlags;
                          //   rwlock: 1 if writer-preferring), str=name
  kResourceDestroy = 17,  // a=resource
  // --- channels ---
  kChannelSend = 18,   // a=channel, b=depth after the send, str=source location
  kChannelRecv = 19,   // a=channel, b=depth after the receive, str=source location
  kChannelClose = 20,  // a=channel (closed explicitly; endpoints may still exist)
  kEndpointOpen = 21,  // a=endpoint, b=channel, op=EndpointSide; opener = acting agent
  kEndpointClose = 22,  // a=endpoint
  kEndpointUse = 23,    // a=endpoint, op=EndpointSide: first use by the acting agent
  kEndpointHand = 24,   // a=endpoint, b=agent it was handed to (spawn/thread argument)
  // --- condition variables ---
  kNotify = 25,  // a=condvar, op=NotifyKind, b=waiters known at notify time
  // --- user ---
  kSpanEnter = 26,  // a=span name string id, b=argument string id (0 none), str=location
  kSpanExit = 27,   // a=span name string id
  kMark = 28,       // a=mark name string id, b=value
  kCounter = 29,    // a=counter name string id, b=value (two's complement int64)
  kMemory = 30,     // a=agent (0 = acting agent), b=bytes delta (two's complement int64)
  // --- meta ---
  kDropped = 31,     // a=events lost on this thread, b=timestamp (ns) of the first lost one;
                     //   the event's own timestamp is the last loss
  kModuleMap = 32,   // a=load address, b=size, str=path of the module; lets the analyzer
                     //   symbolize "pc:0x..." locations offline
  // --- lifecycle (format 1.1) ---
  kThreadDetach = 33,  // a=thread agent detached by the acting agent (pthread_detach, or
                       //   created detached), str=source location; may follow its kThreadEnd
  // --- lifecycle (format 1.3) ---
  kThreadCreate = 34,  // a=new thread agent, created by the acting agent (taskscope::thread,
                       //   pthread_create), str=source location. Recorded by the creator before
                       //   the thread exists: the thread's work happens after this point, however
                       //   late it first runs (its kThreadStart then only announces it).
  // --- meta (format 1.4) ---
  kModuleBuildId = 35,  // a=load address of the module (its kModuleMap.a), str=its GNU build id
                        //   (NT_GNU_BUILD_ID) in lower-case hex; follows that kModuleMap. The
                        //   analyzer trusts a local file for the module only with this build id
  kKindCount
};

// Returns a stable lower-case name ("wait_begin") for dumps, filters and JSON.
std::string_view kind_name(EventKind kind);
// Parses a kind_name() back; kInvalid when unknown.
EventKind kind_from_name(std::string_view name);

// The family of a kind, as docs/event-model.md groups them (used by `info` and filters).
enum class Family : uint8_t { kLifecycle, kWaker, kWait, kOwnership, kResource, kChannel,
                              kCondvar, kUser, kMeta, kCount };
Family family_of(EventKind kind);
std::string_view family_name(Family family);

enum class PollResult : uint8_t { kReady = 0, kPending = 1 };
enum class TaskEndReason : uint8_t { kCompleted = 0, kCancelled = 1 };

enum class WaitOp : uint8_t {
  kLock = 0,       // mutex or rwlock exclusive
  kReadLock = 1,   // rwlock shared
  kAcquire = 2,    // semaphore
  kCondWait = 3,   // condition variable (b = associated mutex)
  kSend = 4,       // channel full
  kRecv = 5,       // channel empty
  kJoin = 6,       // a = joined agent
  kIo = 7,         // a = io resource (0 if untracked), b = fd
  kSleep = 8,      // b = requested duration in ns
  kBarrier = 9,    // barrier
  kOther = 10,
  kFutexWait = 11,  // (1.4) a = futex word (kFutex), b = the value expected there
};
std::string_view wait_op_name(WaitOp op);

enum class WaitOutcome : uint8_t {
  kAcquired = 0,   // got the lock/units/item/room
  kNotified = 1,   // condvar woken
  kTimedOut = 2,
  kClosed = 3,     // channel closed / all peers gone
  kCancelled = 4,
  kCompleted = 5,  // join returned, io ready, sleep finished
  kError = 6,
};
std::string_view wait_outcome_name(WaitOutcome outcome);

enum class LockMode : uint8_t { kExclusive = 0, kShared = 1 };

enum class ResourceKind : uint8_t {
  kUnknown = 0,
  kMutex = 1,
  kRwLock = 2,
  kSemaphore = 3,
  kCondvar = 4,
  kChannel = 5,
  kIo = 6,
  kTimer = 7,
  kBarrier = 8,
  kFutex = 9,  // (1.4) a futex word; kResourceCreate.b = its address
};
std::string_view resource_kind_name(ResourceKind kind);

// Bits of kResourceCreate.b for mutexes.
enum MutexFlags : uint64_t { kMutexRecursive = 1, kMutexErrorCheck = 2 };

enum class EndpointSide : uint8_t { kSender = 0, kReceiver = 1 };
enum class NotifyKind : uint8_t { kOne = 0, kAll = 1 };

// Event.flags bits.
enum EventFlags : uint16_t {
  kFlagTimed = 1,      // WaitBegin: the wait has a deadline (may progress by itself)
  kFlagSnapshot = 2,   // reconstructed from a snapshot frame, not observed live
  kFlagTry = 4,        // WaitEnd/Acquired from a try-operation
  kFlagLate = 8,       // reader: arrived after its merge window; timestamp clamped
  kFlagCpuTime = 16,   // PollBegin/PollEnd: b is the thread's CPU clock (CLOCK_THREAD_CPUTIME_ID,
                       //   ns), so a poll's time on the CPU is told from its wall time (1.2)
  kFlagEndpointsByUse = 32,  // ResourceCreate (channel): endpoints are opened as agents first use
                             //   the channel, not when handles are made (Boost.Asio), so the set
                             //   of endpoints is never complete: who else may use it is unknown (1.4)
  // WaitBegin with WaitOp::kIo: the I/O operation (IoOp) in bits 8..11.
  kFlagIoOpShift = 8,
  kFlagIoOpMask = 0xF00,
};

// What an I/O wait waits for (WaitBegin flags, see kFlagIoOpShift).
enum class IoOp : uint8_t {
  kReady = 0,    // readiness of one or more fds (poll, epoll_wait, select)
  kRead = 1,     // read, recv
  kWrite = 2,    // write, send
  kAccept = 3,   // accept
  kConnect = 4,  // connect
};
std::string_view io_op_name(IoOp op);
constexpr uint16_t io_op_flags(IoOp op) {
  return static_cast<uint16_t>(static_cast<uint16_t>(op) << kFlagIoOpShift);
}
constexpr IoOp io_op_of(uint16_t flags) {
  return static_cast<IoOp>((flags & kFlagIoOpMask) >> kFlagIoOpShift);
}

// One event as the reader yields it and the recorder encodes it.
struct Event {
  int64_t ts_ns = 0;     // nanoseconds since the trace's start
  uint64_t thread = 0;   // recording thread (agent id)
  EventKind kind = EventKind::kInvalid;
  uint8_t op = 0;
  uint16_t flags = 0;
  uint32_t str = 0;
  uint64_t a = 0;
  uint64_t b = 0;

  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace taskscope::format
