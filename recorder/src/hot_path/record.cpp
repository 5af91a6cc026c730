// The event hot path: detail::record() and what it falls back to when the
// calling thread has no ring yet or its ring is full.
#include <time.h>

#include "hot_path/clock.hpp"
#include "hot_path/hold_ledger.hpp"
#include "hot_path/reentry.hpp"
#include "hot_path/session_state.hpp"
#include "hot_path/thread_context.hpp"
#include "output/wakeup.hpp"

namespace taskscope::detail {

constinit std::atomic<bool> g_recording{false};

namespace {

inline void fill(Record* slot, uint64_t ticks, EventKind kind, uint8_t op, uint16_t flags,
                 StringId str, uint64_t a, uint64_t b) noexcept {
  slot->ticks = ticks;
  slot->kind = static_cast<uint8_t>(kind);
  slot->op = op;
  slot->flags = flags;
  slot->str = str;
  slot->a = a;
  slot->b = b;
}

inline void commit(EventRing& ring) noexcept {
  if (ring.commit_write()) flusher_wakeup().wake();
}

// Writes pending losses (kDropped) and then the event at the slots `next()`
// hands out, publishing each with `publish()`. The report's time is now, just
// after the last loss (no event of this thread lies between them).
template <class Next, class Publish>
inline void put(EventRing& ring, bool report_drops, Next next, Publish publish, uint64_t ticks,
                EventKind kind, uint8_t op, uint16_t flags, StringId str, uint64_t a,
                uint64_t b) noexcept {
  const uint64_t now = ticks != 0 ? ticks : read_ticks();
  if (report_drops) {
    uint64_t first = 0;
    if (const uint64_t lost = ring.take_drops(&first); lost != 0) {
      fill(next(), now, EventKind::kDropped, 0, 0, 0, lost, first);
      publish();
    }
  }
  fill(next(), now, kind, op, flags, str, a, b);
  publish();
}

// The ring looked full, has losses to report first, or does not exist yet.
// `ticks`: the event's time, 0 = now.
// A full ring spills into blocks from the process-wide budget (spill.hpp);
// while the thread spills, every event comes here and goes to the spill chain,
// until the flusher has taken all of it. Past the budget the event is dropped
// (or, with Config::lossless, the thread waits). Pending losses (kDropped) are
// reported before the next event kept, so the analyzer sees exactly where the
// gap is. Dropping must stay cheap (no clock read, no atomic read-modify-write):
// a thread that outruns the flusher should not be slowed down on top of it.
[[gnu::noinline]] void record_slow(uint64_t ticks, EventKind kind, uint8_t op, uint16_t flags,
                                   StringId str, uint64_t a, uint64_t b) noexcept {
  ThreadContext* context = this_thread_context();
  if (context == nullptr) return;
  EventRing& ring = context->ring;
  SpillChain& spill = context->spill;
  for (;;) {
    const bool report_drops = ring.has_drops();
    const uint32_t needed = report_drops ? 2 : 1;
    if (spill.active() && spill.drained()) spill.park();
    if (!spill.active() && ring.refresh() >= needed) {
      put(
          ring, report_drops, [&] { return ring.prepare_write(); }, [&] { commit(ring); }, ticks,
          kind, op, flags, str, a, b);
      return;
    }
    bool new_block = false;
    if (spill.reserve(needed, &new_block)) {
      put(
          ring, report_drops, [&] { return spill.slot(); }, [&] { spill.commit(); }, ticks, kind,
          op, flags, str, a, b);
      ring.look_full();  // keep the fast path away from the ring while spilling
      if (new_block) flusher_wakeup().wake();
      return;
    }
    // The block policy waits for the flusher, except on the recorder's own
    // threads, once the session is over and after a crash: then nobody drains.
    if (!g_lossless.load(std::memory_order_relaxed) || t_in_recorder ||
        !g_recording.load(std::memory_order_relaxed) ||
        g_crash_signal.load(std::memory_order_relaxed) != 0) {
      ring.count_drop();
      ring.look_full();
      return;
    }
    ReentryGuard guard;
    flusher_wakeup().wake();
    timespec pause{0, 50'000};
    nanosleep(&pause, nullptr);
  }
}

}  // namespace

void record(EventKind kind, uint8_t op, uint16_t flags, StringId str, uint64_t a,
            uint64_t b) noexcept {
  // The thread's lock holds: deferred ones are written before this event, and
  // acquisitions, releases and segment cuts are tracked (hold_ledger.hpp).
  if (ThreadContext* context = t_context; context != nullptr) [[likely]] {
    if (context->ledger.wants(kind)) [[unlikely]]
      context->ledger.before_record(kind, op, a);
  }
  EventRing* ring = t_ring;
  if (ring != nullptr) [[likely]] {
    if (Record* slot = ring->prepare_write()) [[likely]] {
      fill(slot, read_ticks(), kind, op, flags, str, a, b);
      commit(*ring);
      return;
    }
  }
  record_slow(0, kind, op, flags, str, a, b);
}

void record_at(uint64_t ticks, EventKind kind, uint8_t op, uint16_t flags, StringId str,
               uint64_t a, uint64_t b) noexcept {
  EventRing* ring = t_ring;
  if (ring != nullptr) [[likely]] {
    if (Record* slot = ring->prepare_write()) [[likely]] {
      fill(slot, ticks, kind, op, flags, str, a, b);
      commit(*ring);
      return;
    }
  }
  record_slow(ticks, kind, op, flags, str, a, b);
}

}  // namespace taskscope::detail
