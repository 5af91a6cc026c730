#include <algorithm>

#include "trackers.hpp"

namespace taskscope::model::replay {

namespace {

using format::LockMode;
using format::ResourceKind;

Hold* find_hold(Agent& agent, ResourceId resource, LockMode mode) {
  for (Hold& hold : agent.holds)
    if (hold.resource == resource && hold.mode == mode) return &hold;
  return nullptr;
}

}  // namespace

void LockTracker::acquired(const model::Acquired& v, AgentId acting) {
  const bool shared = v.mode() == LockMode::kShared;
  const int64_t ts = v.ts_ns();
  const StringId location = v.location();
  const uint64_t count = v.count();  // semaphore units, or the recursion depth (0: unknown)
  // A snapshot lists one kAcquired per acquisition still held (recursive ones
  // included), exactly as recorded: it is applied like a live event.
  Resource& lock =
      context_->resource(v.resource(), shared ? ResourceKind::kRwLock : ResourceKind::kMutex, ts);
  if (lock.first_location == 0) lock.first_location = location;
  Agent& agent = context_->agent(acting);
  lock.users.add(acting);
  const LockMode mode = shared ? LockMode::kShared : LockMode::kExclusive;

  if (lock.kind == ResourceKind::kSemaphore) {
    const int64_t units = count == 0 ? 1 : static_cast<int64_t>(count);
    lock.units_available -= std::min(lock.units_available, static_cast<uint64_t>(units));
    auto it = std::find_if(lock.unit_holders.begin(), lock.unit_holders.end(),
                           [&](const auto& entry) { return entry.first == acting; });
    if (it == lock.unit_holders.end())
      lock.unit_holders.emplace_back(acting, units);
    else
      it->second += units;
    if (Hold* hold = find_hold(agent, lock.id, mode)) {
      hold->count += static_cast<uint32_t>(units);
    } else {
      agent.holds.push_back(
          Hold{lock.id, mode, static_cast<uint32_t>(units), ts, location, count, v.try_op()});
    }
    return;
  }

  if (shared) {
    if (std::find(lock.readers.begin(), lock.readers.end(), acting) == lock.readers.end())
      lock.readers.push_back(acting);
    if (Hold* hold = find_hold(agent, lock.id, mode)) {
      ++hold->count;
    } else {
      agent.holds.push_back(Hold{lock.id, mode, 1, ts, location, count, v.try_op()});
    }
    return;
  }

  if (lock.owner == acting) {
    // A recursive acquisition.
    if (!lock.recursive()) context_->flag_inconsistency();  // its release was lost
    lock.owner_depth = count > 0 ? static_cast<uint32_t>(count) : lock.owner_depth + 1;
    if (Hold* hold = find_hold(agent, lock.id, mode)) hold->count = lock.owner_depth;
    return;
  }
  if (lock.owner != 0) {
    // Someone else still owned it: that owner's release was lost (or it predates
    // the window). Believe the newer event.
    context_->flag_inconsistency();
    if (Agent* previous = context_->state().agents.find(lock.owner)) {
      context_->drop_hold(*previous, lock.id, mode, 0);
      context_->forget_if_done(previous->id);
    }
  }
  lock.owner = acting;
  lock.owner_depth = count > 0 ? static_cast<uint32_t>(count) : 1;
  agent.holds.push_back(Hold{lock.id, mode, lock.owner_depth, ts, location, count, v.try_op()});
}

void LockTracker::released(const model::Released& v, AgentId acting) {
  Resource* lock = context_->state().resources.find(v.resource());
  if (lock == nullptr) {
    context_->mark_partial();  // acquired before the window
    return;
  }
  Agent& agent = context_->agent(acting);
  const bool shared = v.mode() == LockMode::kShared;
  const LockMode mode = shared ? LockMode::kShared : LockMode::kExclusive;

  if (lock->kind == ResourceKind::kSemaphore) {
    const int64_t units = v.units() == 0 ? 1 : static_cast<int64_t>(v.units());
    lock->units_available += static_cast<uint64_t>(units);
    auto it = std::find_if(lock->unit_holders.begin(), lock->unit_holders.end(),
                           [&](const auto& entry) { return entry.first == acting; });
    if (it != lock->unit_holders.end() && (it->second -= units) <= 0) lock->unit_holders.erase(it);
    context_->drop_hold(agent, lock->id, mode, static_cast<uint32_t>(units));
    lock->posters.add(acting);  // releasing units is posting them
    return;
  }

  if (shared) {
    Hold* hold = find_hold(agent, lock->id, mode);
    if (hold == nullptr) {
      context_->mark_partial();
    } else if (--hold->count == 0) {
      context_->drop_hold(agent, lock->id, mode, 0);
      auto it = std::find(lock->readers.begin(), lock->readers.end(), acting);
      if (it != lock->readers.end()) lock->readers.erase(it);
    }
    return;
  }

  if (lock->owner == acting) {
    if (lock->owner_depth > 1) {
      --lock->owner_depth;
      if (Hold* hold = find_hold(agent, lock->id, mode)) hold->count = lock->owner_depth;
      return;
    }
    lock->owner = 0;
    lock->owner_depth = 0;
    context_->drop_hold(agent, lock->id, mode, 0);
    return;
  }
  if (lock->owner == 0) {
    context_->mark_partial();  // acquired before the window
    return;
  }
  // Released by a non-owner: the ownership we had is wrong; the lock is free now.
  context_->flag_inconsistency();
  if (Agent* owner = context_->state().agents.find(lock->owner)) {
    context_->drop_hold(*owner, lock->id, mode, 0);
    const AgentId owner_id = owner->id;
    lock->owner = 0;
    lock->owner_depth = 0;
    context_->forget_if_done(owner_id);
  } else {
    lock->owner = 0;
    lock->owner_depth = 0;
  }
}

void LockTracker::sem_post(const model::SemPost& v, AgentId acting) {
  Resource& sem = context_->resource(v.semaphore(), ResourceKind::kSemaphore, v.ts_ns());
  sem.posters.add(acting);
  sem.units_available += v.units();
}

}  // namespace taskscope::model::replay
