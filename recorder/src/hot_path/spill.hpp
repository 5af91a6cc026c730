// Spill blocks: where a thread's events go while its ring is full, before any
// is dropped (docs/architecture.md, "Bursts: spill blocks").
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "hot_path/ring.hpp"

namespace taskscope::detail {

// One block of Records outside the ring. The producer fills `records` in order,
// publishes each with `count` (release), and links `next` once it moves on;
// after that it never touches the block again, so the consumer may free it.
// The records follow the header in the same mapping.
struct alignas(64) SpillBlock {
  std::atomic<SpillBlock*> next{nullptr};
  std::atomic<uint32_t> count{0};
  uint32_t capacity = 0;
  uint64_t mapped_bytes = 0;  // the whole mapping, header included

  Record* records() noexcept { return reinterpret_cast<Record*>(this + 1); }
};

// The process-wide budget of spill memory. Blocks are mapped with mmap (never
// malloc: the slow path may run where the allocator's locks are held, e.g.
// inside an intercepted call) and a few freed ones are kept for reuse.
// Every operation is lock-free; taking a block never blocks.
class SpillPool {
 public:
  // Session start: at most `budget_bytes` of blocks in use at once, each of at
  // most kMaxBlockRecords records (fewer when the budget is smaller). Blocks
  // already in use stay valid.
  static void configure(uint64_t budget_bytes) noexcept;
  // A block of the configured size, or nullptr when the budget is spent, spill
  // is off (a budget under 64 records) or the system has no memory left.
  static SpillBlock* acquire() noexcept;
  // Returns a block to the budget.
  static void release(SpillBlock* block) noexcept;
  // Bytes of blocks currently taken (tests, bench).
  static uint64_t in_use_bytes() noexcept;

  static constexpr uint32_t kMaxBlockRecords = 64 * 1024;
};

// A thread's chain of spill blocks, consumed in order after its ring. One
// producer (the owning thread) and one consumer (the flusher), like EventRing.
//
// Ordering (why the events of a thread stay in order): the producer enters
// spill mode only when its ring is full, and leaves it only once the consumer
// has taken every spilled record; it writes to the ring only outside spill
// mode. The consumer snapshots `written` *before* it reads the ring, drains the
// ring, then reads the chain up to the snapshot. So every ring record it takes
// precedes every spilled record it takes, and everything it leaves for later
// follows everything it took.
//
// Blocks: the consumer frees a block it has read to the end once the producer
// linked the next one. When the producer left spill mode (kParked) the consumer
// may reclaim the last block with a compare-and-swap to kIdle; the producer
// re-enters spill mode with a compare-and-swap kParked -> kActive, and starts
// a new chain if the consumer won.
class SpillChain {
 public:
  SpillChain() = default;
  ~SpillChain();  // frees every block (called when nobody else uses the chain)
  SpillChain(const SpillChain&) = delete;
  SpillChain& operator=(const SpillChain&) = delete;

  // ---- producer ----

  // True while events go to the chain instead of the ring.
  bool active() const noexcept { return producer_.active; }
  // True once the consumer took every spilled record: the producer may leave
  // spill mode (park()) and write to its ring again.
  bool drained() const noexcept {
    return consumer_.consumed.load(std::memory_order_acquire) == producer_.written_local;
  }
  void park() noexcept;
  // Makes room for `n` (1 or 2) more records, entering spill mode if needed.
  // False when the budget is spent: nothing changed. `new_block` is set when a
  // block was taken (the caller then wakes the flusher).
  bool reserve(uint32_t n, bool* new_block) noexcept;
  // The next slot; valid after reserve() made room for it.
  Record* slot() noexcept { return producer_.tail->records() + producer_.tail_count; }
  // Publishes the slot slot() returned.
  void commit() noexcept {
    producer_.tail->count.store(++producer_.tail_count, std::memory_order_release);
    written_.store(++producer_.written_local, std::memory_order_release);
  }

  // ---- consumer ----

  // How many records the consumer may take this round: call before reading
  // the ring (see the ordering note above).
  uint64_t snapshot() const noexcept {
    return written_.load(std::memory_order_acquire) - consumer_.consumed_local;
  }
  // Calls `visit(const Record&)` for the next `n` records (n <= snapshot()),
  // in order, then hands them back and frees the blocks read to the end.
  template <class Visit>
  void consume(uint64_t n, Visit&& visit) noexcept(noexcept(visit(Record{}))) {
    while (n > 0) {
      if (consumer_.head == nullptr) {
        consumer_.head = chain_head_.load(std::memory_order_acquire);
        consumer_.head_read = 0;
      }
      SpillBlock* block = consumer_.head;
      SpillBlock* next = block->next.load(std::memory_order_acquire);
      const uint32_t end = block->count.load(std::memory_order_acquire);
      const uint32_t take = static_cast<uint32_t>(
          n < uint64_t{end - consumer_.head_read} ? n : end - consumer_.head_read);
      if (take == 0 && next == nullptr) break;  // cannot happen: n <= snapshot()
      const Record* records = block->records() + consumer_.head_read;
      for (uint32_t i = 0; i < take; ++i) visit(records[i]);
      consumer_.head_read += take;
      n -= take;
      consumer_.consumed_local += take;
      if (consumer_.head_read == end && next != nullptr) {
        consumer_.head = next;
        consumer_.head_read = 0;
        SpillPool::release(block);
      }
    }
    consumer_.consumed.store(consumer_.consumed_local, std::memory_order_release);
    reclaim_if_parked();
  }
  // Reclaims the last block of a parked chain (returns it to the budget).
  void reclaim_if_parked() noexcept;

 private:
  enum State : uint8_t { kIdle, kActive, kParked };

  struct alignas(64) ProducerLine {
    bool active = false;
    SpillBlock* tail = nullptr;
    uint32_t tail_count = 0;
    uint64_t written_local = 0;
  };
  struct alignas(64) ConsumerLine {
    std::atomic<uint64_t> consumed{0};
    uint64_t consumed_local = 0;
    SpillBlock* head = nullptr;
    uint32_t head_read = 0;
  };

  ProducerLine producer_;
  std::atomic<uint64_t> written_{0};
  std::atomic<SpillBlock*> chain_head_{nullptr};  // first block of the current chain
  std::atomic<uint8_t> state_{kIdle};
  ConsumerLine consumer_;
};

}  // namespace taskscope::detail
