// The event hot path: detail::record() and what it falls back to when the
// calling thread has no ring yet or its ring is full.
#include <time.h>

#include "hot_path/clock.hpp"
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

// The ring looked full, has losses to report first, or does not exist yet.
// Reports pending losses (kDropped) before the event so the analyzer sees
// exactly where the gap is; drops the event when there is no room for both.
// Dropping must stay cheap (no clock read, no atomic read-modify-write): a
// thread that outruns the flusher should not be slowed down on top of it.
[[gnu::noinline]] void record_slow(EventKind kind, uint8_t op, uint16_t flags, StringId str,
                                   uint64_t a, uint64_t b) noexcept {
  ThreadContext* context = this_thread_context();
  if (context == nullptr) return;
  EventRing& ring = context->ring;
  for (;;) {
    const uint64_t free = ring.refresh();
    const bool report_drops = ring.has_drops();
    if (free >= (report_drops ? 2u : 1u)) {
      const uint64_t now = read_ticks();
      if (report_drops) {
        // Recording resumes: the report's time is now, just after the last
        // loss (no event of this thread lies between them).
        uint64_t first = 0;
        if (const uint64_t lost = ring.take_drops(&first); lost != 0) {
          fill(ring.prepare_write(), now, EventKind::kDropped, 0, 0, 0, lost, first);
          commit(ring);
        }
      }
      fill(ring.prepare_write(), now, kind, op, flags, str, a, b);
      commit(ring);
      return;
    }
    // Lossless mode waits for the flusher, except on the recorder's own threads
    // and once the session is over.
    if (!g_lossless.load(std::memory_order_relaxed) || t_in_recorder ||
        !g_recording.load(std::memory_order_relaxed)) {
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
  EventRing* ring = t_ring;
  if (ring != nullptr) [[likely]] {
    if (Record* slot = ring->prepare_write()) [[likely]] {
      fill(slot, read_ticks(), kind, op, flags, str, a, b);
      commit(*ring);
      return;
    }
  }
  record_slow(kind, op, flags, str, a, b);
}

}  // namespace taskscope::detail
