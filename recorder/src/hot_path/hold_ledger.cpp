#include "hot_path/hold_ledger.hpp"

#include <pthread.h>
#include <unistd.h>

#include "hot_path/clock.hpp"
#include "hot_path/thread_context.hpp"

namespace taskscope::detail {

constinit std::atomic<bool> g_defer_holds{true};
constinit std::atomic<uint64_t> g_edge_epoch{0};

namespace {

// splitmix64's finaliser: order edges are told apart by a 64-bit hash, and a
// collision could only make an edge look new (written again), never hide one.
uint64_t mix(uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// Whether the glibc mutex at `object` is still locked by thread `tid`: glibc
// keeps the owner's thread id in every mutex it locks, and clears it on
// unlock. A deferred hold whose mutex another thread unlocked (undefined for a
// plain mutex, but glibc allows it) is no longer held and must not be written.
bool owned_by(uintptr_t object, pid_t tid) noexcept {
  auto* mutex = reinterpret_cast<pthread_mutex_t*>(object);
  return __atomic_load_n(&mutex->__data.__owner, __ATOMIC_RELAXED) == tid;
}

}  // namespace

// The seqlock without fences (which ThreadSanitizer does not model): inside an
// edit the owner's stores are release stores, so none of them can be seen
// before the odd sequence number, and the flusher's loads are acquire loads, so
// its second read of the sequence cannot move before them. On x86 all of these
// are plain moves.
void HoldLedger::begin_edit() noexcept {
  sequence_.store(sequence_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void HoldLedger::end_edit() noexcept {
  sequence_.store(sequence_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void HoldLedger::push_deferred(ResourceId resource, uintptr_t object, uint64_t ticks,
                               StringId where) noexcept {
  const uint32_t n = count_.load(std::memory_order_relaxed);
  Entry& entry = entries_[n];
  begin_edit();
  entry.resource.store(resource, std::memory_order_release);
  entry.object.store(object, std::memory_order_release);
  entry.ticks.store(ticks, std::memory_order_release);
  entry.where.store(where, std::memory_order_release);
  entry.mode.store(static_cast<uint8_t>(LockMode::kExclusive), std::memory_order_release);
  count_.store(n + 1, std::memory_order_release);
  end_edit();
}

void HoldLedger::copy_entry(Entry& to, const Entry& from) noexcept {
  constexpr auto kRead = std::memory_order_relaxed;  // the owner's own values
  constexpr auto kWrite = std::memory_order_release;  // inside an edit
  to.resource.store(from.resource.load(kRead), kWrite);
  to.object.store(from.object.load(kRead), kWrite);
  to.ticks.store(from.ticks.load(kRead), kWrite);
  to.where.store(from.where.load(kRead), kWrite);
  to.mode.store(from.mode.load(kRead), kWrite);
}

void HoldLedger::erase(uint32_t index) noexcept {
  const uint32_t n = count_.load(std::memory_order_relaxed);
  if (index + 1 == n && entries_[index].object.load(std::memory_order_relaxed) == 0) {
    // The newest entry, not deferred: the flusher would skip it anyway.
    count_.store(n - 1, std::memory_order_relaxed);
    return;
  }
  begin_edit();
  for (uint32_t i = index; i + 1 < n; ++i) copy_entry(entries_[i], entries_[i + 1]);
  entries_[n - 1].object.store(0, std::memory_order_release);
  count_.store(n - 1, std::memory_order_release);
  end_edit();
}

void HoldLedger::publish() noexcept {
  const uint32_t n = count_.load(std::memory_order_relaxed);
  const pid_t tid = tid_.load(std::memory_order_relaxed);
  begin_edit();
  uint32_t kept = 0;
  for (uint32_t i = 0; i < n; ++i) {
    Entry& entry = entries_[i];
    if (const uintptr_t object = entry.object.load(std::memory_order_relaxed); object != 0) {
      if (!owned_by(object, tid)) continue;  // another thread unlocked it: not held
      record_at(entry.ticks.load(std::memory_order_relaxed), EventKind::kAcquired,
                entry.mode.load(std::memory_order_relaxed), 0,
                entry.where.load(std::memory_order_relaxed),
                entry.resource.load(std::memory_order_relaxed), 0);
      entry.object.store(0, std::memory_order_release);
    }
    if (kept != i) copy_entry(entries_[kept], entry);
    ++kept;
  }
  for (uint32_t i = kept; i < n; ++i) entries_[i].object.store(0, std::memory_order_release);
  count_.store(kept, std::memory_order_release);
  deferred_ = 0;
  end_edit();
}

void HoldLedger::released_out_of_order(ResourceId resource) noexcept {
  for (uint32_t i = count_.load(std::memory_order_relaxed); i-- > 0;) {
    if (entries_[i].resource.load(std::memory_order_relaxed) == resource) {
      erase(i);
      return;
    }
  }
}

void HoldLedger::cut_segment(EventKind kind, uint8_t op) noexcept {
  switch (kind) {
    case EventKind::kWaitEnd:
      // A completed join; lock waits end "acquired".
      if (op == static_cast<uint8_t>(WaitOutcome::kCompleted)) ++segment_;
      break;
    case EventKind::kThreadCreate:
    case EventKind::kTaskSpawn:
    case EventKind::kPollBegin:
    case EventKind::kPollEnd:
      ++segment_;
      break;
    default:
      break;
  }
}

bool HoldLedger::defer(ResourceId resource, uintptr_t object, StringId where,
                       uint64_t ticks) noexcept {
  const uint32_t n = count_.load(std::memory_order_relaxed);
  if (overflowed_ || n == kCapacity) return false;
  const uint64_t epoch = g_edge_epoch.load(std::memory_order_relaxed);
  // True the first time `key` is seen (then it is remembered).
  auto first_time = [&](uint64_t key) {
    key |= 1;  // 0 marks an empty slot
    uint64_t& slot = edges_[key % kEdgeSlots];
    if (slot == key) return false;
    slot = key;
    return true;
  };
  // The thread's first use of the lock in this epoch: the analyzer counts who
  // uses a mutex (a condition variable's waiter may be woken by any of them).
  if (first_time(mix(resource ^ mix(epoch ^ 0x75736573ull)))) return false;
  if (n > 0) {
    // The edges from every held lock to this one, with their gate locks: one
    // hash of the held set (in any order), the lock, the segment and the epoch.
    uint64_t held = 0;
    for (uint32_t i = 0; i < n; ++i)
      held += mix(entries_[i].resource.load(std::memory_order_relaxed) * 4 +
                  entries_[i].mode.load(std::memory_order_relaxed));
    // A new edge is recorded, with the deferred gates before it.
    if (first_time(mix(held ^ mix(resource ^ mix(segment_ ^ (epoch << 40)))))) return false;
  }
  if (tid_.load(std::memory_order_relaxed) == 0) tid_.store(gettid(), std::memory_order_relaxed);
  push_deferred(resource, object, ticks, where);
  ++deferred_;
  return true;
}

bool HoldLedger::drop(uintptr_t object, bool contended) noexcept {
  if (deferred_ == 0) return false;
  for (uint32_t i = count_.load(std::memory_order_relaxed); i-- > 0;) {
    if (entries_[i].object.load(std::memory_order_relaxed) != object) continue;
    if (contended) return false;  // its release is recorded, which publishes it
    erase(i);
    --deferred_;
    return true;
  }
  return false;
}

bool HoldLedger::deferred_holds(std::vector<DeferredHold>& out) const {
  DeferredHold copy[kCapacity];
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const uint32_t before = sequence_.load(std::memory_order_acquire);
    if (before & 1) continue;
    const pid_t tid = tid_.load(std::memory_order_acquire);
    const uint32_t n = std::min(count_.load(std::memory_order_acquire), kCapacity);
    uint32_t found = 0;
    for (uint32_t i = 0; i < n; ++i) {
      const Entry& entry = entries_[i];
      const uintptr_t object = entry.object.load(std::memory_order_acquire);
      if (object == 0 || !owned_by(object, tid)) continue;
      copy[found++] = {entry.resource.load(std::memory_order_acquire),
                       entry.ticks.load(std::memory_order_acquire),
                       entry.where.load(std::memory_order_acquire),
                       entry.mode.load(std::memory_order_acquire)};
    }
    if (sequence_.load(std::memory_order_acquire) != before) continue;
    out.insert(out.end(), copy, copy + found);
    return true;
  }
  return false;
}

// Flattened: the ledger's steps are the whole cost of a deferred pair.
[[gnu::flatten]] bool defer_acquired(ResourceId resource, uintptr_t object,
                                     StringId where) noexcept {
  ThreadContext* context = t_context;
  // Inside a poll the task acts: its edges are not this thread's.
  if (context == nullptr || context->acting != 0 || !g_defer_holds.load(std::memory_order_relaxed))
    return false;
  return context->ledger.defer(resource, object, where, read_ticks());
}

[[gnu::flatten]] bool drop_deferred(uintptr_t object, bool contended) noexcept {
  ThreadContext* context = t_context;
  return context != nullptr && context->ledger.drop(object, contended);
}

}  // namespace taskscope::detail
