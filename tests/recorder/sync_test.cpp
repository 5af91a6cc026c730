// Events and behaviour of taskscope::mutex, shared_mutex, condition_variable and
// counting_semaphore (recorder/src/primitives/sync.cpp).
#include "taskscope/sync.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "primitives_trace.hpp"

using taskscope::format::EventKind;
using taskscope::format::kFlagTimed;
using taskscope::format::kFlagTry;
using taskscope::primitives_test::describe;
using taskscope::primitives_test::ev;
using Strings = std::vector<std::string>;

namespace {

constexpr auto kExclusive = taskscope::LockMode::kExclusive;
constexpr auto kShared = taskscope::LockMode::kShared;

// A thread that runs `body` after recording its agent id and kernel tid, so the
// test can attribute events to it and wait until it blocks.
class Contender {
 public:
  template <class Body>
  explicit Contender(Body body)
      : thread_([this, body = std::move(body)]() mutable {
          agent_ = taskscope::current_agent();
          tid_ = taskscope::primitives_test::current_tid();
          taskscope::mark("contender ready");  // creates this thread's ring up front
          ready_.store(true);
          body();
        }) {}
  ~Contender() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  // Returns once the contender has announced itself and is asleep in a wait.
  void wait_until_blocked() {
    while (!ready_.load()) std::this_thread::yield();
    taskscope::primitives_test::wait_until_sleeping(tid_);
  }
  uint64_t agent() const { return agent_; }

 private:
  uint64_t agent_ = 0;
  pid_t tid_ = 0;
  std::atomic<bool> ready_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("mutex: creation names the resource and an uncontended lock is one event", "[sync]") {
  uint64_t id = 0, me = 0;
  const auto rec = taskscope::primitives_test::record([&] {
    me = taskscope::current_agent();
    taskscope::mutex m("table lock");
    id = m.resource_id();
    std::lock_guard<taskscope::mutex> guard(m);
  });
  REQUIRE(id != 0);
  const auto events = rec.about({id});
  CHECK(describe(events) ==
        Strings{ev(EventKind::kResourceCreate, taskscope::ResourceKind::kMutex, id, 0),
                ev(EventKind::kAcquired, kExclusive, id, 0),
                ev(EventKind::kReleased, kExclusive, id, 0), ev(EventKind::kResourceDestroy, id)});
  CHECK(rec.text(events.front().str) == "table lock");
  CHECK(events[1].thread == me);
}

TEST_CASE("mutex: a contended lock is wait begin, wait end, then acquired", "[sync]") {
  uint64_t id = 0, holder = 0, waiter = 0;
  const auto rec = taskscope::primitives_test::record([&] {
    taskscope::mutex m("contended");
    id = m.resource_id();
    holder = taskscope::current_agent();
    m.lock();
    Contender contender([&] { std::lock_guard<taskscope::mutex> guard(m); });
    contender.wait_until_blocked();
    m.unlock();
    contender.join();
    waiter = contender.agent();
  });
  CHECK(describe(rec.about({id}, waiter)) ==
        Strings{ev(EventKind::kWaitBegin, taskscope::WaitOp::kLock, id, 0),
                ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kAcquired, id, 0),
                ev(EventKind::kAcquired, kExclusive, id, 0),
                ev(EventKind::kReleased, kExclusive, id, 0)});
  // In time order the holder releases before the waiter's wait ends.
  const auto all = rec.about({id});
  const auto position = [&](uint64_t thread, EventKind kind) {
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].thread == thread && all[i].kind == kind) return i;
    }
    return all.size();
  };
  CHECK(position(holder, EventKind::kAcquired) < position(waiter, EventKind::kWaitEnd));
  CHECK(position(holder, EventKind::kReleased) < position(waiter, EventKind::kWaitEnd));
  // The contended path names its call site by return address.
  for (const auto& e : rec.about({id}, waiter)) {
    if (e.kind == EventKind::kWaitBegin) CHECK(rec.text(e.str).rfind("pc:0x", 0) == 0);
  }
}

TEST_CASE("mutex: try_lock records only successes, flagged as tries", "[sync]") {
  uint64_t id = 0;
  const auto rec = taskscope::primitives_test::record([&] {
    taskscope::mutex m;
    id = m.resource_id();
    REQUIRE(m.try_lock());
    bool failed_try = true;
    std::thread other([&] { failed_try = !m.try_lock(); });
    other.join();
    CHECK(failed_try);
    m.unlock();
  });
  CHECK(describe(rec.about({id})) ==
        Strings{ev(EventKind::kResourceCreate, taskscope::ResourceKind::kMutex, id, 0),
                ev(EventKind::kAcquired, kExclusive, id, 0, kFlagTry),
                ev(EventKind::kReleased, kExclusive, id, 0), ev(EventKind::kResourceDestroy, id)});
}

TEST_CASE("mutex: works with std::scoped_lock and std::unique_lock", "[sync]") {
  taskscope::mutex a("a"), b("b");
  int shared = 0;
  std::thread t1([&] {
    for (int i = 0; i < 1000; ++i) {
      std::scoped_lock lock(a, b);
      ++shared;
    }
  });
  for (int i = 0; i < 1000; ++i) {
    std::scoped_lock lock(b, a);
    ++shared;
  }
  t1.join();
  std::unique_lock<taskscope::mutex> lock(a, std::try_to_lock);
  CHECK(lock.owns_lock());
  CHECK(shared == 2000);
}

TEST_CASE("shared_mutex: shared and exclusive modes, read waits use kReadLock", "[sync]") {
  uint64_t id = 0, reader = 0, me = 0;
  const auto rec = taskscope::primitives_test::record([&] {
    me = taskscope::current_agent();
    taskscope::shared_mutex rw("config");
    id = rw.resource_id();
    { std::shared_lock<taskscope::shared_mutex> shared(rw); }
    REQUIRE(rw.try_lock_shared());
    rw.unlock_shared();
    rw.lock();
    Contender contender([&] { std::shared_lock<taskscope::shared_mutex> shared(rw); });
    contender.wait_until_blocked();
    rw.unlock();
    contender.join();
    reader = contender.agent();
  });
  const auto main_events = rec.about({id}, me);
  CHECK(describe(main_events) ==
        Strings{ev(EventKind::kResourceCreate, taskscope::ResourceKind::kRwLock, id, 0),
                ev(EventKind::kAcquired, kShared, id, 0), ev(EventKind::kReleased, kShared, id, 0),
                ev(EventKind::kAcquired, kShared, id, 0, kFlagTry),
                ev(EventKind::kReleased, kShared, id, 0),
                ev(EventKind::kAcquired, kExclusive, id, 0),
                ev(EventKind::kReleased, kExclusive, id, 0), ev(EventKind::kResourceDestroy, id)});
  CHECK(rec.text(main_events.front().str) == "config");
  CHECK(describe(rec.about({id}, reader)) ==
        Strings{ev(EventKind::kWaitBegin, taskscope::WaitOp::kReadLock, id, 0),
                ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kAcquired, id, 0),
                ev(EventKind::kAcquired, kShared, id, 0),
                ev(EventKind::kReleased, kShared, id, 0)});
}

TEST_CASE("condition_variable: wait, notify, re-acquire", "[sync]") {
  uint64_t m_id = 0, cv_id = 0, waiter = 0;
  const auto rec = taskscope::primitives_test::record([&] {
    taskscope::mutex m("state");
    taskscope::condition_variable cv("changed");
    m_id = m.resource_id();
    cv_id = cv.resource_id();
    bool ready = false;
    std::atomic<bool> waiting{false};
    std::thread consumer([&] {
      waiter = taskscope::current_agent();
      std::unique_lock<taskscope::mutex> lock(m);
      waiting.store(true);
      cv.wait(lock, [&] { return ready; });
    });
    while (!waiting.load()) std::this_thread::yield();
    {
      // Obtainable only once the consumer gave the mutex up inside wait().
      std::lock_guard<taskscope::mutex> guard(m);
      ready = true;
    }
    cv.notify_one();
    consumer.join();
  });
  CHECK(describe(rec.about({m_id, cv_id}, waiter)) ==
        Strings{ev(EventKind::kAcquired, kExclusive, m_id, 0),
                ev(EventKind::kReleased, kExclusive, m_id, 0),
                ev(EventKind::kWaitBegin, taskscope::WaitOp::kCondWait, cv_id, m_id),
                ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kNotified, cv_id, 0),
                ev(EventKind::kAcquired, kExclusive, m_id, 0),
                ev(EventKind::kReleased, kExclusive, m_id, 0)});
  const auto notifies = rec.of_kind(EventKind::kNotify);
  REQUIRE(notifies.size() == 1);
  CHECK(describe(notifies[0]) == ev(EventKind::kNotify, taskscope::NotifyKind::kOne, cv_id, 1));
  const auto creates = rec.about({cv_id});
  REQUIRE_FALSE(creates.empty());
  CHECK(describe(creates[0]) ==
        ev(EventKind::kResourceCreate, taskscope::ResourceKind::kCondvar, cv_id, 0));
  CHECK(rec.text(creates[0].str) == "changed");
  for (const auto& e : rec.about({cv_id}, waiter)) {
    if (e.kind == EventKind::kWaitBegin)
      CHECK(rec.text(e.str).find("sync_test.cpp") != std::string::npos);
  }
}

TEST_CASE("condition_variable: notify without waiters and a timed-out wait", "[sync]") {
  uint64_t m_id = 0, cv_id = 0;
  bool result = true;
  const auto rec = taskscope::primitives_test::record([&] {
    taskscope::mutex m;
    taskscope::condition_variable cv;
    m_id = m.resource_id();
    cv_id = cv.resource_id();
    cv.notify_all();
    std::unique_lock<taskscope::mutex> lock(m);
    result = cv.wait_for(lock, std::chrono::milliseconds(1), [] { return false; });
    CHECK(lock.owns_lock());
  });
  CHECK_FALSE(result);
  const auto events = rec.about({m_id, cv_id});
  REQUIRE(events.size() >= 8);
  // notify_all with nobody waiting, then at least one timed wait ending in a time-out.
  CHECK(describe(events[2]) == ev(EventKind::kNotify, taskscope::NotifyKind::kAll, cv_id, 0));
  CHECK(describe(events[3]) == ev(EventKind::kAcquired, kExclusive, m_id, 0));
  CHECK(describe(events[4]) == ev(EventKind::kReleased, kExclusive, m_id, 0));
  CHECK(describe(events[5]) ==
        ev(EventKind::kWaitBegin, taskscope::WaitOp::kCondWait, cv_id, m_id, kFlagTimed));
  const auto last_wait_end = std::find_if(
      events.rbegin(), events.rend(), [](const auto& e) { return e.kind == EventKind::kWaitEnd; });
  REQUIRE(last_wait_end != events.rend());
  CHECK(describe(*last_wait_end) ==
        ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kTimedOut, cv_id, 0));
  CHECK(describe(*std::prev(last_wait_end)) == ev(EventKind::kAcquired, kExclusive, m_id, 0));
}

TEST_CASE("condition_variable: notify_all wakes every waiter", "[sync]") {
  constexpr int kWaiters = 4;
  // Owned by the waiters too: a waiter that is never woken is left behind
  // (detached) rather than hanging the test, and still has what it waits on.
  struct Shared {
    taskscope::mutex m;
    taskscope::condition_variable cv;
    int waiting = 0;  // waiters that have entered wait(), counted under m
    int released = 0;
    bool go = false;
  };
  const auto shared = std::make_shared<Shared>();
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([shared] {
      std::unique_lock<taskscope::mutex> lock(shared->m);
      ++shared->waiting;
      shared->cv.wait(lock, [&] { return shared->go; });
      ++shared->released;
    });
  }
  // Polls `done` under the mutex for a few seconds at most: the bound only
  // decides how soon a waiter that is never woken fails the test.
  const auto eventually = [&](auto done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      {
        std::lock_guard<taskscope::mutex> guard(shared->m);
        if (done()) return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  // A waiter counts itself with the mutex held and gives the mutex up only
  // inside wait(), so once this thread holds the mutex and sees every waiter
  // counted, all of them are waiting: the notify below must wake each one.
  const bool all_waiting = eventually([&] { return shared->waiting == kWaiters; });
  {
    std::lock_guard<taskscope::mutex> guard(shared->m);
    shared->go = true;
  }
  shared->cv.notify_all();
  int woken = 0;
  const bool all_woken = eventually([&] {
    woken = shared->released;
    return woken == kWaiters;
  });
  bool all_gone = all_woken;
  if (!all_woken) {
    // Failed already; wake the ones left behind one by one so they can be joined.
    for (int i = 0; i < kWaiters; ++i) shared->cv.notify_one();
    all_gone = eventually([&] { return shared->released == kWaiters; });
  }
  for (auto& t : waiters) {
    if (all_gone) {
      t.join();
    } else {
      t.detach();
    }
  }
  CHECK(all_waiting);
  INFO("waiters woken by notify_all within 5 s: " << woken << " of " << kWaiters);
  CHECK(all_woken);
}

TEST_CASE("counting_semaphore: fast path, post, try and contended acquire", "[sync]") {
  uint64_t id = 0, waiter = 0;
  bool try_on_empty = true;
  const auto rec = taskscope::primitives_test::record([&] {
    taskscope::counting_semaphore sem(1, "slots");
    id = sem.resource_id();
    sem.acquire();
    try_on_empty = sem.try_acquire();
    Contender contender([&] { sem.acquire(); });
    contender.wait_until_blocked();
    sem.release();
    contender.join();
    waiter = contender.agent();
    sem.release(2);
    CHECK(sem.try_acquire());
  });
  CHECK_FALSE(try_on_empty);
  const auto creates = rec.about({id});
  REQUIRE_FALSE(creates.empty());
  CHECK(rec.text(creates[0].str) == "slots");
  Strings order;
  for (const auto& e : rec.about({id}))
    order.push_back((e.thread == waiter ? "waiter " : "main ") + describe(e));
  CHECK(
      order ==
      Strings{"main " + ev(EventKind::kResourceCreate, taskscope::ResourceKind::kSemaphore, id, 1),
              "main " + ev(EventKind::kAcquired, kExclusive, id, 1),
              "waiter " + ev(EventKind::kWaitBegin, taskscope::WaitOp::kAcquire, id, 1),
              "main " + ev(EventKind::kSemPost, id, 1),
              "waiter " + ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kAcquired, id, 0),
              "waiter " + ev(EventKind::kAcquired, kExclusive, id, 1),
              "main " + ev(EventKind::kSemPost, id, 2),
              "main " + ev(EventKind::kAcquired, kExclusive, id, 1, kFlagTry),
              "main " + ev(EventKind::kResourceDestroy, id)});
}

TEST_CASE("counting_semaphore: a timed acquire that times out", "[sync]") {
  uint64_t id = 0;
  bool got = true;
  const auto rec = taskscope::primitives_test::record([&] {
    taskscope::counting_semaphore sem(0);
    id = sem.resource_id();
    got = sem.try_acquire_for(std::chrono::milliseconds(1));
  });
  CHECK_FALSE(got);
  CHECK(describe(rec.about({id})) ==
        Strings{ev(EventKind::kResourceCreate, taskscope::ResourceKind::kSemaphore, id, 0),
                ev(EventKind::kWaitBegin, taskscope::WaitOp::kAcquire, id, 1, kFlagTimed),
                ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kTimedOut, id, 0),
                ev(EventKind::kResourceDestroy, id)});
}

TEST_CASE("primitives behave as plain primitives with recording off", "[sync]") {
  REQUIRE_FALSE(taskscope::recording());
  taskscope::mutex m;
  taskscope::condition_variable cv;
  taskscope::counting_semaphore sem(0);
  int produced = 0;
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      {
        std::lock_guard<taskscope::mutex> guard(m);
        ++produced;
      }
      cv.notify_one();
      sem.release();
    }
  });
  for (int i = 0; i < 100; ++i) sem.acquire();
  {
    std::unique_lock<taskscope::mutex> lock(m);
    cv.wait(lock, [&] { return produced == 100; });
  }
  producer.join();
  CHECK(produced == 100);
  CHECK_FALSE(sem.try_acquire());
}
