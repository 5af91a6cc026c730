// The locks a thread holds, as the recorder tracks them, and the holds it keeps
// instead of recording (docs/architecture.md, "Uncontended locks").
//
// Recording every lock/unlock pair of a plain mutex costs two events; most of
// them tell the analyzer nothing new. A hold is *deferred* — kept here, not
// written — when its acquisition was uncontended, is not the thread's first use
// of the mutex (the analyzer counts a mutex's users), adds no lock-order edge
// this thread has not recorded in its current segment, and the thread is not
// polling a task. A deferred hold is written (its kAcquired, at the time it was
// taken) as soon as it matters:
//  - before any other event of the thread: a wait (a blocked holder must show
//    what it holds), a new order edge (its gate locks), anything else (the
//    thread's events stay in time order);
//  - at its release, when another thread is waiting for the lock;
//  - by the flusher, at the end of the session, at a crash or a hang that ends
//    the process, and into every flight-recorder dump.
// A deferred hold released while nobody waits for it leaves no event at all;
// one whose mutex another thread unlocked (glibc's owner field says so) is
// forgotten, never written.
//
// Invariants: entries are in acquisition order; every slot past the count has
// `object` 0 (so that a recorded hold is added without the seqlock); deferred entries are younger
// than every event the thread wrote (writing one publishes them first), so
// publishing keeps the thread's events in time order; an order edge (the held
// set, the lock taken, the thread's segment) is written at least once per
// session and per flight-recorder generation, and so is each thread's first
// use of each mutex.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "taskscope/events.hpp"

namespace taskscope::detail {

// False while the session records every hold (Config::every_hold).
extern std::atomic<bool> g_defer_holds;
// Changes at each session start and flight-recorder generation: order edges
// written before are written again.
extern std::atomic<uint64_t> g_edge_epoch;

// record() without the ledger's bookkeeping, at `ticks` (a deferred hold's
// acquisition time): what publishing a deferred hold writes (record.cpp).
void record_at(uint64_t ticks, EventKind kind, uint8_t op, uint16_t flags, StringId str,
               uint64_t a, uint64_t b) noexcept;

// A deferred hold as the flusher reads it.
struct DeferredHold {
  ResourceId resource = 0;
  uint64_t ticks = 0;
  StringId where = 0;
  uint8_t mode = 0;
};

class HoldLedger {
 public:
  // Holds tracked per thread. Past this many (a semaphore taken here and posted
  // elsewhere stays), the thread records every hold for the rest of the session.
  static constexpr uint32_t kCapacity = 32;

  // Owner: whether record() must call before_record() for an event of `kind`.
  bool wants(EventKind kind) const noexcept {
    const auto k = static_cast<uint8_t>(kind);
    return deferred_ != 0 || (k < 64 && ((kTracked >> k) & 1));
  }
  // Owner, before an event is written: publishes the deferred holds, then
  // tracks the event's effect on what the thread holds and on its segment.
  // Inline: it runs for every recorded acquisition and release.
  void before_record(EventKind kind, uint8_t op, uint64_t a) noexcept {
    if (deferred_ != 0) publish();
    if (kind == EventKind::kAcquired) {
      push_recorded(a, op);
    } else if (kind == EventKind::kReleased) {
      const uint32_t n = count_.load(std::memory_order_relaxed);
      // Usually the newest hold, recorded: the flusher skips it, no seqlock.
      if (n != 0 && entries_[n - 1].resource.load(std::memory_order_relaxed) == a &&
          entries_[n - 1].object.load(std::memory_order_relaxed) == 0)
        count_.store(n - 1, std::memory_order_relaxed);
      else
        released_out_of_order(a);
    } else {
      cut_segment(kind, op);
    }
  }
  // Owner: keeps the uncontended acquisition of `resource` (the plain glibc
  // mutex at `object`) instead of recording it. False: record it.
  bool defer(ResourceId resource, uintptr_t object, StringId where, uint64_t ticks) noexcept;
  // Owner, before the mutex at `object` is unlocked: true when its hold was
  // deferred and is now forgotten (nothing to record). `contended`: a thread
  // waits for the lock, so the hold is published instead (and false returned).
  bool drop(uintptr_t object, bool contended) noexcept;

  // Flusher: appends copies of the deferred holds. False when the owner kept
  // changing them (nothing appended).
  bool deferred_holds(std::vector<DeferredHold>& out) const;

 private:
  struct Entry {
    std::atomic<ResourceId> resource{0};
    std::atomic<uintptr_t> object{0};  // deferred holds: the mutex; else 0
    std::atomic<uint64_t> ticks{0};
    std::atomic<StringId> where{0};
    std::atomic<uint8_t> mode{0};
  };
  static constexpr uint32_t kEdgeSlots = 256;  // hashes of first uses and order edges
  static constexpr uint64_t kTracked =
      uint64_t{1} << static_cast<uint8_t>(EventKind::kAcquired) |
      uint64_t{1} << static_cast<uint8_t>(EventKind::kReleased) |
      uint64_t{1} << static_cast<uint8_t>(EventKind::kThreadCreate) |
      uint64_t{1} << static_cast<uint8_t>(EventKind::kTaskSpawn) |
      uint64_t{1} << static_cast<uint8_t>(EventKind::kPollBegin) |
      uint64_t{1} << static_cast<uint8_t>(EventKind::kPollEnd) |
      uint64_t{1} << static_cast<uint8_t>(EventKind::kWaitEnd);

  void publish() noexcept;
  void push_deferred(ResourceId resource, uintptr_t object, uint64_t ticks,
                     StringId where) noexcept;
  void push_recorded(ResourceId resource, uint8_t mode) noexcept {
    const uint32_t n = count_.load(std::memory_order_relaxed);
    if (n == kCapacity) {
      overflowed_ = true;
      return;
    }
    // No seqlock: the slot's `object` is already 0 (every slot past the count
    // is), so the flusher skips it whatever it reads of the rest.
    entries_[n].resource.store(resource, std::memory_order_relaxed);
    entries_[n].mode.store(mode, std::memory_order_relaxed);
    count_.store(n + 1, std::memory_order_relaxed);
  }
  void released_out_of_order(ResourceId resource) noexcept;
  void cut_segment(EventKind kind, uint8_t op) noexcept;
  void erase(uint32_t index) noexcept;
  static void copy_entry(Entry& to, const Entry& from) noexcept;
  // Seqlock around the owner's edits of the entries the flusher reads.
  void begin_edit() noexcept;
  void end_edit() noexcept;

  std::atomic<uint32_t> sequence_{0};  // odd while the owner edits
  std::atomic<uint32_t> count_{0};     // entries in use
  uint32_t deferred_ = 0;              // of which deferred (object != 0)
  std::atomic<pid_t> tid_{0};  // the owner's kernel thread id, once it deferred a hold
  bool overflowed_ = false;  // lost track of a hold: defer nothing more
  uint64_t segment_ = 0;     // bumped where the analyzer cuts a segment
  uint64_t edges_[kEdgeSlots] = {};  // hashes of first uses and edges written, 0 = empty
  Entry entries_[kCapacity];
};

}  // namespace taskscope::detail
