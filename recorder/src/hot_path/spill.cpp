#include "hot_path/spill.hpp"

#include <sys/mman.h>

#include <new>

namespace taskscope::detail {
namespace {

// Freed blocks kept mapped for the next burst (not counted in the budget).
constexpr int kCachedBlocks = 4;

constinit std::atomic<uint64_t> g_budget_bytes{0};
constinit std::atomic<uint64_t> g_in_use_bytes{0};
constinit std::atomic<uint32_t> g_block_records{0};
constinit std::atomic<SpillBlock*> g_cache[kCachedBlocks] = {};

// A block's share of the budget: its records, not its header or page rounding.
uint64_t budget_share(uint32_t records) noexcept { return uint64_t{records} * sizeof(Record); }

void unmap(SpillBlock* block) noexcept {
  const uint64_t bytes = block->mapped_bytes;
  block->~SpillBlock();
  ::munmap(block, bytes);
}

SpillBlock* map_block(uint32_t records) noexcept {
  const uint64_t page = 4096;
  const uint64_t bytes = (sizeof(SpillBlock) + budget_share(records) + page - 1) / page * page;
  // Populated now: the producer pays the page faults once, in this call, not
  // one per page while it records.
  void* memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (memory == MAP_FAILED) return nullptr;
  auto* block = new (memory) SpillBlock();
  block->capacity = records;
  block->mapped_bytes = bytes;
  return block;
}

SpillBlock* take_cached(uint32_t records) noexcept {
  for (std::atomic<SpillBlock*>& slot : g_cache) {
    if (slot.load(std::memory_order_relaxed) == nullptr) continue;
    SpillBlock* block = slot.exchange(nullptr, std::memory_order_acq_rel);
    if (block == nullptr) continue;
    if (block->capacity == records) {
      block->next.store(nullptr, std::memory_order_relaxed);
      block->count.store(0, std::memory_order_relaxed);
      return block;
    }
    unmap(block);  // sized for an earlier session
  }
  return nullptr;
}

}  // namespace

void SpillPool::configure(uint64_t budget_bytes) noexcept {
  const uint64_t records = budget_bytes / sizeof(Record);
  uint32_t block_records = records < kMaxBlockRecords ? static_cast<uint32_t>(records)
                                                      : kMaxBlockRecords;
  if (block_records < 64) block_records = 0;  // too small to be worth a block: spill off
  g_budget_bytes.store(budget_bytes, std::memory_order_relaxed);
  g_block_records.store(block_records, std::memory_order_relaxed);
}

SpillBlock* SpillPool::acquire() noexcept {
  const uint32_t records = g_block_records.load(std::memory_order_relaxed);
  if (records == 0) return nullptr;
  const uint64_t share = budget_share(records);
  uint64_t used = g_in_use_bytes.load(std::memory_order_relaxed);
  do {
    if (used + share > g_budget_bytes.load(std::memory_order_relaxed)) return nullptr;
  } while (!g_in_use_bytes.compare_exchange_weak(used, used + share, std::memory_order_relaxed));
  if (SpillBlock* block = take_cached(records)) return block;
  if (SpillBlock* block = map_block(records)) return block;
  g_in_use_bytes.fetch_sub(share, std::memory_order_relaxed);
  return nullptr;
}

void SpillPool::release(SpillBlock* block) noexcept {
  g_in_use_bytes.fetch_sub(budget_share(block->capacity), std::memory_order_relaxed);
  for (std::atomic<SpillBlock*>& slot : g_cache) {
    SpillBlock* empty = nullptr;
    if (slot.compare_exchange_strong(empty, block, std::memory_order_acq_rel)) return;
  }
  unmap(block);
}

uint64_t SpillPool::in_use_bytes() noexcept {
  return g_in_use_bytes.load(std::memory_order_relaxed);
}

SpillChain::~SpillChain() {
  SpillBlock* block = consumer_.head;
  if (block == nullptr && state_.load(std::memory_order_acquire) != kIdle)
    block = chain_head_.load(std::memory_order_acquire);
  while (block != nullptr) {
    SpillBlock* next = block->next.load(std::memory_order_acquire);
    SpillPool::release(block);
    block = next;
  }
}

void SpillChain::park() noexcept {
  producer_.active = false;
  state_.store(kParked, std::memory_order_release);
}

bool SpillChain::reserve(uint32_t n, bool* new_block) noexcept {
  *new_block = false;
  if (!producer_.active) {
    uint8_t parked = kParked;
    if (producer_.tail == nullptr ||
        !state_.compare_exchange_strong(parked, kActive, std::memory_order_acq_rel)) {
      // No chain, or the consumer reclaimed the parked one: start a new chain.
      producer_.tail = nullptr;
      SpillBlock* block = SpillPool::acquire();
      if (block == nullptr) return false;
      producer_.tail = block;
      producer_.tail_count = 0;
      chain_head_.store(block, std::memory_order_release);
      state_.store(kActive, std::memory_order_release);
      *new_block = true;
    }
    producer_.active = true;
  }
  if (producer_.tail->capacity - producer_.tail_count >= n) return true;
  SpillBlock* block = SpillPool::acquire();
  if (block == nullptr) return false;
  // Linked before any record of it is published: a consumer that sees such a
  // record (through written_) sees the link too.
  producer_.tail->next.store(block, std::memory_order_release);
  producer_.tail = block;
  producer_.tail_count = 0;
  *new_block = true;
  return true;
}

void SpillChain::reclaim_if_parked() noexcept {
  if (consumer_.head == nullptr || state_.load(std::memory_order_relaxed) != kParked) return;
  // Parked means the producer saw every record consumed and writes none.
  if (written_.load(std::memory_order_acquire) != consumer_.consumed_local) return;
  uint8_t parked = kParked;
  if (!state_.compare_exchange_strong(parked, kIdle, std::memory_order_acq_rel)) return;
  SpillBlock* block = consumer_.head;
  while (block != nullptr) {
    SpillBlock* next = block->next.load(std::memory_order_acquire);
    SpillPool::release(block);
    block = next;
  }
  consumer_.head = nullptr;
  consumer_.head_read = 0;
}

}  // namespace taskscope::detail
