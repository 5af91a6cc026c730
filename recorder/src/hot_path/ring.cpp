#include "hot_path/ring.hpp"

#include <cstring>
#include <new>

#include "hot_path/clock.hpp"

namespace taskscope::detail {
namespace {

uint64_t floor_power_of_two(uint64_t n) {
  uint64_t p = 64;
  while (p * 2 <= n && p < (uint64_t{1} << 40)) p *= 2;
  return p;
}

}  // namespace

EventRing::EventRing(uint64_t capacity)
    : capacity_(floor_power_of_two(capacity)), mask_(capacity_ - 1), high_water_(capacity_ / 2) {
  slots_ =
      static_cast<Record*>(::operator new (capacity_ * sizeof(Record), std::align_val_t{kLine}));
  // Touch every page now so the hot path never takes a first-touch page fault.
  std::memset(static_cast<void*>(slots_), 0, capacity_ * sizeof(Record));
}

EventRing::~EventRing() { ::operator delete (slots_, std::align_val_t{kLine}); }

void EventRing::count_drop() noexcept {
  // Relaxed throughout: the values are reported, never synchronised on, and the
  // claim's compare-and-swap keeps the count exact.
  const uint64_t lost = drop_state_.lost.load(std::memory_order_relaxed);
  if (lost == drop_state_.claimed.load(std::memory_order_relaxed))
    drop_state_.first_ticks.store(read_ticks(), std::memory_order_relaxed);
  drop_state_.lost.store(lost + 1, std::memory_order_relaxed);
}

uint64_t EventRing::take_drops(uint64_t* first_ticks) noexcept {
  uint64_t claimed = drop_state_.claimed.load(std::memory_order_relaxed);
  const uint64_t lost = drop_state_.lost.load(std::memory_order_relaxed);
  if (lost == claimed) return 0;
  *first_ticks = drop_state_.first_ticks.load(std::memory_order_relaxed);
  if (!drop_state_.claimed.compare_exchange_strong(claimed, lost, std::memory_order_relaxed))
    return 0;
  return lost - claimed;
}

}  // namespace taskscope::detail
