// Events and behaviour of taskscope::thread (recorder/src/primitives/thread.cpp).
#include "taskscope/thread.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "primitives_trace.hpp"
#include "taskscope/channel.hpp"

using taskscope::format::Event;
using taskscope::format::EventKind;
using taskscope::primitives_test::describe;
using taskscope::primitives_test::ev;
using Strings = std::vector<std::string>;

namespace {

// The kThreadStart events of `agent` (normally exactly one).
std::vector<Event> starts_of(const taskscope::primitives_test::Recording& rec, uint64_t agent) {
  std::vector<Event> out;
  for (const Event& e : rec.of_kind(EventKind::kThreadStart)) {
    if (e.a == agent) out.push_back(e);
  }
  return out;
}

// Join waits recorded by `thread`: the kWaitBegin(kJoin) events and the
// kWaitEnd that follows each of them on that thread.
Strings joins_by(const taskscope::primitives_test::Recording& rec, uint64_t thread) {
  Strings out;
  bool in_join = false;
  for (const Event& e : rec.events) {
    if (e.thread != thread) continue;
    if (e.kind == EventKind::kWaitBegin && e.op == static_cast<uint8_t>(taskscope::WaitOp::kJoin)) {
      out.push_back(describe(e));
      in_join = true;
    } else if (e.kind == EventKind::kWaitEnd && in_join) {
      out.push_back(describe(e));
      in_join = false;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("thread: start names the thread and its spawner, join is a recorded wait", "[thread]") {
  uint64_t me = 0, child = 0;
  std::atomic<uint64_t> inside{0};
  const auto rec = taskscope::primitives_test::record([&] {
    me = taskscope::current_agent();
    taskscope::thread t("worker-1", [&inside] { inside = taskscope::current_agent(); });
    child = t.agent_id();
    CHECK(t.joinable());
    t.join();
    CHECK_FALSE(t.joinable());
  });
  REQUIRE(child != 0);
  CHECK(inside == child);
  CHECK(child != me);
  const auto starts = starts_of(rec, child);
  REQUIRE(starts.size() == 1);
  CHECK(starts[0].thread == child);
  CHECK(starts[0].b == me);
  CHECK(rec.text(starts[0].str) == "worker-1");
  CHECK(joins_by(rec, me) ==
        Strings{ev(EventKind::kWaitBegin, taskscope::WaitOp::kJoin, child, 0),
                ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kCompleted, child, 0)});
  for (const Event& e : rec.events) {
    if (e.thread == me && e.kind == EventKind::kWaitBegin)
      CHECK(rec.text(e.str).find("thread_test.cpp") != std::string::npos);
  }
}

TEST_CASE("thread: its creator records the creation first, at the constructor's line",
          "[thread]") {
  uint64_t me = 0, child = 0;
  int line = 0;
  const auto rec = taskscope::primitives_test::record([&] {
    me = taskscope::current_agent();
    line = __LINE__ + 1;
    taskscope::thread t("worker-1", [] {});
    child = t.agent_id();
    t.join();
  });
  size_t created_at = rec.events.size(), started_at = rec.events.size();
  for (size_t i = 0; i < rec.events.size(); ++i) {
    const Event& e = rec.events[i];
    if (e.kind == EventKind::kThreadCreate && e.a == child) {
      CHECK(created_at == rec.events.size());  // once
      created_at = i;
      CHECK(e.thread == me);
      CHECK(rec.text(e.str).find("thread_test.cpp:" + std::to_string(line)) != std::string::npos);
    }
    if (e.kind == EventKind::kThreadStart && e.a == child) started_at = i;
  }
  REQUIRE(created_at < rec.events.size());
  REQUIRE(started_at < rec.events.size());
  CHECK(created_at < started_at);
}

TEST_CASE("thread: a thread spawned by a thread names its spawner as parent", "[thread]") {
  uint64_t outer_agent = 0;
  std::atomic<uint64_t> inner_agent{0};
  const auto rec = taskscope::primitives_test::record([&] {
    taskscope::thread outer("outer", [&inner_agent] {
      taskscope::thread inner("inner", [] {});
      inner_agent = inner.agent_id();
      inner.join();
    });
    outer_agent = outer.agent_id();
    outer.join();
  });
  const auto starts = starts_of(rec, inner_agent);
  REQUIRE(starts.size() == 1);
  CHECK(starts[0].b == outer_agent);
  CHECK(rec.text(starts[0].str) == "inner");
  CHECK(
      joins_by(rec, outer_agent) ==
      Strings{ev(EventKind::kWaitBegin, taskscope::WaitOp::kJoin, inner_agent.load(), 0),
              ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kCompleted, inner_agent.load(), 0)});
}

TEST_CASE("thread: endpoints among the arguments are handed to the new thread", "[thread]") {
  uint64_t me = 0, ch = 0, tx_ep = 0, rx_ep = 0, producer = 0, consumer = 0;
  std::optional<int> got;
  const auto rec = taskscope::primitives_test::record([&] {
    me = taskscope::current_agent();
    auto [tx, rx] = taskscope::make_channel<int>(0, "results");
    ch = tx.channel_id();
    tx_ep = tx.endpoint_id();
    rx_ep = rx.endpoint_id();
    // Passed by copy: the spawner opens the copy and hands that one over.
    taskscope::thread p(
        "producer", [](taskscope::Sender<int> out) { out.send(42); }, tx);
    // Passed by move: the original endpoint changes hands.
    taskscope::thread c(
        "consumer", [&got](taskscope::Receiver<int> in) { got = in.recv(); }, std::move(rx));
    producer = p.agent_id();
    consumer = c.agent_id();
    p.join();
    c.join();
  });
  CHECK(got == 42);
  // The copy is the one sender endpoint opened after the channel's first two.
  uint64_t copy_ep = 0;
  for (const Event& e : rec.of_kind(EventKind::kEndpointOpen)) {
    if (e.b == ch && e.a != tx_ep && e.a != rx_ep) copy_ep = e.a;
  }
  REQUIRE(copy_ep != 0);
  const auto sender = static_cast<uint8_t>(taskscope::EndpointSide::kSender);
  const auto receiver = static_cast<uint8_t>(taskscope::EndpointSide::kReceiver);
  Strings by_spawner = describe(rec.select({}, {copy_ep, rx_ep}, me));
  CHECK(by_spawner == Strings{ev(EventKind::kEndpointOpen, receiver, rx_ep, ch),
                              ev(EventKind::kEndpointOpen, sender, copy_ep, ch),
                              ev(EventKind::kEndpointHand, copy_ep, producer),
                              ev(EventKind::kEndpointHand, rx_ep, consumer)});
  CHECK(describe(rec.select({}, {copy_ep}, producer)) ==
        Strings{ev(EventKind::kEndpointUse, sender, copy_ep, 0),
                ev(EventKind::kEndpointClose, copy_ep)});
  CHECK(describe(rec.select({}, {rx_ep}, consumer)) ==
        Strings{ev(EventKind::kEndpointUse, receiver, rx_ep, 0),
                ev(EventKind::kEndpointClose, rx_ep)});
  // Nobody handed the spawner's own sender anywhere.
  CHECK(rec.select({}, {tx_ep}).size() == 2);  // open and close, both by the spawner
}

TEST_CASE("thread: arguments are forwarded like std::thread's", "[thread]") {
  int out = 0;
  auto owned = std::make_unique<int>(5);
  taskscope::thread t(
      "adder", [](std::unique_ptr<int> value, int add, int& result) { result = *value + add; },
      std::move(owned), 3, std::ref(out));
  t.join();
  CHECK(out == 8);
  CHECK(owned == nullptr);
}

TEST_CASE("thread: move, swap, detach and a default-constructed thread", "[thread]") {
  taskscope::thread empty;
  CHECK_FALSE(empty.joinable());
  CHECK(empty.agent_id() == 0);

  std::atomic<bool> ran{false};
  taskscope::thread first("first", [&ran] { ran = true; });
  const auto agent = first.agent_id();
  taskscope::thread moved(std::move(first));
  CHECK_FALSE(first.joinable());
  CHECK(first.agent_id() == 0);
  CHECK(moved.agent_id() == agent);
  moved.swap(empty);
  CHECK(empty.agent_id() == agent);
  empty.join();
  CHECK(ran);

  std::atomic<bool> done{false};
  taskscope::thread detached("detached", [&done] { done = true; });
  detached.detach();
  CHECK_FALSE(detached.joinable());
  while (!done.load()) std::this_thread::yield();
}

TEST_CASE("thread: set_thread_name renames the calling thread", "[thread]") {
  uint64_t child = 0;
  const auto rec = taskscope::primitives_test::record([&] {
    taskscope::thread t("before", [] { taskscope::set_thread_name("after"); });
    child = t.agent_id();
    t.join();
  });
  bool renamed = false;
  for (const Event& e : rec.of_kind(EventKind::kAgentName)) {
    if (e.a == child && rec.text(e.str) == "after") renamed = true;
  }
  CHECK(renamed);
}
