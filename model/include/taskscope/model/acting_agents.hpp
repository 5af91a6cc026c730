// The acting agent of an event (docs/event-model.md, "The acting agent"): the
// task being polled on the recording thread (between its PollBegin and
// PollEnd), else the thread itself; a snapshot event names it in `thread`.
//
// Every consumer that attributes events to agents (replay, stats, export, dump,
// the recorder's state mirror) resolves it here. Feed every event, in time
// order, to apply() after using acting() for it.
//
// Invariant: stacks_[t] lists the tasks polled on thread t, innermost last;
// where_[task] is the thread a task is being polled on. Memory is bounded by the
// threads with a poll in progress.
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "taskscope/format/event.hpp"
#include "taskscope/model/event_table.hpp"

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
    if (thread == cached_thread_) return cached_top_ ? cached_top_ : otherwise;
    auto it = stacks_.find(thread);
    return it == stacks_.end() || it->second.empty() ? otherwise : it->second.back();
  }

  void apply(const format::Event& e) {
    switch (e.kind) {
      case format::EventKind::kPollBegin:
        // A snapshot's PollBegin names the polling thread in `thread` too.
        push(e.thread, e.a);
        break;
      case format::EventKind::kPollEnd:
        pop(e.thread, e.a);
        break;
      case format::EventKind::kTaskEnd:
        // A task that ends while polled stops acting there.
        if (auto it = where_.find(e.a); it != where_.end()) pop(it->second, e.a);
        break;
      case format::EventKind::kThreadEnd:
        while (polled_on(e.a) != 0) pop(e.a, polled_on(e.a));
        break;
      default:
        break;
    }
  }

 private:
  void push(AgentId thread, AgentId task) {
    stacks_[thread].push_back(task);
    where_[task] = thread;
    ++polling_;
    cache(thread, task);
  }
  void pop(AgentId thread, AgentId task) {
    auto it = stacks_.find(thread);
    if (it == stacks_.end()) return;
    std::vector<AgentId>& stack = it->second;
    auto found = std::find(stack.rbegin(), stack.rend(), task);
    if (found == stack.rend()) return;
    stack.erase(std::next(found).base());
    where_.erase(task);
    --polling_;
    const AgentId top = stack.empty() ? 0 : stack.back();
    if (stack.empty()) stacks_.erase(it);
    cache(thread, top);
  }
  void cache(AgentId thread, AgentId top) {
    cached_thread_ = thread;
    cached_top_ = top;
  }

  std::unordered_map<AgentId, std::vector<AgentId>> stacks_;
  std::unordered_map<AgentId, AgentId> where_;
  size_t polling_ = 0;  // polls in progress, over all threads
  AgentId cached_thread_ = 0, cached_top_ = 0;
};

}  // namespace taskscope::model
