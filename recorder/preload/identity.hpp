// Identity of the program's synchronisation objects and threads, keyed by address.
//
// A pthread object is known to the shim only by its address, and the same
// address is reused: a mutex destroyed and re-initialised (or freed memory
// reused for a new one) must become a new resource, or the analyzer would merge
// the histories of two unrelated locks. Each address therefore owns a Slot whose
// `word` holds the *current* identity (resource id + kind); destroy/init and a
// change of kind retire it, and the next use creates a fresh id (a new
// generation). Statically initialised objects simply get their identity on
// first use.
//
// AddressTable is a lock-free open-addressing table: keys are inserted with one
// CAS and never removed (a reused address finds its old slot again), so lookups
// need no lock and slots never move. The memory is reserved with mmap on first
// use (MAP_NORESERVE: only touched pages cost memory), so a program that never
// uses a primitive pays nothing. When the table is 3/4 full further addresses
// are not tracked (their operations are not recorded) rather than slowing down.
#pragma once

#include <atomic>
#include <cstdint>

#include "taskscope/events.hpp"

namespace taskscope::preload {

struct Slot {
  std::atomic<uintptr_t> key{0};
  // 0: no live identity; kCreating: another thread is creating it; else
  // id << 8 | ResourceKind.
  std::atomic<uint64_t> word{0};
  // Condvars: threads currently inside a wait (for kNotify.b).
  std::atomic<uint32_t> waiters{0};
  // Barriers: the count given to init (reported when the identity is created).
  std::atomic<uint32_t> extra{0};
  uint64_t reserved = 0;
};
static_assert(sizeof(Slot) == 32);

inline constexpr uint64_t kCreating = 1;
inline ResourceKind kind_of(uint64_t word) { return static_cast<ResourceKind>(word & 0xff); }
inline ResourceId id_of(uint64_t word) { return word >> 8; }

class AddressTable {
 public:
  explicit constexpr AddressTable(unsigned log2_capacity) : log2_capacity_(log2_capacity) {}
  AddressTable(const AddressTable&) = delete;
  AddressTable& operator=(const AddressTable&) = delete;

  // The slot of `key` (non-zero), inserting it if needed; nullptr when full.
  Slot* find_or_insert(uintptr_t key) noexcept {
    if (Slot* slot = at_home(key)) [[likely]]
      return slot;
    return find_or_insert_probing(key);
  }
  // The slot of `key`, or nullptr if it was never inserted.
  Slot* find(uintptr_t key) noexcept {
    if (Slot* slot = at_home(key)) [[likely]]
      return slot;
    return find_probing(key);
  }

 private:
  // Fast path: most keys sit in their home slot.
  Slot* at_home(uintptr_t key) noexcept {
    Slot* table = slots_.load(std::memory_order_acquire);
    if (table == nullptr || key == 0) return nullptr;
    Slot* slot = &table[home(key)];
    return slot->key.load(std::memory_order_acquire) == key ? slot : nullptr;
  }
  Slot* find_or_insert_probing(uintptr_t key) noexcept;
  Slot* find_probing(uintptr_t key) noexcept;
  Slot* slots() noexcept;
  size_t home(uintptr_t key) const noexcept {
    return static_cast<size_t>(((key >> 3) * 0x9E3779B97F4A7C15ull) >> (64 - log2_capacity_));
  }

  const unsigned log2_capacity_;
  std::atomic<Slot*> slots_{nullptr};
  std::atomic<uint64_t> used_{0};
};

// Synchronisation objects (mutexes, rwlocks, condvars, semaphores, barriers):
// 2^20 slots, 32 MiB of address space, committed only where touched.
extern constinit AddressTable g_sync_objects;
inline AddressTable& sync_objects() noexcept { return g_sync_objects; }
// Threads: pthread_t -> agent id (stored in Slot::word as a plain id).
extern constinit AddressTable g_threads;
inline AddressTable& threads() noexcept { return g_threads; }

// Slow path of identity(): creates (or replaces, on a change of kind) the
// identity at `slot` and announces it (resource_created). Name: "sym:0x<addr>"
// for an object in static storage (symbolized offline to its variable), else
// none, and the analyzer names it by the site of its first use, the `where` of
// its first event (mutexes: where they were first locked).
ResourceId create_identity(Slot* slot, ResourceKind kind, uint64_t extra) noexcept;
// Ends the current identity at `slot` (destroy or re-init): resource_destroyed.
void retire_identity(Slot* slot) noexcept;

// Set by create_identity on the calling thread. The analyzer names a resource
// by the location of its first event, so the first use records a denoised
// stack even on a fast path: with std::mutex in an unoptimised build the
// return address lies in std::mutex::lock, not in the program's code.
extern constinit thread_local bool t_identity_created __attribute__((tls_model("initial-exec")));

// The live identity of kind `kind` at `slot`, created on first use. `extra` is
// evaluated only on creation (kResourceCreate.b).
template <typename ExtraFn>
inline ResourceId identity(Slot* slot, ResourceKind kind, ExtraFn&& extra) noexcept {
  const uint64_t word = slot->word.load(std::memory_order_acquire);
  if (word > kCreating && kind_of(word) == kind) [[likely]]
    return id_of(word);
  return create_identity(slot, kind, extra());
}

// The live identity at `address` if any (0 otherwise), without creating one:
// used by operations that end something (unlock), which cannot be first uses.
inline ResourceId existing_identity(const void* address, ResourceKind kind) noexcept {
  Slot* slot = sync_objects().find(reinterpret_cast<uintptr_t>(address));
  if (slot == nullptr) return 0;
  const uint64_t word = slot->word.load(std::memory_order_acquire);
  return word > kCreating && kind_of(word) == kind ? id_of(word) : 0;
}

}  // namespace taskscope::preload
