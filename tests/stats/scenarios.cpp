// Synthetic traces with timelines simple enough to compute stats by hand.
#include "scenarios.hpp"

namespace taskscope::stats_test {

using format::EventKind;
using format::PollResult;
using format::ResourceKind;
using format::WaitOp;
using format::WaitOutcome;

SyntheticTrace lock_and_channel_trace() {
  SyntheticTrace t;
  const uint64_t kMain = 1, kWorker = 2, kLock = 100, kChannel = 200;
  t.add(0, kMain, EventKind::kThreadStart, 0, kMain, 0, t.intern("main"));
  t.add(0, kWorker, EventKind::kThreadStart, 0, kWorker, kMain, t.intern("worker"));
  t.add_op(10, kMain, EventKind::kResourceCreate, ResourceKind::kMutex, kLock, 0,
           t.intern("cache_lock"));
  t.add_op(10, kMain, EventKind::kResourceCreate, ResourceKind::kChannel, kChannel, 4,
           t.intern("results"));
  t.add(100, kMain, EventKind::kAcquired, 0, kLock);
  t.add_op(150, kWorker, EventKind::kWaitBegin, WaitOp::kLock, kLock);
  t.add(400, kMain, EventKind::kReleased, 0, kLock);
  t.add_op(400, kWorker, EventKind::kWaitEnd, WaitOutcome::kAcquired, kLock);
  t.add(400, kWorker, EventKind::kAcquired, 0, kLock);
  t.add(600, kWorker, EventKind::kReleased, 0, kLock);
  t.add(700, kMain, EventKind::kChannelSend, 0, kChannel, 1);
  t.add(900, kMain, EventKind::kChannelSend, 0, kChannel, 2);
  t.add(1000, kWorker, EventKind::kChannelRecv, 0, kChannel, 1);
  t.add(1300, kWorker, EventKind::kChannelRecv, 0, kChannel, 0);
  t.add_op(1400, kWorker, EventKind::kWaitBegin, WaitOp::kRecv, kChannel);
  t.add(1900, kMain, EventKind::kChannelSend, 0, kChannel, 1);
  t.add_op(1900, kWorker, EventKind::kWaitEnd, WaitOutcome::kAcquired, kChannel);
  t.add(1900, kWorker, EventKind::kChannelRecv, 0, kChannel, 0);
  t.add(2000, kWorker, EventKind::kThreadEnd, 0, kWorker);
  t.add(2000, kMain, EventKind::kThreadEnd, 0, kMain);
  return t;
}

SyntheticTrace async_tasks_trace() {
  SyntheticTrace t;
  const uint64_t kWorker = 1, kMain = 2, kTaskA = 10, kTaskB = 11, kLock = 300, kJobs = 400;
  const uint32_t fetch = t.intern("fetch"), parse = t.intern("parse");
  t.add(0, kMain, EventKind::kThreadStart, 0, kMain, 0, t.intern("main"));
  t.add(0, kWorker, EventKind::kThreadStart, 0, kWorker, kMain, t.intern("worker-1"));
  t.add_op(50, kMain, EventKind::kResourceCreate, ResourceKind::kMutex, kLock, 0,
           t.intern("state_lock"));
  t.add_op(50, kMain, EventKind::kResourceCreate, ResourceKind::kChannel, kJobs, 0,
           t.intern("jobs \"q\"\n\xff"));
  t.add(100, kMain, EventKind::kTaskSpawn, 0, kTaskA, fetch, t.intern("main.cpp:10"));
  t.add(100, kMain, EventKind::kTaskSpawn, 0, kTaskB, fetch, t.intern("main.cpp:11"));
  t.add(150, kMain, EventKind::kChannelSend, 0, kJobs, 1);
  t.add(300, kWorker, EventKind::kPollBegin, 0, kTaskA);
  t.add(350, kWorker, EventKind::kMemory, 0, 0, 1000);
  t.add(400, kWorker, EventKind::kSpanEnter, 0, parse);
  t.add_op(500, kWorker, EventKind::kWaitBegin, WaitOp::kLock, kLock);
  t.add_op(700, kWorker, EventKind::kWaitEnd, WaitOutcome::kAcquired, kLock);
  t.add(700, kWorker, EventKind::kAcquired, 0, kLock);
  t.add(750, kWorker, EventKind::kReleased, 0, kLock);
  t.add(800, kWorker, EventKind::kSpanExit, 0, parse);
  t.add_op(900, kWorker, EventKind::kPollEnd, PollResult::kPending, kTaskA);
  t.add(900, kWorker, EventKind::kPollBegin, 0, kTaskB);
  t.add(950, kWorker, EventKind::kMemory, 0, 0, 500);
  t.add(955, kWorker, EventKind::kChannelRecv, 0, kJobs, 0);
  t.add(960, kWorker, EventKind::kMemory, 0, 0, static_cast<uint64_t>(int64_t{-200}));
  t.add(1000, kWorker, EventKind::kWake, 0, kTaskA);
  t.add_op(1100, kWorker, EventKind::kPollEnd, PollResult::kReady, kTaskB);
  t.add(1100, kWorker, EventKind::kTaskEnd, 0, kTaskB);
  t.add(1500, kWorker, EventKind::kPollBegin, 0, kTaskA);
  t.add(1600, kWorker, EventKind::kMemory, 0, 0, static_cast<uint64_t>(int64_t{-1000}));
  t.add_op(1700, kWorker, EventKind::kPollEnd, PollResult::kReady, kTaskA);
  t.add(1700, kWorker, EventKind::kTaskEnd, 0, kTaskA);
  t.add(2000, kMain, EventKind::kThreadEnd, 0, kMain);
  t.add(2000, kWorker, EventKind::kThreadEnd, 0, kWorker);
  return t;
}

SyntheticTrace async_wait_trace() {
  SyntheticTrace t;
  const uint64_t kWorker = 1, kTask = 20, kChannel = 7;
  t.add(0, kWorker, EventKind::kThreadStart, 0, kWorker, 0, t.intern("worker"));
  t.add_op(0, kWorker, EventKind::kResourceCreate, ResourceKind::kChannel, kChannel, 1,
           t.intern("results"));
  t.add(50, kWorker, EventKind::kTaskSpawn, 0, kTask, t.intern("sender"));
  t.add(100, kWorker, EventKind::kPollBegin, 0, kTask);
  t.add_op(150, kWorker, EventKind::kWaitBegin, WaitOp::kSend, kChannel);
  t.add_op(200, kWorker, EventKind::kPollEnd, PollResult::kPending, kTask);
  t.add(500, kWorker, EventKind::kWake, 0, kTask);
  t.add(600, kWorker, EventKind::kPollBegin, 0, kTask);
  t.add_op(610, kWorker, EventKind::kWaitEnd, WaitOutcome::kAcquired, kChannel);
  t.add(620, kWorker, EventKind::kChannelSend, 0, kChannel, 1);
  t.add_op(700, kWorker, EventKind::kPollEnd, PollResult::kReady, kTask);
  t.add(1000, kWorker, EventKind::kThreadEnd, 0, kWorker);
  return t;
}

SyntheticTrace two_locks_trace(int holds, int64_t hold_ns, uint64_t seed) {
  SyntheticTrace t;
  const uint64_t kA = 1, kB = 2, kCache = 100, kIndex = 101;
  t.add(0, kA, EventKind::kThreadStart, 0, kA, 0, t.intern("fetcher"));
  t.add(0, kB, EventKind::kThreadStart, 0, kB, 0, t.intern("indexer"));
  t.add_op(1, kA, EventKind::kResourceCreate, ResourceKind::kMutex, kCache, 0,
           t.intern("cache_lock"));
  t.add_op(1, kB, EventKind::kResourceCreate, ResourceKind::kMutex, kIndex, 0,
           t.intern("index_lock"));
  uint64_t state = seed * 2654435761u + 1;
  const auto jitter = [&](int64_t scale) {  // uniform in [0, scale / 5)
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int64_t>((state >> 33) % static_cast<uint64_t>(scale / 5 + 1));
  };
  int64_t ta = 10, tb = 10;
  for (int i = 0; i < holds; ++i) {
    t.add(ta, kA, EventKind::kAcquired, 0, kCache);
    ta += hold_ns + jitter(hold_ns);
    t.add(ta, kA, EventKind::kReleased, 0, kCache);
    ta += 500;
    t.add(tb, kB, EventKind::kAcquired, 0, kIndex);
    tb += 1000 + jitter(1000);
    t.add(tb, kB, EventKind::kReleased, 0, kIndex);
    tb += 500;
  }
  t.add(ta, kA, EventKind::kThreadEnd, 0, kA);
  t.add(tb, kB, EventKind::kThreadEnd, 0, kB);
  return t;
}

}  // namespace taskscope::stats_test
