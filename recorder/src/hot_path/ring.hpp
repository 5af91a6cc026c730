// The per-thread event ring: fixed 32-byte records, one producer (the owning
// thread), one consumer (the flusher).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace taskscope::detail {

// One event as it sits in a ring. The timestamp is raw counter ticks (converted
// off the hot path); the recording thread is implied by the ring. 32 bytes, so
// two records fill half a cache line and a record never straddles one.
struct Record {
  uint64_t ticks;
  uint8_t kind;
  uint8_t op;
  uint16_t flags;
  uint32_t str;
  uint64_t a;
  uint64_t b;
};
static_assert(sizeof(Record) == 32);

// Record kinds that never reach the trace.
// a = the thread's new agent id (adopt_thread_agent on a thread that already
// recorded events under another id): the flusher splits the batch there.
inline constexpr uint8_t kRecordRebind = 0xFF;

// A single-producer single-consumer ring of Records, laid out like quill's: the
// producer's position and its cached copy of the consumer's position share one
// cache line that only the producer writes; the consumer's position lives on
// another line that only the consumer writes. The producer reloads the
// consumer's position only when the ring looks full, so in steady state the two
// threads do not touch each other's lines.
//
// Invariants: read <= write <= read + capacity; slots in [read, write) are
// published (the consumer may read them), the others belong to the producer.
// Losses are counted, never silent: the producer alone advances `lost`; whoever
// reports losses (the producer's next kDropped record, or the flusher when the
// producer is gone or the session ends) claims the range [claimed, lost) with a
// compare-and-swap, so each lost event is reported exactly once. Counting a
// loss is two loads and a store (plus one counter read for the first loss of a
// run): a thread whose ring is full keeps running at full speed.
class EventRing {
 public:
  // `capacity` is rounded down to a power of two, at least 64.
  explicit EventRing(uint64_t capacity);
  ~EventRing();
  EventRing(const EventRing&) = delete;
  EventRing& operator=(const EventRing&) = delete;

  uint64_t capacity() const noexcept { return capacity_; }

  // ---- producer (the owning thread only) ----

  // The slot for the next record, or nullptr when the ring looks full (call
  // refresh() then).
  Record* prepare_write() noexcept {
    const uint64_t write = producer_.write_local;
    if (write - producer_.cached_read >= capacity_) return nullptr;
    return &slots_[write & mask_];
  }
  // Publishes the slot prepare_write() returned. True when this commit made the
  // ring cross its high-water mark, i.e. the flusher should be woken.
  bool commit_write() noexcept {
    const uint64_t write = ++producer_.write_local;
    producer_.write.store(write, std::memory_order_release);
    return write - producer_.cached_read == high_water_;
  }
  // Reloads the consumer's position; returns the number of free slots.
  uint64_t refresh() noexcept {
    producer_.cached_read = consumer_.read.load(std::memory_order_acquire);
    return capacity_ - (producer_.write_local - producer_.cached_read);
  }
  // Makes the next prepare_write() fail, so the producer goes through its slow
  // path (which reports losses) even if one slot happens to be free.
  void look_full() noexcept { producer_.cached_read = producer_.write_local - capacity_; }
  // Counts one lost event. The first loss of a run reads the clock: that time
  // is the kDropped event's `b`.
  void count_drop() noexcept;
  // Claims the losses counted so far: returns how many (0 if none or if the
  // other side claimed them first), with the ticks of the first one.
  uint64_t take_drops(uint64_t* first_ticks) noexcept;
  bool has_drops() const noexcept {
    return drop_state_.lost.load(std::memory_order_relaxed) !=
           drop_state_.claimed.load(std::memory_order_relaxed);
  }

  // ---- consumer (the flusher only) ----

  // Records published and not yet consumed.
  uint64_t readable() const noexcept {
    return producer_.write.load(std::memory_order_acquire) - consumer_.read_local;
  }
  // The i-th unconsumed record (i < readable()).
  const Record& peek(uint64_t i) const noexcept {
    return slots_[(consumer_.read_local + i) & mask_];
  }
  // Hands `n` consumed slots back to the producer.
  void consume(uint64_t n) noexcept {
    consumer_.read_local += n;
    consumer_.read.store(consumer_.read_local, std::memory_order_release);
  }

 private:
  static constexpr size_t kLine = 64;

  struct alignas(kLine) ProducerLine {
    std::atomic<uint64_t> write{0};
    uint64_t write_local = 0;  // == write, without an atomic load on the hot path
    uint64_t cached_read = 0;
  };
  struct alignas(kLine) ConsumerLine {
    std::atomic<uint64_t> read{0};
    uint64_t read_local = 0;
  };
  struct alignas(kLine) DropLine {
    std::atomic<uint64_t> lost{0};     // written by the producer only
    std::atomic<uint64_t> claimed{0};  // advanced by compare-and-swap from either side
    std::atomic<uint64_t> first_ticks{0};
  };

  ProducerLine producer_;
  ConsumerLine consumer_;
  DropLine drop_state_;
  Record* slots_;
  uint64_t capacity_;
  uint64_t mask_;
  uint64_t high_water_;
};

}  // namespace taskscope::detail
