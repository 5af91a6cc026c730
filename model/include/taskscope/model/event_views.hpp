// Typed views of events, generated from the event table (event_table.hpp).
//
//   model::visit(event, overloaded{
//       [&](const model::Acquired& v) { hold(v.resource(), v.mode()); },
//       [&](const auto&) {}});
//
// A view is a reference to the record plus named accessors; it costs nothing
// over reading the fields by hand. for_each_field() walks a view's fields with
// their roles, for consumers that show every event (dump, JSON) without knowing
// each kind. Kinds this build does not know (a newer writer's) visit as Unknown.
#pragma once

#include <cstdint>
#include <string_view>

#include "taskscope/format/event.hpp"
#include "taskscope/model/event_table.hpp"

namespace taskscope::model {

// The thread's CPU clock a poll event carries (format 1.2), -1 when absent or
// past int64 (no real clock reads so: a damaged record).
inline int64_t cpu_clock(const format::Event& e) {
  if (!(e.flags & format::kFlagCpuTime) || e.b > static_cast<uint64_t>(INT64_MAX)) return -1;
  return static_cast<int64_t>(e.b);
}

// What every view has: the record, its time, its recording thread, its flags.
struct ViewBase {
  const format::Event& event;
  int64_t ts_ns() const { return event.ts_ns; }
  // The recording thread; for a snapshot event, the acting agent itself.
  AgentId thread() const { return event.thread; }
  bool snapshot() const { return (event.flags & format::kFlagSnapshot) != 0; }
  bool late() const { return (event.flags & format::kFlagLate) != 0; }
};

#define TASKSCOPE_VIEW_FIELD(name, role, type, expr) \
  type name() const {                                \
    const format::Event& e = event;                  \
    return expr;                                     \
  }
#define TASKSCOPE_VIEW_ALIAS(name, type, expr) TASKSCOPE_VIEW_FIELD(name, , type, expr)
#define TASKSCOPE_VIEW_EVENT(Kind, members)                                      \
  struct Kind : ViewBase {                                                        \
    static constexpr format::EventKind kKind = format::EventKind::k##Kind;       \
    static constexpr std::string_view kName = #Kind;                             \
    members                                                                       \
  };
TASKSCOPE_EVENT_TABLE(TASKSCOPE_VIEW_EVENT, TASKSCOPE_VIEW_FIELD, TASKSCOPE_VIEW_ALIAS)
#undef TASKSCOPE_VIEW_EVENT
#undef TASKSCOPE_VIEW_ALIAS
#undef TASKSCOPE_VIEW_FIELD

// An event of a kind this build does not know (or kInvalid): only raw fields.
struct Unknown : ViewBase {};

// Calls visitor(View{event}) with the view of the event's kind, and returns
// what it returns (every overload must return the same type).
template <class Visitor>
decltype(auto) visit(const format::Event& event, Visitor&& visitor) {
  switch (event.kind) {
#define TASKSCOPE_VISIT_EVENT(Kind, members) \
  case format::EventKind::k##Kind:           \
    return visitor(Kind{{event}});
#define TASKSCOPE_VISIT_NOTHING(...)
    TASKSCOPE_EVENT_TABLE(TASKSCOPE_VISIT_EVENT, TASKSCOPE_VISIT_NOTHING, TASKSCOPE_VISIT_NOTHING)
#undef TASKSCOPE_VISIT_EVENT
    default:
      return visitor(Unknown{{event}});
  }
}

// Calls f(name, role, value) for each field of the view, in table order; the
// value is the field as 64 bits (signed fields in two's complement, enums as
// their number).
#define TASKSCOPE_WALK_FIELD(name, role, type, expr) \
  f(std::string_view(#name), Role::role, static_cast<uint64_t>(view.name()));
#define TASKSCOPE_WALK_NOTHING(...)
#define TASKSCOPE_WALK_EVENT(Kind, members)               \
  template <class F>                                      \
  void for_each_field(const Kind& view, F&& f) {          \
    members                                               \
  }
TASKSCOPE_EVENT_TABLE(TASKSCOPE_WALK_EVENT, TASKSCOPE_WALK_FIELD, TASKSCOPE_WALK_NOTHING)
#undef TASKSCOPE_WALK_EVENT
#undef TASKSCOPE_WALK_NOTHING
#undef TASKSCOPE_WALK_FIELD
template <class F>
void for_each_field(const Unknown& view, F&& f) {
  f(std::string_view("a"), Role::kCount, view.event.a);
  f(std::string_view("b"), Role::kCount, view.event.b);
}

// A visitor from lambdas: overloaded{[](const A&) {...}, [](const auto&) {}}.
template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

}  // namespace taskscope::model
