// What the runtime records: the events the analyzer relies on, read back from
// real traces (see docs/event-model.md, "Event kinds", and taskscope/format/event.hpp).
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <chrono>

#include "recorded_run.hpp"
#include "taskscope/rt/runtime.hpp"

namespace rt = taskscope::rt;
using taskscope::format::EventKind;
using taskscope::format::PollResult;
using taskscope::format::ResourceKind;
using taskscope::format::WaitOp;
using taskscope::format::WaitOutcome;
using taskscope::rt::test::RecordedEvent;
using taskscope::rt::test::RecordedRun;
using namespace std::chrono_literals;

namespace {

rt::Task<> send_two(rt::Sender<int> tx) {
  co_await tx.send(1);
  co_await tx.send(2);  // the channel holds one item: waits for the parent's recv
}

rt::Task<> parent() {
  auto [tx, rx] = rt::make_channel<int>(1, "results");
  auto child = rt::spawn("child", send_two, std::move(tx));
  co_await rt::yield_now();  // one worker: the child runs now and blocks on its 2nd send
  while (auto item = co_await rx.recv()) {
  }
  co_await child.join();
  auto sleeper = rt::spawn("sleeper", []() -> rt::Task<> { co_await rt::sleep_for(5ms); });
  co_await sleeper.join();  // the sleeper is still sleeping: a recorded join
}

RecordedRun record_parent() {
  return taskscope::rt::test::record([] {
    rt::Executor executor(1);
    executor.block_on("parent", parent());
  });
}

bool is(const RecordedEvent& e, EventKind kind) { return e.event.kind == kind; }

}  // namespace

TEST_CASE("spawn records the spawning agent, the name and the call site", "[instrumentation]") {
  const RecordedRun run = record_parent();
  const uint64_t parent_id = run.task("parent");
  const uint64_t child_id = run.task("child");
  REQUIRE(parent_id != 0);
  REQUIRE(child_id != 0);
  for (const auto& spawn : run.of_kind(EventKind::kTaskSpawn)) {
    if (spawn.event.a == child_id) {
      CHECK(spawn.actor == parent_id);
      CHECK_THAT(run.text(spawn.event.str), Catch::Contains("instrumentation_test.cpp"));
    }
    if (spawn.event.a == parent_id) CHECK(spawn.actor == spawn.event.thread);  // main thread
  }
  CHECK(run.find([&](const RecordedEvent& e) {
    return is(e, EventKind::kTaskEnd) && e.event.a == child_id;
  }) >= 0);
}

TEST_CASE("a send on a full channel is a wait of the task, open while it is pending",
          "[instrumentation]") {
  const RecordedRun run = record_parent();
  const uint64_t parent_id = run.task("parent");
  const uint64_t child_id = run.task("child");
  const auto created = run.of_kind(EventKind::kResourceCreate);
  REQUIRE(created.size() >= 1);
  uint64_t channel = 0;
  for (const auto& e : created)
    if (run.text(e.event.str) == "results") {
      channel = e.event.a;
      CHECK(e.event.op == static_cast<uint8_t>(ResourceKind::kChannel));
      CHECK(e.event.b == 1);  // capacity
    }
  REQUIRE(channel != 0);

  const long wait = run.find([&](const RecordedEvent& e) {
    return is(e, EventKind::kWaitBegin) && e.event.a == channel &&
           e.event.op == static_cast<uint8_t>(WaitOp::kSend);
  });
  REQUIRE(wait >= 0);
  CHECK(run.events[static_cast<size_t>(wait)].actor == child_id);
  const long registered = run.find(
      [&](const RecordedEvent& e) {
        return is(e, EventKind::kWakerClone) && e.event.a == child_id && e.event.b == channel;
      },
      wait);
  const long pending = run.find(
      [&](const RecordedEvent& e) { return is(e, EventKind::kPollEnd) && e.event.a == child_id; },
      wait);
  REQUIRE(registered > wait);
  REQUIRE(pending > registered);
  CHECK(run.events[static_cast<size_t>(pending)].event.op ==
        static_cast<uint8_t>(PollResult::kPending));
  // The parent's recv wakes the child, which then ends its wait with room.
  const long woken = run.find(
      [&](const RecordedEvent& e) { return is(e, EventKind::kWake) && e.event.a == child_id; },
      pending);
  REQUIRE(woken > pending);
  CHECK(run.events[static_cast<size_t>(woken)].actor == parent_id);
  const long ended = run.find(
      [&](const RecordedEvent& e) { return is(e, EventKind::kWaitEnd) && e.event.a == channel; },
      woken);
  REQUIRE(ended > woken);
  CHECK(run.events[static_cast<size_t>(ended)].actor == child_id);
  CHECK(run.events[static_cast<size_t>(ended)].event.op ==
        static_cast<uint8_t>(WaitOutcome::kAcquired));
  // Depths after each operation: 1 (send), 0 (recv), 1 (send), 0 (recv).
  std::vector<uint64_t> depths;
  for (const auto& e : run.events)
    if ((is(e, EventKind::kChannelSend) || is(e, EventKind::kChannelRecv)) && e.event.a == channel)
      depths.push_back(e.event.b);
  CHECK(depths == std::vector<uint64_t>{1, 0, 1, 0});
}

TEST_CASE("an endpoint passed to spawn is handed to the new task, then used by it",
          "[instrumentation]") {
  const RecordedRun run = record_parent();
  const uint64_t parent_id = run.task("parent");
  const uint64_t child_id = run.task("child");
  const auto handed = run.of_kind(EventKind::kEndpointHand);
  REQUIRE(handed.size() == 1);
  CHECK(handed[0].event.b == child_id);
  CHECK(handed[0].actor == parent_id);
  CHECK(run.find([&](const RecordedEvent& e) {
    return is(e, EventKind::kEndpointUse) && e.event.a == handed[0].event.a && e.actor == child_id;
  }) >= 0);
}

TEST_CASE("joins and sleeps are recorded waits", "[instrumentation]") {
  const RecordedRun run = record_parent();
  const uint64_t parent_id = run.task("parent");
  const uint64_t sleeper_id = run.task("sleeper");
  const long join = run.find([&](const RecordedEvent& e) {
    return is(e, EventKind::kWaitBegin) && e.event.op == static_cast<uint8_t>(WaitOp::kJoin) &&
           e.event.a == sleeper_id;
  });
  REQUIRE(join >= 0);
  CHECK(run.events[static_cast<size_t>(join)].actor == parent_id);
  CHECK(run.find(
            [&](const RecordedEvent& e) {
              return is(e, EventKind::kWaitEnd) && e.event.a == sleeper_id &&
                     e.event.op == static_cast<uint8_t>(WaitOutcome::kCompleted);
            },
            join) > join);
  const long sleep = run.find([&](const RecordedEvent& e) {
    return is(e, EventKind::kWaitBegin) && e.event.op == static_cast<uint8_t>(WaitOp::kSleep);
  });
  REQUIRE(sleep >= 0);
  const auto& sleep_event = run.events[static_cast<size_t>(sleep)];
  CHECK(sleep_event.actor == sleeper_id);
  CHECK((sleep_event.event.flags & taskscope::format::kFlagTimed) != 0);
  CHECK(sleep_event.event.b == 5'000'000);
}

TEST_CASE("a contended async mutex records the wait, then the acquisition", "[instrumentation]") {
  const RecordedRun run = taskscope::rt::test::record([] {
    rt::Executor executor(1);
    rt::Mutex mutex("accounts");
    // Both are spawned from a task, so both are queued before either runs.
    executor.block_on("both", [](rt::Mutex* mutex) -> rt::Task<> {
      auto holder = rt::spawn(
          "holder",
          [](rt::Mutex* m) -> rt::Task<> {
            auto guard = co_await m->lock();
            co_await rt::yield_now();  // the waiter runs and finds it locked
          },
          mutex);
      auto waiter = rt::spawn(
          "waiter", [](rt::Mutex* m) -> rt::Task<> { auto guard = co_await m->lock(); }, mutex);
      co_await holder.join();
      co_await waiter.join();
    }(&mutex));
  });
  const uint64_t holder_id = run.task("holder");
  const uint64_t waiter_id = run.task("waiter");
  auto at = [&](EventKind kind, uint64_t actor, long from = 0) {
    return run.find([&](const RecordedEvent& e) { return is(e, kind) && e.actor == actor; }, from);
  };
  const long held = at(EventKind::kAcquired, holder_id);
  const long wait = at(EventKind::kWaitBegin, waiter_id);
  const long released = at(EventKind::kReleased, holder_id);
  const long wait_end = at(EventKind::kWaitEnd, waiter_id);
  const long acquired = at(EventKind::kAcquired, waiter_id);
  REQUIRE(held >= 0);
  REQUIRE(wait > held);
  CHECK(run.events[static_cast<size_t>(wait)].event.op == static_cast<uint8_t>(WaitOp::kLock));
  REQUIRE(released > wait);
  REQUIRE(wait_end > released);
  REQUIRE(acquired > wait_end);
}

TEST_CASE("a read with no data is an I/O wait on the fd", "[instrumentation]") {
  int sockets[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sockets) == 0);
  const RecordedRun run = taskscope::rt::test::record([&] {
    rt::Executor executor(1);
    auto reader = executor.spawn(
        "reader",
        [](int fd) -> rt::Task<> {
          rt::AsyncFd in(fd, "upstream");
          std::array<char, 8> buffer{};
          co_await in.read_some(buffer.data(), buffer.size());
        },
        sockets[0]);
    executor
        .spawn(
            "writer",
            [](int fd) -> rt::Task<> {
              [[maybe_unused]] ssize_t n = ::write(fd, "x", 1);
              co_return;
            },
            sockets[1])
        .wait();
    reader.wait();
  });
  ::close(sockets[0]);
  ::close(sockets[1]);
  const uint64_t reader_id = run.task("reader");
  const long wait = run.find([&](const RecordedEvent& e) {
    return is(e, EventKind::kWaitBegin) && e.event.op == static_cast<uint8_t>(WaitOp::kIo);
  });
  REQUIRE(wait >= 0);
  const auto& io = run.events[static_cast<size_t>(wait)];
  CHECK(io.actor == reader_id);
  CHECK(io.event.b == static_cast<uint64_t>(sockets[0]));
  CHECK(io.event.a != 0);  // the AsyncFd's resource
}
