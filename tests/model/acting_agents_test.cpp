// The acting-agent resolver: the polled task, else the thread; snapshots name it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <utility>
#include <vector>

#include "taskscope/model/acting_agents.hpp"

namespace taskscope::model {
namespace {

using format::Event;
using format::EventKind;

Event on(AgentId thread, EventKind kind, uint64_t a = 0, uint16_t flags = 0) {
  return Event{.thread = thread, .kind = kind, .flags = flags, .a = a};
}

// Applies an event after resolving it, as consumers do; returns its acting agent.
AgentId feed(ActingAgents& acting, const Event& e) {
  const AgentId who = acting.acting(e);
  acting.apply(e);
  return who;
}

TEST_CASE("the task polled on a thread acts there until its poll ends", "[model]") {
  ActingAgents acting;
  CHECK(feed(acting, on(1, EventKind::kAcquired, 50)) == 1);
  CHECK(feed(acting, on(1, EventKind::kPollBegin, 100)) == 1);  // the poll begins on the thread
  CHECK(feed(acting, on(1, EventKind::kAcquired, 50)) == 100);
  CHECK(feed(acting, on(2, EventKind::kAcquired, 50)) == 2);  // other threads are unaffected
  CHECK(feed(acting, on(1, EventKind::kPollBegin, 101)) == 100);  // nested poll
  CHECK(feed(acting, on(1, EventKind::kWake, 7)) == 101);
  CHECK(feed(acting, on(1, EventKind::kPollEnd, 101)) == 101);
  CHECK(feed(acting, on(1, EventKind::kWake, 7)) == 100);
  CHECK(feed(acting, on(1, EventKind::kPollEnd, 100)) == 100);
  CHECK(feed(acting, on(1, EventKind::kWake, 7)) == 1);
}

TEST_CASE("a task that ends inside its poll stops acting", "[model]") {
  ActingAgents acting;
  feed(acting, on(1, EventKind::kPollBegin, 100));
  feed(acting, on(2, EventKind::kPollBegin, 200));
  feed(acting, on(1, EventKind::kTaskEnd, 100));
  CHECK(acting.polled_on(1) == 0);
  CHECK(acting.polled_on(2) == 200);
  feed(acting, on(2, EventKind::kThreadEnd, 2));  // a thread that ends mid-poll
  CHECK(acting.polled_on(2) == 0);
}

TEST_CASE("a snapshot event names its acting agent directly", "[model]") {
  ActingAgents acting;
  feed(acting, on(1, EventKind::kPollBegin, 100));
  CHECK(acting.acting(on(42, EventKind::kAcquired, 5, format::kFlagSnapshot)) == 42);
  CHECK(acting.acting(on(1, EventKind::kAcquired, 5, format::kFlagSnapshot)) == 1);
}

TEST_CASE("a poll end for a task not polled there changes nothing", "[model]") {
  ActingAgents acting;
  feed(acting, on(1, EventKind::kPollBegin, 100));
  feed(acting, on(1, EventKind::kPollEnd, 999));
  CHECK(acting.polled_on(1) == 100);
}

TEST_CASE("id 0 names nobody: a poll of task 0 or on thread 0 changes nothing", "[model]") {
  ActingAgents acting;
  feed(acting, on(1, EventKind::kPollBegin, 0));
  CHECK(feed(acting, on(1, EventKind::kAcquired, 50)) == 1);
  feed(acting, on(0, EventKind::kPollBegin, 100));
  CHECK(feed(acting, on(0, EventKind::kAcquired, 50)) == 0);
  // A poll elsewhere (the resolver is then past its no-poll fast path) does not
  // make task 0 appear on thread 1.
  feed(acting, on(2, EventKind::kPollBegin, 200));
  CHECK(feed(acting, on(1, EventKind::kAcquired, 50)) == 1);
}

TEST_CASE("polls in progress can be listed, and a thread polls again after one ends", "[model]") {
  using Polls = std::vector<std::pair<AgentId, AgentId>>;  // (thread, task)
  const auto polls_of = [](const ActingAgents& acting) {
    Polls polls;
    acting.for_each_poll([&](AgentId thread, AgentId task) { polls.emplace_back(thread, task); });
    std::sort(polls.begin(), polls.end());
    return polls;
  };
  ActingAgents acting;
  for (const auto& [thread, task] : Polls{{1, 100}, {1, 101}, {2, 200}, {3, 300}})
    feed(acting, on(thread, EventKind::kPollBegin, task));
  feed(acting, on(3, EventKind::kPollEnd, 300));
  CHECK(polls_of(acting) == Polls{{1, 100}, {1, 101}, {2, 200}});

  feed(acting, on(1, EventKind::kThreadEnd, 1));
  CHECK(acting.polled_on(1) == 0);
  feed(acting, on(1, EventKind::kTaskEnd, 101));  // no longer polled: changes nothing
  CHECK(polls_of(acting) == Polls{{2, 200}});
  CHECK(acting.polled_on(2) == 200);
  feed(acting, on(3, EventKind::kPollBegin, 301));  // thread 3's emptied stack is reused
  CHECK(feed(acting, on(3, EventKind::kWake, 7)) == 301);
}

}  // namespace
}  // namespace taskscope::model

namespace taskscope::model {
namespace {

TEST_CASE("many threads polling at once each keep their own task, nested polls counted",
          "[model]") {
  // More threads than the resolver's lookup slots: slots are shared, answers are not.
  ActingAgents acting;
  constexpr AgentId kThreads = 200;
  for (AgentId t = 1; t <= kThreads; ++t) feed(acting, on(t, EventKind::kPollBegin, 1000 + t));
  for (AgentId t = 1; t <= kThreads; t += 7) feed(acting, on(t, EventKind::kPollBegin, 5000 + t));
  for (AgentId t = 1; t <= kThreads; ++t) {
    INFO("thread " << t);
    const bool nested = (t - 1) % 7 == 0;
    CHECK(acting.acting(on(t, EventKind::kAcquired)) == (nested ? 5000 + t : 1000 + t));
    CHECK(acting.polls_on(t) == (nested ? 2u : 1u));
  }
  feed(acting, on(8, EventKind::kPollEnd, 5008));
  CHECK(acting.acting(on(8, EventKind::kAcquired)) == 1008);
  feed(acting, on(3, EventKind::kTaskEnd, 1003));  // ends while polled on thread 3
  CHECK(acting.acting(on(3, EventKind::kAcquired)) == 3);
  CHECK(acting.polls_on(3) == 0);
  feed(acting, on(9, EventKind::kThreadEnd, 9));
  CHECK(acting.polled_on(9) == 0);
  CHECK(acting.acting(on(10, EventKind::kAcquired)) == 1010);
}

}  // namespace
}  // namespace taskscope::model
