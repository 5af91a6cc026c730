// The async mutex (see mutex.hpp).
#include "taskscope/rt/mutex.hpp"

#include "taskscope/rt/join.hpp"

namespace taskscope::rt {

Mutex::Mutex(std::string_view name) : id_(new_resource_id()) {
  resource_created(id_, ResourceKind::kMutex, name);
}

Mutex::~Mutex() { resource_destroyed(id_); }

bool Mutex::try_take_or_register() {
  std::lock_guard<std::mutex> lock(state_);
  if (!locked_) {
    locked_ = true;
    return true;
  }
  waiters_.push_back(Waker::for_current_task(id_));
  return false;
}

Task<Mutex::Guard> Mutex::lock(std::source_location loc) {
  const StringId where = detail::where(loc);
  if (!try_take_or_register()) {
    wait_begin(id_, WaitOp::kLock, 0, false, where);
    do {
      co_await pending();
    } while (!try_take_or_register());
    wait_end(id_, WaitOutcome::kAcquired);
  }
  // Recorded after the mutex is ours, so two owners never overlap in the trace.
  acquired(id_, LockMode::kExclusive, 0, where);
  co_return Guard(this);
}

void Mutex::unlock() noexcept {
  // Recorded before the mutex is free, for the same reason.
  released(id_);
  Waker next;
  {
    std::lock_guard<std::mutex> lock(state_);
    locked_ = false;
    if (!waiters_.empty()) {
      next = std::move(waiters_.front());
      waiters_.pop_front();
    }
  }
  next.wake();
}

}  // namespace taskscope::rt
