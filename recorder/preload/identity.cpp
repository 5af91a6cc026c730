// AddressTable and identity creation/retirement (see identity.hpp).
#include "identity.hpp"

#include <sched.h>
#include <sys/mman.h>

#include <cinttypes>
#include <cstdio>

#include "module_ranges.hpp"

namespace taskscope::preload {

Slot* AddressTable::slots() noexcept {
  Slot* slots = slots_.load(std::memory_order_acquire);
  if (slots != nullptr) [[likely]]
    return slots;
  const size_t bytes = sizeof(Slot) << log2_capacity_;
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) return nullptr;
  // Zeroed anonymous memory is a table of empty slots (all atomics are 0).
  Slot* expected = nullptr;
  if (slots_.compare_exchange_strong(expected, static_cast<Slot*>(memory),
                                     std::memory_order_acq_rel)) {
    return static_cast<Slot*>(memory);
  }
  munmap(memory, bytes);
  return expected;
}

Slot* AddressTable::find_or_insert_probing(uintptr_t key) noexcept {
  Slot* table = slots();
  if (table == nullptr || key == 0) return nullptr;
  const size_t mask = (size_t{1} << log2_capacity_) - 1;
  for (size_t i = home(key), probes = 0; probes <= mask; i = (i + 1) & mask, ++probes) {
    uintptr_t current = table[i].key.load(std::memory_order_acquire);
    if (current == key) return &table[i];
    if (current != 0) continue;
    // Keep a quarter free so that probe sequences stay short.
    if (used_.load(std::memory_order_relaxed) >= (mask + 1) / 4 * 3) return nullptr;
    if (table[i].key.compare_exchange_strong(current, key, std::memory_order_acq_rel)) {
      used_.fetch_add(1, std::memory_order_relaxed);
      return &table[i];
    }
    if (current == key) return &table[i];  // another thread inserted the same key
  }
  return nullptr;
}

Slot* AddressTable::find_probing(uintptr_t key) noexcept {
  Slot* table = slots_.load(std::memory_order_acquire);
  if (table == nullptr || key == 0) return nullptr;
  const size_t mask = (size_t{1} << log2_capacity_) - 1;
  for (size_t i = home(key), probes = 0; probes <= mask; i = (i + 1) & mask, ++probes) {
    const uintptr_t current = table[i].key.load(std::memory_order_acquire);
    if (current == key) return &table[i];
    if (current == 0) return nullptr;
  }
  return nullptr;
}

constinit AddressTable g_sync_objects(20);
constinit AddressTable g_threads(16);

namespace {

// Takes the slot's word for the calling thread (kCreating), returning what it
// held. Other threads wait (yielding) for the few hundred nanoseconds it takes
// to announce the identity, so that no event can use an id before its creation.
// The wait is bounded: a fork() child inherits kCreating from a parent thread
// that was creating at that moment and no longer exists there.
uint64_t claim(Slot* slot) noexcept {
  constexpr int kMaxYields = 100'000;
  for (int yields = 0;;) {
    uint64_t word = slot->word.load(std::memory_order_acquire);
    if (word == kCreating && ++yields < kMaxYields) {
      sched_yield();
      continue;
    }
    if (slot->word.compare_exchange_weak(word, kCreating, std::memory_order_acq_rel)) return word;
  }
}

}  // namespace

constinit thread_local bool t_identity_created __attribute__((tls_model("initial-exec"))) = false;

ResourceId create_identity(Slot* slot, ResourceKind kind, uint64_t extra) noexcept {
  t_identity_created = true;
  const uint64_t old = claim(slot);
  if (old > kCreating && kind_of(old) == kind) {  // created meanwhile by another thread
    slot->word.store(old, std::memory_order_release);
    return id_of(old);
  }
  if (old > kCreating) resource_destroyed(id_of(old));  // address reused for another kind
  const ResourceId id = new_resource_id();
  // An object in static storage is named "sym:0x<its address>": its variable
  // ("account_lock", "accounts+0x28") is found offline by Symbolizer::describe.
  // Others get no name: the analyzer names them by the location of their first
  // use ("mutex@bank.c:37"), which is the `where` of their first event.
  const uintptr_t address = slot->key.load(std::memory_order_relaxed);
  char name[32] = "";
  if (in_static_storage(reinterpret_cast<const void*>(address)))
    std::snprintf(name, sizeof name, "sym:0x%" PRIxPTR, address);
  resource_created(id, kind, name, extra);
  slot->waiters.store(0, std::memory_order_relaxed);
  slot->word.store(id << 8 | static_cast<uint64_t>(kind), std::memory_order_release);
  return id;
}

void retire_identity(Slot* slot) noexcept {
  const uint64_t old = claim(slot);
  slot->word.store(0, std::memory_order_release);
  if (old > kCreating) resource_destroyed(id_of(old));
}

}  // namespace taskscope::preload
