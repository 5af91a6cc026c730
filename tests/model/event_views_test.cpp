// The event table's views: every kind has one, fields read what event.hpp says.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "taskscope/model/event_views.hpp"

namespace taskscope::model {
namespace {

using format::Event;
using format::EventKind;

struct KindOf {
  template <class View>
  EventKind operator()(const View&) const {
    if constexpr (requires { View::kKind; }) {
      return View::kKind;
    } else {
      return EventKind::kInvalid;
    }
  }
};

TEST_CASE("every event kind the format defines has its own view", "[model]") {
  for (unsigned k = 1; k < static_cast<unsigned>(EventKind::kKindCount); ++k) {
    const Event e{.kind = static_cast<EventKind>(k)};
    INFO(format::kind_name(e.kind));
    CHECK(visit(e, KindOf{}) == e.kind);
  }
}

TEST_CASE("kinds this build does not know visit as Unknown with their raw fields", "[model]") {
  const Event e{.kind = static_cast<EventKind>(200), .a = 7, .b = 9};
  CHECK(visit(e, KindOf{}) == EventKind::kInvalid);
  std::vector<std::string> shown;
  visit(e, [&](const auto& view) {
    for_each_field(view, [&](std::string_view name, Role, uint64_t value) {
      shown.push_back(std::string(name) + "=" + std::to_string(value));
    });
  });
  CHECK(shown == std::vector<std::string>{"a=7", "b=9"});
}

TEST_CASE("a wait's fields read as event.hpp defines them", "[model]") {
  const Event e{.ts_ns = 5, .thread = 3, .kind = EventKind::kWaitBegin,
                .op = static_cast<uint8_t>(format::WaitOp::kIo),
                .flags = static_cast<uint16_t>(format::kFlagTimed | format::io_op_flags(format::IoOp::kRead)),
                .str = 11, .a = 40, .b = 6};
  const WaitBegin view{{e}};
  CHECK(view.op() == format::WaitOp::kIo);
  CHECK(view.resource() == 40);
  CHECK(view.timed());
  CHECK(view.io_op() == format::IoOp::kRead);
  CHECK(view.fd() == 6);
  CHECK(view.location() == 11);
  CHECK(view.thread() == 3);
  CHECK(view.ts_ns() == 5);
  CHECK_FALSE(view.snapshot());
}

TEST_CASE("signed fields and the poll CPU clock keep their sign", "[model]") {
  const Event memory{.kind = EventKind::kMemory, .a = 0, .b = static_cast<uint64_t>(int64_t{-4096})};
  CHECK(Memory{{memory}}.delta() == -4096);
  const Event poll{.kind = EventKind::kPollBegin, .a = 2, .b = 123};
  CHECK(PollBegin{{poll}}.cpu_ns() == -1);  // no kFlagCpuTime: unknown
  Event timed = poll;
  timed.flags = format::kFlagCpuTime;
  CHECK(PollBegin{{timed}}.cpu_ns() == 123);
  timed.b = uint64_t{1} << 63;  // no real clock reads so: a damaged record
  CHECK(PollBegin{{timed}}.cpu_ns() == -1);
  CHECK(PollEnd{{timed}}.cpu_ns() == -1);
}

TEST_CASE("for_each_field walks a kind's fields in table order with their roles", "[model]") {
  const Event e{.kind = EventKind::kAcquired, .op = static_cast<uint8_t>(format::LockMode::kShared),
                .flags = format::kFlagTry, .str = 4, .a = 17, .b = 2};
  std::vector<std::pair<std::string, Role>> fields;
  std::vector<uint64_t> values;
  visit(e, [&](const auto& view) {
    for_each_field(view, [&](std::string_view name, Role role, uint64_t value) {
      fields.emplace_back(name, role);
      values.push_back(value);
    });
  });
  CHECK(fields == std::vector<std::pair<std::string, Role>>{{"resource", Role::kResource},
                                                            {"mode", Role::kLockMode},
                                                            {"count", Role::kCount},
                                                            {"try_op", Role::kFlag},
                                                            {"location", Role::kLocation}});
  CHECK(values == std::vector<uint64_t>{17, 1, 2, 1, 4});
}

}  // namespace
}  // namespace taskscope::model
