// Lookup of live agents and resources by trace id (private to the analyzer).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace taskscope::analyzer::stats {

// Open-addressing map from a trace id to a record, for the one or two lookups the
// stats pass makes per event (std::unordered_map's modulo hashing and node walk
// dominated its profile). Linear probing at load <= 1/2, Fibonacci hashing,
// backward-shift deletion (no tombstones). Invariants: a slot is empty iff its
// record is null; each record is allocated on its own, so references to it stay
// valid until it is erased, whatever is inserted meanwhile.
template <typename T>
class IdMap {
 public:
  IdMap() { slots_.resize(16); }

  T* find(uint64_t id) {
    for (size_t i = home(id);; i = next(i)) {
      Slot& slot = slots_[i];
      if (!slot.record) return nullptr;
      if (slot.id == id) return slot.record.get();
    }
  }

  // The record for `id`, value-initialised if it was not there.
  T& get_or_insert(uint64_t id, bool* inserted = nullptr) {
    if (T* found = find(id)) {
      if (inserted) *inserted = false;
      return *found;
    }
    if ((size_ + 1) * 2 > slots_.size()) grow();
    size_t i = home(id);
    while (slots_[i].record) i = next(i);
    slots_[i].id = id;
    slots_[i].record = std::make_unique<T>();
    ++size_;
    if (inserted) *inserted = true;
    return *slots_[i].record;
  }

  void erase(uint64_t id) {
    size_t i = home(id);
    while (slots_[i].record && slots_[i].id != id) i = next(i);
    if (!slots_[i].record) return;
    slots_[i].record.reset();
    --size_;
    // Shift later members of the probe run back so no lookup meets a hole early.
    for (size_t j = next(i); slots_[j].record; j = next(j)) {
      const size_t want = home(slots_[j].id);
      const bool movable = i <= j ? (want <= i || want > j) : (want <= i && want > j);
      if (movable) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
  }

  template <typename F>
  void for_each(F&& f) {
    for (Slot& slot : slots_)
      if (slot.record) f(slot.id, *slot.record);
  }

  void clear() {
    slots_.clear();
    slots_.resize(16);
    size_ = 0;
    shift_ = 64 - 4;
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t id = 0;
    std::unique_ptr<T> record;
  };

  size_t home(uint64_t id) const {
    return static_cast<size_t>((id * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  size_t next(size_t i) const { return (i + 1) & (slots_.size() - 1); }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.clear();
    slots_.resize(old.size() * 2);
    --shift_;
    for (Slot& slot : old) {
      if (!slot.record) continue;
      size_t i = home(slot.id);
      while (slots_[i].record) i = next(i);
      slots_[i] = std::move(slot);
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
  int shift_ = 64 - 4;  // log2(slots_.size()) bits of the hash
};

}  // namespace taskscope::analyzer::stats
