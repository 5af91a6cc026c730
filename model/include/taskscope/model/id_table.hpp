// Dense storage for records keyed by the trace's 64-bit ids (agents, resources,
// endpoints).
//
// Replay touches one or two records per event, tens of millions of times, so the
// lookup is an open-addressing hash (linear probing, load <= 1/2, backward-shift
// deletion) from id to a slot index; records live in a vector and erased slots are
// reused. Invariants: id 0 ("none" in the event model) is never stored; references to
// records stay valid until that record is erased (insert never moves records).
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace taskscope::model {

template <typename Record>
class IdTable {
 public:
  IdTable() { rehash(16); }

  Record* find(uint64_t id) {
    if (id == 0) return nullptr;
    const uint32_t slot = lookup(id);
    return slot == kNone ? nullptr : &at(slot);
  }
  const Record* find(uint64_t id) const { return const_cast<IdTable*>(this)->find(id); }

  // The record for `id`, default-constructed (with its `id` member set) if new.
  // `created` reports whether it was new. Id 0 ("none") is never stored: it
  // gets a fresh scratch record that is not part of the table.
  Record& insert(uint64_t id, bool* created = nullptr) {
    if (id == 0) {
      scratch_ = Record{};
      if (created) *created = true;
      return scratch_;
    }
    const uint32_t existing = lookup(id);
    if (existing != kNone) {
      if (created) *created = false;
      return at(existing);
    }
    if ((size_ + 1) * 2 > table_.size()) rehash(table_.size() * 2);
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = count_++;
      if ((slot & kChunkMask) == 0) chunks_.push_back(std::make_unique<Record[]>(kChunk));
      live_.push_back(false);
    }
    Record& record = at(slot);
    record.id = id;
    live_[slot] = true;
    place(id, slot);
    ++size_;
    if (created) *created = true;
    return record;
  }

  void erase(uint64_t id) {
    if (id == 0) return;
    const size_t mask = table_.size() - 1;
    size_t i = home(id);
    while (table_[i].key != 0 && table_[i].key != id) i = (i + 1) & mask;
    if (table_[i].key == 0) return;
    const uint32_t slot = table_[i].slot;
    live_[slot] = false;
    recycle(at(slot));
    free_.push_back(slot);
    --size_;
    // Backward-shift deletion keeps probe chains intact without tombstones.
    size_t hole = i;
    size_t j = (i + 1) & mask;
    while (table_[j].key != 0) {
      const size_t want = home(table_[j].key);
      const bool movable = hole <= j ? (want <= hole || want > j) : (want <= hole && want > j);
      if (movable) {
        table_[hole] = table_[j];
        hole = j;
      }
      j = (j + 1) & mask;
    }
    table_[hole].key = 0;
  }

  size_t size() const { return size_; }

  // Visits every live record (in slot order, which is insertion order until
  // slots are reused).
  template <typename Fn>
  void for_each(Fn&& fn) {
    for (uint32_t i = 0; i < count_; ++i)
      if (live_[i]) fn(at(i));
  }
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (uint32_t i = 0; i < count_; ++i)
      if (live_[i]) fn(at(i));
  }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr uint32_t kChunk = 256;  // records per chunk; chunks never move
  static constexpr uint32_t kChunkMask = kChunk - 1;

  struct Entry {
    uint64_t key = 0;
    uint32_t slot = kNone;
  };

  Record& at(uint32_t slot) const { return chunks_[slot >> 8][slot & kChunkMask]; }
  // Resets an erased record for reuse; records may keep their buffers' capacity
  // (Agent::recycle) so that churn does not allocate.
  static void recycle(Record& record) {
    if constexpr (requires { record.recycle(); })
      record.recycle();
    else
      record = Record{};
  }

  // Fibonacci hashing: the top bits of id * 2^64/phi spread sequential ids.
  size_t home(uint64_t id) const {
    return static_cast<size_t>((id * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  uint32_t lookup(uint64_t id) const {
    const size_t mask = table_.size() - 1;
    for (size_t i = home(id);; i = (i + 1) & mask) {
      if (table_[i].key == id) return table_[i].slot;
      if (table_[i].key == 0) return kNone;
    }
  }
  void place(uint64_t id, uint32_t slot) {
    const size_t mask = table_.size() - 1;
    size_t i = home(id);
    while (table_[i].key != 0) i = (i + 1) & mask;
    table_[i] = Entry{id, slot};
  }
  void rehash(size_t capacity) {
    std::vector<Entry> old = std::move(table_);
    table_.assign(capacity, Entry{});
    shift_ = 64;
    for (size_t c = capacity; c > 1; c >>= 1) --shift_;
    for (const Entry& entry : old)
      if (entry.key != 0) place(entry.key, entry.slot);
  }

  std::vector<Entry> table_;
  Record scratch_;
  std::vector<std::unique_ptr<Record[]>> chunks_;  // references survive insert()
  uint32_t count_ = 0;                             // slots ever used
  std::vector<bool> live_;
  std::vector<uint32_t> free_;
  size_t size_ = 0;
  int shift_ = 60;
};

}  // namespace taskscope::model
