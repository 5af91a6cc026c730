// The event mix of the analyzer and top benchmarks (bench/analyzer_bench.cpp,
// bench/top_bench.cpp): one generator, so that both measure the same workload.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "taskscope/format/event.hpp"

namespace taskscope::bench {

using format::Event;
using format::EventKind;
using format::ResourceKind;
using format::WaitOp;
using format::WaitOutcome;

constexpr uint64_t kMixThreads = 8;

// The benchmarks' event mix over kMixThreads recording threads: workers 1..6 poll
// tasks that lock, enter spans and wake each other (with task churn), thread 7
// sends on a bounded channel that thread 8 drains. Produced in rounds of about 80
// events stamped `step` ns apart from the time the caller gives, into one pending
// batch per thread (pending[thread], thread 1..kMixThreads).
class EventMix {
 public:
  explicit EventMix(std::vector<std::vector<Event>>& pending) : pending_(pending) {}

  // The threads, the mutexes (100..103) and the channel (200, capacity 64).
  void start(int64_t now, int64_t step = 1) {
    now_ = now;
    step_ = step;
    for (uint64_t t = 1; t <= kMixThreads; ++t)
      emit(t, EventKind::kThreadStart, t, 0, 0, t <= 6 ? 1 : 2 + (t == 8));
    for (uint64_t m = 100; m < 104; ++m)
      emit(1, EventKind::kResourceCreate, m, 0, static_cast<uint8_t>(ResourceKind::kMutex), 8);
    emit(7, EventKind::kResourceCreate, 200, 64, static_cast<uint8_t>(ResourceKind::kChannel), 7);
    emit(7, EventKind::kEndpointOpen, 1, 200, 0);
    emit(8, EventKind::kEndpointOpen, 2, 200, 1);
  }

  // One round at `now`, `step` ns between events; returns the events emitted.
  uint64_t round(int64_t now, int64_t step) {
    now_ = now;
    step_ = step;
    const uint64_t before = emitted_;
    ++round_;
    for (uint64_t t = 1; t <= 6; ++t) {
      if (live_tasks_.size() < 64 || rng_() % 8 == 0) {
        emit(t, EventKind::kTaskSpawn, next_task_, 4, 0, 5);
        live_tasks_.push_back(next_task_++);
      }
      const size_t pick = rng_() % live_tasks_.size();
      const uint64_t task = live_tasks_[pick];
      emit(t, EventKind::kPollBegin, task);
      emit(t, EventKind::kSpanEnter, 6, 0, 0, 5);
      const uint64_t m = 100 + rng_() % 4;
      if (rng_() % 16 == 0) {
        emit(t, EventKind::kWaitBegin, m, 0, static_cast<uint8_t>(WaitOp::kLock));
        emit(t, EventKind::kWaitEnd, m, 0, static_cast<uint8_t>(WaitOutcome::kAcquired));
      }
      emit(t, EventKind::kAcquired, m);
      emit(t, EventKind::kReleased, m);
      emit(t, EventKind::kSpanExit, 6);
      if (rng_() % 4 == 0) {
        emit(t, EventKind::kPollEnd, task, 0, 0);
        emit(t, EventKind::kTaskEnd, task);
        live_tasks_[pick] = live_tasks_.back();
        live_tasks_.pop_back();
      } else {
        emit(t, EventKind::kWakerClone, task, 200);
        emit(t, EventKind::kPollEnd, task, 0, 1);
        emit(t == 6 ? 1 : t + 1, EventKind::kWake, task);
        emit(t == 6 ? 1 : t + 1, EventKind::kWakerDrop, task);
      }
    }
    for (int i = 0; i < 3; ++i) {
      if (depth_ == 64) {
        emit(7, EventKind::kWaitBegin, 200, 0, static_cast<uint8_t>(WaitOp::kSend));
        emit(8, EventKind::kChannelRecv, 200, --depth_);
        emit(7, EventKind::kWaitEnd, 200, 0, static_cast<uint8_t>(WaitOutcome::kAcquired));
      }
      emit(7, EventKind::kChannelSend, 200, ++depth_);
      if (rng_() % 3 != 0 && depth_ > 0) emit(8, EventKind::kChannelRecv, 200, --depth_);
    }
    if (round_ % 64 == 0) emit(8, EventKind::kCounter, 9, depth_);
    return emitted_ - before;
  }

  int64_t now() const { return now_; }

 private:
  void emit(uint64_t thread, EventKind kind, uint64_t a, uint64_t b = 0, uint8_t op = 0,
            uint32_t str = 0) {
    Event e;
    e.ts_ns = now_;
    e.thread = thread;
    e.kind = kind;
    e.op = op;
    e.str = str;
    e.a = a;
    e.b = b;
    pending_[thread].push_back(e);
    now_ += step_;
    ++emitted_;
  }

  std::vector<std::vector<Event>>& pending_;
  std::mt19937_64 rng_{42};
  int64_t now_ = 0, step_ = 1;
  uint64_t emitted_ = 0, round_ = 0, depth_ = 0, next_task_ = 1000;
  std::vector<uint64_t> live_tasks_;
};

}  // namespace taskscope::bench
