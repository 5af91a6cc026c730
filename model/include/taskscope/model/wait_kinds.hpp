// What a wait tells about the resource it waits on (docs/event-model.md, waits).
#pragma once

#include "taskscope/format/event.hpp"

namespace taskscope::model {

// The kind of resource a WaitBegin of `op` waits on, for a resource met there
// before its kResourceCreate (the trace began after it was made). kUnknown for
// a join (it waits on an agent) and kOther.
constexpr format::ResourceKind resource_kind_waited_on(format::WaitOp op) {
  using format::ResourceKind;
  using format::WaitOp;
  switch (op) {
    case WaitOp::kLock:
      return ResourceKind::kMutex;
    case WaitOp::kReadLock:
      return ResourceKind::kRwLock;
    case WaitOp::kAcquire:
      return ResourceKind::kSemaphore;
    case WaitOp::kCondWait:
      return ResourceKind::kCondvar;
    case WaitOp::kSend:
    case WaitOp::kRecv:
      return ResourceKind::kChannel;
    case WaitOp::kIo:
      return ResourceKind::kIo;
    case WaitOp::kSleep:
      return ResourceKind::kTimer;
    case WaitOp::kBarrier:
      return ResourceKind::kBarrier;
    case WaitOp::kFutexWait:
      return ResourceKind::kFutex;
    case WaitOp::kJoin:
    case WaitOp::kOther:
      break;
  }
  return ResourceKind::kUnknown;
}

// Whether a WaitBegin of `op` on `id` waits on a resource: a join waits on an
// agent, and a sleep (or a wait with id 0) on nothing.
constexpr bool waits_on_resource(format::WaitOp op, uint64_t id) {
  return id != 0 && op != format::WaitOp::kJoin && op != format::WaitOp::kSleep;
}

}  // namespace taskscope::model
