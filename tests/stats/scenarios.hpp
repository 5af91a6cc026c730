// The synthetic traces the stats tests compute by hand (timelines in scenarios.cpp).
#pragma once

#include "synthetic_trace.hpp"

namespace taskscope::stats_test {

// Threads main (1) and worker (2); mutex cache_lock (100), channel results (200,
// capacity 4). worker waits 250 ns for cache_lock and 500 ns on an empty channel.
SyntheticTrace lock_and_channel_trace();

// Thread main (2) spawns tasks fetch (10) and fetch (11), polled on worker-1 (1).
// Task 10 waits 200 ns for state_lock (300) inside span parse; task 11 wakes it.
// Channel `jobs "q"` (400) has a name that needs escaping in JSON.
SyntheticTrace async_tasks_trace();

// Task sender (20) on thread worker (1) begins an async send on full channel
// results (7) at 150 in its first poll (100..200), is woken at 500 and completes
// the send at 610 in its second poll (600..700).
SyntheticTrace async_wait_trace();

// `holds` acquisitions of mutex cache_lock held ~hold_ns each (deterministic
// jitter from `seed`), and as many of index_lock held ~1 us, on two threads.
SyntheticTrace two_locks_trace(int holds, int64_t hold_ns, uint64_t seed);

}  // namespace taskscope::stats_test
