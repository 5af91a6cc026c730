// The acting-agent resolver: the polled task, else the thread; snapshots name it.
#include <catch2/catch.hpp>

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

}  // namespace
}  // namespace taskscope::model
