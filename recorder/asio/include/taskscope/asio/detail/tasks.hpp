// The Asio tasks of one process and what each is doing: the state behind the
// handler tracking hooks (taskscope/asio/handler_tracking.hpp).
//
// A task is a co_spawned coroutine, keyed by its entry frame (the bottom frame
// of its awaitable thread), or a chain of handlers. Every operation a task
// starts belongs to it; while an operation of the task is pending the task is
// alive, and when a poll of it ends with nothing pending and no child awaited,
// it has ended. Invariants (with mutex held): a task's `pending` counts its
// operations created and not yet completed or destroyed, plus one while
// `joined` is not empty; a task has at most one join wait open, on `awaited`,
// which is in `joined`. Only touched while recording.
#pragma once

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "taskscope/events.hpp"

namespace taskscope::asio::detail {

// "sym:0x<address>", which the analyzer symbolizes (a function, a variable).
inline StringId intern_symbol(const void* address) noexcept {
  char text[40];
  std::snprintf(text, sizeof text, "sym:0x%" PRIxPTR, reinterpret_cast<uintptr_t>(address));
  return intern(text);
}

struct TaskState {
  int pending = 0;
  int polls = 0;                         // its polls running now (a poll ends it, not this)
  const void* entry = nullptr;           // coroutine entry frame; nullptr: handler chain
  bool named = false;
  AgentId joiner = 0;                    // the task awaiting this one's end
  AgentId awaited = 0;                   // the child its open join wait is on
  std::vector<AgentId> joined;           // children it awaits, all of them
  std::vector<EndpointId> endpoints;     // channel endpoints it opened by using them
};

// A channel as the analyzer sees it: a resource whose endpoints are its users.
// An Asio channel has no sender or receiver handles, so each task that sends
// (receives) through it gets an endpoint of that side, used by it and closed
// when it ends (docs/wait-semantics.md, "Who holds a channel endpoint").
struct ChannelUsers {
  ResourceId id = 0;
  uint64_t capacity = 0;
  std::unordered_map<AgentId, EndpointId> senders;
  std::unordered_map<AgentId, EndpointId> receivers;
};

// Guards Tasks. Not a std::mutex: the preload shim records pthread mutexes,
// and this lock belongs to the recording, not to the program.
class SpinLock {
 public:
  void lock() noexcept {
    while (locked_.exchange(true, std::memory_order_acquire))
      while (locked_.load(std::memory_order_relaxed)) std::this_thread::yield();
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

class Tasks {
 public:
  // Never destroyed: handlers may complete during static destruction.
  static Tasks& get() noexcept {
    static Tasks* tasks = new Tasks;
    return *tasks;
  }

  SpinLock mutex;

  // A new task spawned by the acting agent, at `where`, named `name`.
  AgentId spawn(const void* entry, StringId name, StringId where) {
    const AgentId id = new_agent_id();
    TaskState& task = tasks_[id];
    task.entry = entry;
    task.named = name != 0;
    if (entry != nullptr) by_entry_[entry] = id;
    emit(EventKind::kTaskSpawn, 0, id, name, where);
    return id;
  }

  TaskState* find(AgentId id) {
    auto it = tasks_.find(id);
    return it == tasks_.end() ? nullptr : &it->second;
  }

  AgentId by_entry(const void* entry) const {
    auto it = by_entry_.find(entry);
    return it == by_entry_.end() ? 0 : it->second;
  }

  // The channel at `object`, announced on first sight and named
  // "sym:0x<address>": the analyzer names a channel in static storage by its
  // variable.
  ChannelUsers& channel(const void* object, uint64_t capacity) {
    auto [it, added] = channels_.try_emplace(object);
    if (added) {
      it->second.id = new_resource_id();
      it->second.capacity = capacity;
      // Its users are seen only as they use it: the analyzer must not take an
      // absent user as proof that nobody will (docs/wait-semantics.md).
      emit(EventKind::kResourceCreate, static_cast<uint8_t>(ResourceKind::kChannel), it->second.id,
           capacity, intern_symbol(object), format::kFlagEndpointsByUse);
    }
    return it->second;
  }

  // Notes that the acting task `user` uses `side` of `channel`.
  void use(ChannelUsers& channel, AgentId user, EndpointSide side) {
    auto& users = side == EndpointSide::kSender ? channel.senders : channel.receivers;
    if (users.count(user) != 0) return;
    const EndpointId endpoint = new_endpoint_id();
    users[user] = endpoint;
    endpoint_opened(endpoint, channel.id, side);
    endpoint_used(endpoint, side);
    if (TaskState* task = find(user)) task->endpoints.push_back(endpoint);
  }

  // `parent` (being polled) awaits the end of `child`.
  void join(AgentId parent, AgentId child) {
    TaskState* task = find(parent);
    TaskState* awaited = find(child);
    if (task == nullptr || awaited == nullptr) return;
    awaited->joiner = parent;
    if (task->joined.empty()) {
      ++task->pending;
      task->awaited = child;
      wait_begin(child, WaitOp::kJoin);
    }
    task->joined.push_back(child);
  }

  // `task` runs again: whatever it awaited is over.
  void resumed(AgentId id) {
    TaskState* task = find(id);
    if (task == nullptr || task->joined.empty()) return;
    wait_end(task->awaited, WaitOutcome::kCompleted);
    task->joined.clear();
    task->awaited = 0;
    --task->pending;
  }

  // One operation of `id` is over; ends the task when nothing keeps it alive
  // and `polled` is false (a task being polled ends when its poll does).
  void operation_done(AgentId id, bool polled, TaskEndReason reason) {
    TaskState* task = find(id);
    if (task == nullptr) return;
    --task->pending;
    if (!polled) end_if_idle(id, reason);
  }

  // True while `id` is alive.
  bool end_if_idle(AgentId id, TaskEndReason reason = TaskEndReason::kCompleted) {
    TaskState* task = find(id);
    if (task == nullptr) return false;
    if (task->pending > 0 || task->polls > 0) return true;
    for (EndpointId endpoint : task->endpoints) endpoint_closed(endpoint);
    for (auto& [object, channel] : channels_) {
      channel.senders.erase(id);
      channel.receivers.erase(id);
    }
    task_ended(id, reason);
    const AgentId joiner = task->joiner;
    if (task->entry != nullptr) by_entry_.erase(task->entry);
    tasks_.erase(id);
    if (joiner != 0) child_ended(joiner, id);
    return false;
  }

 private:
  // The wait of `parent` on `child` is over. A parent still awaiting other
  // children waits on the next one; one awaiting nothing else was resumed by
  // the child's completion and, if it started nothing since, has ended.
  void child_ended(AgentId parent, AgentId child) {
    TaskState* task = find(parent);
    if (task == nullptr) return;
    auto it = std::find(task->joined.begin(), task->joined.end(), child);
    if (it == task->joined.end()) return;
    task->joined.erase(it);
    if (task->awaited != child) return;
    {
      PollScope poll(parent);  // the parent's own wait changes
      poll.set_pending();
      wait_end(child, WaitOutcome::kCompleted);
      if (!task->joined.empty()) {
        task->awaited = task->joined.front();
        wait_begin(task->awaited, WaitOp::kJoin);
        return;
      }
      task->awaited = 0;
      --task->pending;
      if (task->pending == 0) poll.set_ready();
    }
    end_if_idle(parent);
  }

  std::unordered_map<AgentId, TaskState> tasks_;
  std::unordered_map<const void*, AgentId> by_entry_;
  std::unordered_map<const void*, ChannelUsers> channels_;
};

}  // namespace taskscope::asio::detail
