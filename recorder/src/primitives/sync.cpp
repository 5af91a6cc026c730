// Instrumented mutex, shared_mutex, condition_variable and counting_semaphore.
// The event sequences each one records are described in taskscope/sync.hpp.
#include "taskscope/sync.hpp"

#include <string_view>

namespace taskscope {
namespace {

std::string_view name_or_empty(const char* name) {
  return name != nullptr ? std::string_view(name) : std::string_view();
}

// Records a successful try_lock/try_acquire: kFlagTry tells the analyzer that
// this acquisition could not have blocked (it never closes a lock-order cycle).
void acquired_by_try(ResourceId id, LockMode mode, uint64_t units = 0) noexcept {
  emit(EventKind::kAcquired, static_cast<uint8_t>(mode), id, units, 0, format::kFlagTry);
}

// Where lock() was called from, captured by lock() itself: its return address
// and its own frame (__builtin_frame_address makes lock() keep a frame pointer,
// so the frame's saved %rbp is the caller's). Resolved into a location only
// when the acquisition blocks: the walk is for slow paths.
struct Caller {
  const void* return_address = nullptr;
  const void* frame = nullptr;
};

// The recorded lock: an uncontended acquisition is one kAcquired; a contended
// one is a wait at `where`, or when that is 0 at the call chain from `caller`
// (at -O0 lock() is called from std::lock_guard's constructor, a libstdc++
// function compiled into the program: the frames above it name the program's
// line). Always inlined: the walk reads lock()'s own frame, which a call in
// tail position could have released.
template <class TryLock, class Lock>
[[gnu::always_inline]] inline void lock_recorded(ResourceId id, LockMode mode, WaitOp op,
                                                 Caller caller, StringId where, TryLock try_lock,
                                                 Lock lock, uintptr_t deferrable = 0) {
  if (try_lock()) {
    if (deferrable == 0 || !recording() || !detail::defer_acquired(id, deferrable, 0))
      acquired(id, mode);
    return;
  }
  if (where == 0 && caller.return_address != nullptr && recording())
    where = intern_call_chain(caller.return_address, caller.frame);
  wait_begin(id, op, 0, false, where);
  lock();
  wait_end(id, WaitOutcome::kAcquired);
  acquired(id, mode, 0, where);
}

// std::mutex is a plain glibc mutex: its uncontended holds may be deferred
// (docs/architecture.md, "Uncontended locks"); its lock word says whether
// anyone waits.
uintptr_t deferrable(std::mutex& native) {
  return reinterpret_cast<uintptr_t>(native.native_handle());
}
bool has_waiters(std::mutex& native) {
  return __atomic_load_n(&native.native_handle()->__data.__lock, __ATOMIC_RELAXED) > 1;
}

}  // namespace

// ---- mutex ----

mutex::mutex(const char* name) noexcept : id_(new_resource_id()) {
  resource_created(id_, ResourceKind::kMutex, name_or_empty(name), 0);
}

mutex::~mutex() { resource_destroyed(id_); }

void mutex::lock() {
  lock_recorded(
      id_, LockMode::kExclusive, WaitOp::kLock,
      Caller{__builtin_return_address(0), __builtin_frame_address(0)}, 0,
      [this] { return native_.try_lock(); }, [this] { native_.lock(); }, deferrable(native_));
}

void mutex::lock_at(StringId where) {
  lock_recorded(
      id_, LockMode::kExclusive, WaitOp::kLock, Caller{}, where,
      [this] { return native_.try_lock(); }, [this] { native_.lock(); });
}

bool mutex::try_lock() noexcept {
  if (!native_.try_lock()) return false;
  acquired_by_try(id_, LockMode::kExclusive);
  return true;
}

void mutex::unlock() noexcept {
  if (!recording() || !detail::drop_deferred(deferrable(native_), has_waiters(native_)))
    released(id_);
  native_.unlock();
}

// ---- shared_mutex ----

shared_mutex::shared_mutex(const char* name) noexcept : id_(new_resource_id()) {
  resource_created(id_, ResourceKind::kRwLock, name_or_empty(name), 0);
}

shared_mutex::~shared_mutex() { resource_destroyed(id_); }

void shared_mutex::lock() {
  lock_recorded(
      id_, LockMode::kExclusive, WaitOp::kLock,
      Caller{__builtin_return_address(0), __builtin_frame_address(0)}, 0,
      [this] { return native_.try_lock(); }, [this] { native_.lock(); });
}

bool shared_mutex::try_lock() noexcept {
  if (!native_.try_lock()) return false;
  acquired_by_try(id_, LockMode::kExclusive);
  return true;
}

void shared_mutex::unlock() noexcept {
  released(id_, LockMode::kExclusive);
  native_.unlock();
}

void shared_mutex::lock_shared() {
  lock_recorded(
      id_, LockMode::kShared, WaitOp::kReadLock,
      Caller{__builtin_return_address(0), __builtin_frame_address(0)}, 0,
      [this] { return native_.try_lock_shared(); }, [this] { native_.lock_shared(); });
}

bool shared_mutex::try_lock_shared() noexcept {
  if (!native_.try_lock_shared()) return false;
  acquired_by_try(id_, LockMode::kShared);
  return true;
}

void shared_mutex::unlock_shared() noexcept {
  released(id_, LockMode::kShared);
  native_.unlock_shared();
}

// ---- condition_variable ----

namespace detail {

CondWaitScope::CondWaitScope(const std::shared_ptr<CondState>& state, ResourceId cv,
                             std::unique_lock<mutex>& user, bool timed,
                             const std::source_location& loc)
    : state_(state), internal_(state->lock), user_(user), cv_(cv) {
  ++state_->waiters;
  mutex& held = *user_.mutex();
  // The unique_lock keeps claiming ownership across the wait, as with
  // std::condition_variable; finish() takes the mutex back before returning.
  held.unlock();
  if (recording()) {
    where_ = intern_location(loc);
    wait_begin(cv_, WaitOp::kCondWait, held.resource_id(), timed, where_);
  }
}

CondWaitScope::~CondWaitScope() {
  if (!finished_) finish(WaitOutcome::kNotified);
}

void CondWaitScope::finish(WaitOutcome outcome) {
  finished_ = true;
  if (!internal_.owns_lock()) internal_.lock();
  --state_->waiters;
  internal_.unlock();
  wait_end(cv_, outcome);
  user_.mutex()->lock_at(where_);
}

}  // namespace detail

condition_variable::condition_variable(const char* name)
    : state_(std::make_shared<detail::CondState>()), id_(new_resource_id()) {
  resource_created(id_, ResourceKind::kCondvar, name_or_empty(name), 0);
}

condition_variable::~condition_variable() { resource_destroyed(id_); }

void condition_variable::notify_one() noexcept { notify(NotifyKind::kOne); }

void condition_variable::notify_all() noexcept { notify(NotifyKind::kAll); }

void condition_variable::notify(NotifyKind kind) noexcept {
  // Under the internal lock, so the waiter count and the kNotify event are
  // ordered against every waiter's kWaitBegin.
  std::lock_guard<std::mutex> guard(state_->lock);
  notified(id_, kind, state_->waiters);
  if (state_->waiters == 0) return;
  if (kind == NotifyKind::kOne) {
    state_->cv.notify_one();
  } else {
    state_->cv.notify_all();
  }
}

void condition_variable::wait(std::unique_lock<mutex>& lock, const std::source_location& loc) {
  detail::CondWaitScope scope(state_, id_, lock, /*timed=*/false, loc);
  scope.native().wait(scope.internal());
  scope.finish(WaitOutcome::kNotified);
}

// ---- counting_semaphore ----

counting_semaphore::counting_semaphore(std::ptrdiff_t initial, const char* name) noexcept
    : count_(initial), id_(new_resource_id()) {
  resource_created(id_, ResourceKind::kSemaphore, name_or_empty(name),
                   static_cast<uint64_t>(initial));
}

counting_semaphore::~counting_semaphore() { resource_destroyed(id_); }

bool counting_semaphore::take_one(bool try_only) noexcept {
  if (count_ <= 0) return false;
  --count_;
  if (try_only) {
    acquired_by_try(id_, LockMode::kExclusive, 1);
  } else {
    acquired(id_, LockMode::kExclusive, 1);
  }
  return true;
}

StringId counting_semaphore::begin_wait(bool timed, const std::source_location& loc) noexcept {
  ++waiters_;
  const StringId where = recording() ? intern_location(loc) : 0;
  wait_begin(id_, WaitOp::kAcquire, 1, timed, where);
  return where;
}

void counting_semaphore::end_wait(bool acquired_unit, StringId where) noexcept {
  --waiters_;
  if (!acquired_unit) {
    wait_end(id_, WaitOutcome::kTimedOut);
    return;
  }
  --count_;
  wait_end(id_, WaitOutcome::kAcquired);
  acquired(id_, LockMode::kExclusive, 1, where);
}

void counting_semaphore::acquire(const std::source_location& loc) {
  std::unique_lock<std::mutex> guard(lock_);
  if (take_one(/*try_only=*/false)) return;
  const StringId where = begin_wait(/*timed=*/false, loc);
  available_.wait(guard, [this] { return count_ > 0; });
  end_wait(true, where);
}

bool counting_semaphore::try_acquire() noexcept {
  std::lock_guard<std::mutex> guard(lock_);
  return take_one(/*try_only=*/true);
}

void counting_semaphore::release(std::ptrdiff_t update) {
  if (update <= 0) return;
  std::lock_guard<std::mutex> guard(lock_);
  sem_posted(id_, static_cast<uint64_t>(update));
  count_ += update;
  if (waiters_ == 0) return;
  if (update == 1) {
    available_.notify_one();
  } else {
    available_.notify_all();
  }
}

}  // namespace taskscope
