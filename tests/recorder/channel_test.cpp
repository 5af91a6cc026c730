// Events and behaviour of taskscope channels (recorder/src/primitives/channel.cpp).
#include "taskscope/channel.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "primitives_trace.hpp"

using taskscope::EndpointSide;
using taskscope::format::EventKind;
using taskscope::primitives_test::describe;
using taskscope::primitives_test::ev;
using Strings = std::vector<std::string>;

namespace {

// Runs `body` on a new std::thread once it has announced itself, for tests that
// need a peer blocked inside a channel operation.
class Peer {
 public:
  template <class Body>
  explicit Peer(Body body)
      : thread_([this, body = std::move(body)]() mutable {
          agent_ = taskscope::current_agent();
          tid_ = taskscope::primitives_test::current_tid();
          taskscope::mark("peer ready");  // creates this thread's ring up front
          body([this] { ready_.store(true); });
        }) {}
  ~Peer() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  // Returns once the peer called its `announce` and then fell asleep.
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

TEST_CASE("channel: creation, sends and receives with depths, endpoint lifecycle", "[channel]") {
  uint64_t ch = 0, tx_ep = 0, rx_ep = 0;
  const auto rec = taskscope::primitives_test::record([&] {
    auto [tx, rx] = taskscope::make_channel<int>(4, "jobs");
    ch = tx.channel_id();
    tx_ep = tx.endpoint_id();
    rx_ep = rx.endpoint_id();
    CHECK(tx.send(1));
    CHECK(tx.send(2));
    CHECK(rx.recv() == 1);
    CHECK(tx.try_send(3));
    CHECK(rx.try_recv() == 2);
    CHECK(rx.recv() == 3);
  });
  REQUIRE(ch != 0);
  REQUIRE(tx_ep != 0);
  REQUIRE(rx_ep != 0);
  CHECK(tx_ep != rx_ep);
  const auto events = rec.select({ch}, {tx_ep, rx_ep});
  const auto sender = static_cast<uint8_t>(EndpointSide::kSender);
  const auto receiver = static_cast<uint8_t>(EndpointSide::kReceiver);
  // The pair is destroyed receiver first (reverse member order).
  CHECK(describe(events) ==
        Strings{ev(EventKind::kResourceCreate, taskscope::ResourceKind::kChannel, ch, 4),
                ev(EventKind::kEndpointOpen, sender, tx_ep, ch),
                ev(EventKind::kEndpointOpen, receiver, rx_ep, ch),
                ev(EventKind::kEndpointUse, sender, tx_ep, 0), ev(EventKind::kChannelSend, ch, 1),
                ev(EventKind::kChannelSend, ch, 2), ev(EventKind::kEndpointUse, receiver, rx_ep, 0),
                ev(EventKind::kChannelRecv, ch, 1), ev(EventKind::kChannelSend, ch, 2),
                ev(EventKind::kChannelRecv, ch, 1), ev(EventKind::kChannelRecv, ch, 0),
                ev(EventKind::kEndpointClose, rx_ep), ev(EventKind::kEndpointClose, tx_ep),
                ev(EventKind::kResourceDestroy, ch)});
  CHECK(rec.text(events.front().str) == "jobs");
}

TEST_CASE("channel: a send on a full channel waits for room", "[channel]") {
  uint64_t ch = 0, sender_agent = 0;
  bool sent[2] = {false, false};
  const auto rec = taskscope::primitives_test::record([&] {
    auto [tx, rx] = taskscope::make_channel<std::string>(1, "bounded");
    ch = tx.channel_id();
    Peer peer([&sent, tx = std::move(tx)](auto announce) mutable {
      sent[0] = tx.send("first");
      announce();
      sent[1] = tx.send("second");
    });
    peer.wait_until_blocked();
    CHECK(rx.recv() == "first");
    CHECK(rx.recv() == "second");
    peer.join();
    sender_agent = peer.agent();
  });
  CHECK(sent[0]);
  CHECK(sent[1]);
  const auto peer_events = rec.about({ch}, sender_agent);
  CHECK(describe(peer_events) ==
        Strings{ev(EventKind::kChannelSend, ch, 1),
                ev(EventKind::kWaitBegin, taskscope::WaitOp::kSend, ch, 0),
                ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kAcquired, ch, 0),
                ev(EventKind::kChannelSend, ch, 1)});
  REQUIRE(peer_events.size() == 4);
  CHECK(rec.text(peer_events[1].str).find("channel_test.cpp") != std::string::npos);
  CHECK(peer_events[3].str == peer_events[1].str);
}

TEST_CASE("channel: a recv on an empty channel waits for an item", "[channel]") {
  uint64_t ch = 0, receiver_agent = 0;
  std::optional<int> got, early;
  const auto rec = taskscope::primitives_test::record([&] {
    auto [tx, rx] = taskscope::make_channel<int>(0, "unbounded");
    ch = tx.channel_id();
    Peer peer([&got, &early, rx = std::move(rx)](auto announce) mutable {
      early = rx.try_recv();
      announce();
      got = rx.recv();
    });
    peer.wait_until_blocked();
    CHECK(tx.send(7));
    peer.join();
    receiver_agent = peer.agent();
  });
  CHECK_FALSE(early.has_value());
  CHECK(got == 7);
  CHECK(describe(rec.about({ch}, receiver_agent)) ==
        Strings{ev(EventKind::kWaitBegin, taskscope::WaitOp::kRecv, ch, 0),
                ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kAcquired, ch, 0),
                ev(EventKind::kChannelRecv, ch, 0)});
}

TEST_CASE("channel: blocked operations end as closed when the other side goes away", "[channel]") {
  uint64_t ch_a = 0, ch_b = 0, agent_a = 0, agent_b = 0;
  bool sent = true;
  std::optional<int> got = 1;
  const auto rec = taskscope::primitives_test::record([&] {
    auto [tx_a, rx_a] = taskscope::make_channel<int>(1, "a");
    auto [tx_b, rx_b] = taskscope::make_channel<int>(1, "b");
    ch_a = tx_a.channel_id();
    ch_b = tx_b.channel_id();
    CHECK(tx_a.send(1));
    Peer blocked_sender([&sent, tx = std::move(tx_a)](auto announce) mutable {
      announce();
      sent = tx.send(2);
    });
    Peer blocked_receiver([&got, rx = std::move(rx_b)](auto announce) mutable {
      announce();
      got = rx.recv();
    });
    blocked_sender.wait_until_blocked();
    blocked_receiver.wait_until_blocked();
    { auto drop = std::move(rx_a); }
    { auto drop = std::move(tx_b); }
    blocked_sender.join();
    blocked_receiver.join();
    agent_a = blocked_sender.agent();
    agent_b = blocked_receiver.agent();
  });
  CHECK_FALSE(sent);
  CHECK_FALSE(got.has_value());
  // Whichever thread drops the last reference records kResourceDestroy: not
  // part of what is checked here.
  const auto waits = [&](uint64_t ch, uint64_t agent) {
    Strings out;
    for (const auto& e : rec.about({ch}, agent)) {
      if (e.kind != EventKind::kResourceDestroy) out.push_back(describe(e));
    }
    return out;
  };
  CHECK(waits(ch_a, agent_a) ==
        Strings{ev(EventKind::kWaitBegin, taskscope::WaitOp::kSend, ch_a, 0),
                ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kClosed, ch_a, 0)});
  CHECK(waits(ch_b, agent_b) ==
        Strings{ev(EventKind::kWaitBegin, taskscope::WaitOp::kRecv, ch_b, 0),
                ev(EventKind::kWaitEnd, taskscope::WaitOutcome::kClosed, ch_b, 0)});
}

TEST_CASE("channel: copies open endpoints, moves transfer them, each new user is noted",
          "[channel]") {
  uint64_t ch = 0, original = 0, copy = 0, other_agent = 0, me = 0;
  const auto rec = taskscope::primitives_test::record([&] {
    me = taskscope::current_agent();
    auto [tx, rx] = taskscope::make_channel<int>(0, "fan-in");
    ch = tx.channel_id();
    original = tx.endpoint_id();
    auto tx_copy = tx;
    copy = tx_copy.endpoint_id();
    auto moved = std::move(tx_copy);
    CHECK(moved.endpoint_id() == copy);
    CHECK_FALSE(tx_copy);
    CHECK_FALSE(tx_copy.send(0));  // a moved-from handle sends nothing
    CHECK(tx.send(1));
    CHECK(tx.send(2));  // same agent: no second use event
    bool other_sent = false;
    std::thread other([&] {
      other_agent = taskscope::current_agent();
      other_sent = tx.send(3);
    });
    other.join();
    CHECK(other_sent);
    CHECK(moved.send(4));
  });
  const auto sender = static_cast<uint8_t>(EndpointSide::kSender);
  Strings endpoint_events;
  for (const auto& e : rec.select({}, {original, copy})) {
    endpoint_events.push_back((e.thread == me ? "main " : "other ") + describe(e));
  }
  CHECK(endpoint_events == Strings{"main " + ev(EventKind::kEndpointOpen, sender, original, ch),
                                   "main " + ev(EventKind::kEndpointOpen, sender, copy, ch),
                                   "main " + ev(EventKind::kEndpointUse, sender, original, 0),
                                   "other " + ev(EventKind::kEndpointUse, sender, original, 0),
                                   "main " + ev(EventKind::kEndpointUse, sender, copy, 0),
                                   "main " + ev(EventKind::kEndpointClose, copy),
                                   "main " + ev(EventKind::kEndpointClose, original)});
  CHECK(other_agent != me);
}

TEST_CASE("channel: send fails once every receiver is gone", "[channel]") {
  auto [tx, rx] = taskscope::make_channel<int>(0);
  auto rx_copy = rx;
  { auto drop = std::move(rx); }
  CHECK(tx.send(1));  // the copy still receives
  { auto drop = std::move(rx_copy); }
  CHECK_FALSE(tx.send(2));
  CHECK_FALSE(tx.try_send(3));
}

TEST_CASE("channel: recv drains, then returns nullopt once every sender is gone", "[channel]") {
  auto [tx, rx] = taskscope::make_channel<std::unique_ptr<int>>(0);
  CHECK(tx.send(std::make_unique<int>(1)));
  CHECK(tx.send(std::make_unique<int>(2)));
  { auto drop = std::move(tx); }
  auto first = rx.recv();
  REQUIRE(first.has_value());
  CHECK(**first == 1);
  auto second = rx.try_recv();
  REQUIRE(second.has_value());
  CHECK(**second == 2);
  CHECK_FALSE(rx.recv().has_value());
  CHECK_FALSE(rx.try_recv().has_value());
}

TEST_CASE("channel: bounded capacity refuses try_send when full", "[channel]") {
  auto [tx, rx] = taskscope::make_channel<int>(2);
  CHECK(tx.try_send(1));
  CHECK(tx.try_send(2));
  CHECK_FALSE(tx.try_send(3));
  CHECK(rx.try_recv() == 1);
  CHECK(tx.try_send(4));
  CHECK(rx.recv() == 2);
  CHECK(rx.recv() == 4);
  CHECK_FALSE(rx.try_recv().has_value());
}

TEST_CASE("channel: many producers and consumers deliver every item once", "[channel]") {
  constexpr int kProducers = 3, kConsumers = 3, kPerProducer = 2000;
  auto [tx, rx] = taskscope::make_channel<int>(8, "mpmc");
  std::atomic<long> sum{0};
  std::atomic<int> count{0}, failed_sends{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([p, &failed_sends, tx = tx]() mutable {
      for (int i = 0; i < kPerProducer; ++i) {
        if (!tx.send(p * kPerProducer + i)) ++failed_sends;
      }
    });
  }
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&, rx = rx]() mutable {
      while (auto item = rx.recv()) {
        sum += *item;
        ++count;
      }
    });
  }
  { auto drop = std::move(tx); }
  { auto drop = std::move(rx); }
  for (auto& t : threads) t.join();
  constexpr long kTotal = kProducers * kPerProducer;
  CHECK(failed_sends == 0);
  CHECK(count == kTotal);
  CHECK(sum == kTotal * (kTotal - 1) / 2);
}
