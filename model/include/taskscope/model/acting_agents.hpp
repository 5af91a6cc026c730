// The acting agent of an event (docs/event-model.md, "The acting agent"): the
// task being polled on the recording thread (between its PollBegin and
// PollEnd), else the thread itself; a snapshot event names it in `thread`.
//
// Every consumer that attributes events to agents (replay, stats, export, dump,
// the recorder's state mirror) resolves it here. Feed every event, in time
// order, to apply() after using acting() for it.
//
// Invariant: stacks_[t] lists the tasks polled on thread t, innermost last;
// tops_[slot_of(t)], when it names t, holds the top of that stack (0: empty)
// and, unless null, the stack itself, so that the lookup every event makes and
// the pushes and pops of polls rarely reach the hash map (threads of a pool
// interleave event by event; a task, polled on one thread at a time, is found
// by a scan when it ends). Id 0 names nobody: a poll
// of task 0 or on thread 0 is ignored. A thread's (possibly empty) stack is kept
// until the thread ends, so that polling allocates nothing after a thread's
// first poll; memory is bounded by the live threads that have polled.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "taskscope/format/event.hpp"
#include "taskscope/model/event_table.hpp"
#include "taskscope/model/event_views.hpp"

namespace taskscope::model {

class ActingAgents {
 public:
  AgentId acting(const format::Event& e) const {
    if (e.flags & format::kFlagSnapshot) return e.thread;
    return polled_on(e.thread, e.thread);
  }

  // The task polled innermost on `thread`, else `otherwise`.
  AgentId polled_on(AgentId thread, AgentId otherwise = 0) const {
    if (polling_ == 0) return otherwise;
    if (const Top& top = tops_[slot_of(thread)]; top.thread == thread)
      return top.task ? top.task : otherwise;
    auto it = stacks_.find(thread);
    return it == stacks_.end() || it->second.empty() ? otherwise : it->second.back();
  }

  // Calls f(thread, task) for every poll in progress, each thread's outermost
  // first (threads in no particular order).
  template <class F>
  void for_each_poll(F&& f) const {
    for (const auto& [thread, stack] : stacks_)
      for (const AgentId task : stack) f(thread, task);
  }

  // Polls in progress on `thread`, nested ones each counted.
  size_t polls_on(AgentId thread) const {
    if (polling_ == 0) return 0;
    if (const Top& top = tops_[slot_of(thread)]; top.thread == thread && top.stack)
      return top.stack->size();
    auto it = stacks_.find(thread);
    return it == stacks_.end() ? 0 : it->second.size();
  }

  void apply(const format::Event& e) {
    // Most events change nothing: those skip the view.
    switch (e.kind) {
      case format::EventKind::kPollBegin:
      case format::EventKind::kPollEnd:
      case format::EventKind::kTaskEnd:
      case format::EventKind::kThreadEnd:
        visit(e, [this](const auto& view) { apply(view); });
        return;
      default:
        return;
    }
  }
  // The same for a consumer that already visits the event: only polls and ends
  // change anything, and the other kinds cost nothing.
  void apply(const PollBegin& v) {
    // A snapshot's PollBegin names the polling thread in `thread` too.
    push(v.thread(), v.task());
  }
  void apply(const PollEnd& v) { pop(v.thread(), v.task()); }
  void apply(const TaskEnd& v) {
    // A task that ends while polled stops acting there.
    if (polling_ == 0) return;
    for (auto& [thread, stack] : stacks_) {
      if (std::find(stack.begin(), stack.end(), v.task()) != stack.end()) {
        pop(thread, v.task());
        return;
      }
    }
  }
  void apply(const ThreadEnd& v) {
    if (auto it = stacks_.find(v.agent()); it != stacks_.end()) {
      polling_ -= it->second.size();
      stacks_.erase(it);
      tops_[slot_of(v.agent())] = Top{v.agent(), 0, nullptr};
    }
  }
  template <class View>
  void apply(const View&) {}

 private:
  void push(AgentId thread, AgentId task) {
    if (thread == 0 || task == 0) return;
    std::vector<AgentId>& stack = *stack_of(thread, true);
    stack.push_back(task);
    ++polling_;
    tops_[slot_of(thread)] = Top{thread, task, &stack};
  }
  void pop(AgentId thread, AgentId task) {
    std::vector<AgentId>* found_stack = stack_of(thread, false);
    if (found_stack == nullptr) return;
    std::vector<AgentId>& stack = *found_stack;
    auto found = std::find(stack.rbegin(), stack.rend(), task);
    if (found == stack.rend()) return;
    stack.erase(std::next(found).base());
    --polling_;
    tops_[slot_of(thread)] = Top{thread, stack.empty() ? 0 : stack.back(), &stack};
  }
  // The stack of `thread` (made if `create`), through its slot when it holds it.
  std::vector<AgentId>* stack_of(AgentId thread, bool create) {
    Top& top = tops_[slot_of(thread)];
    if (top.thread == thread && top.stack) return top.stack;
    std::vector<AgentId>* stack = nullptr;
    if (create) {
      stack = &stacks_[thread];
    } else if (auto it = stacks_.find(thread); it != stacks_.end()) {
      stack = &it->second;
    } else {
      return nullptr;
    }
    top = Top{thread, stack->empty() ? 0 : stack->back(), stack};
    return stack;
  }
  struct Top {
    AgentId thread = 0, task = 0;
    std::vector<AgentId>* stack = nullptr;  // stacks_'s node: stable until erased
  };
  static constexpr size_t kTopSlots = 64;
  static size_t slot_of(AgentId thread) {
    return static_cast<size_t>((thread * 0x9E3779B97F4A7C15ULL) >> 58);  // Fibonacci hashing
  }

  std::unordered_map<AgentId, std::vector<AgentId>> stacks_;
  size_t polling_ = 0;  // polls in progress, over all threads
  std::array<Top, kTopSlots> tops_{};
};

}  // namespace taskscope::model
