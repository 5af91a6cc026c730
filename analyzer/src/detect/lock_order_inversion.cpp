// lock_order_inversion: potential deadlocks that did not happen in this run,
// found with GoodLock (Havelund, "Using runtime analysis to guide model checking
// of Java programs", SPIN 2000; the gate-lock and start/join refinements as in
// Bensalem & Havelund 2005).
//
// During replay, every blocking exclusive acquisition of lock L by agent A while
// A holds locks H adds an edge h -> L for each h in H to the lock-order graph,
// labelled with A, the gate locks H \ {h}, and A's current segment. Segments cut
// an agent's life at thread/task starts and joins; segment S happens before T
// when T is reachable from S through "started after" and "joined after" links.
// A cycle in the lock-order graph is reported when its edges can be labelled by
// pairwise different agents with pairwise disjoint gate sets, none of whose
// segments happens before another's — the only cycles that could deadlock in
// some other interleaving. Cycles whose locks did deadlock are left to the
// deadlock finding.
//
// Memory: one entry per ordered lock pair (at most kMaxLabels labels each) and
// one segment per start/join, never per acquisition.
#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "finding_facts.hpp"

namespace taskscope::analyzer {

namespace {

using format::Event;
using format::EventKind;
using format::ResourceKind;

constexpr size_t kMaxLabels = 4;
constexpr size_t kMaxCycleLength = 5;
constexpr size_t kMaxSearchSteps = 200'000;
constexpr uint32_t kNoSegment = UINT32_MAX;

struct AgentLabel {
  AgentType type = AgentType::kUnknown;
  AgentId id = 0;
  StringId name = 0;
  uint32_t ordinal = 0;
};

struct EdgeLabel {
  AgentLabel agent;
  uint32_t segment = kNoSegment;
  std::vector<ResourceId> gates;  // sorted
  StringId held_at = 0;           // where the first lock was taken
  StringId taken_at = 0;          // where the second was
  int64_t ts_ns = 0;
};

struct LockInfo {
  ResourceKind kind = ResourceKind::kMutex;
  StringId name = 0;
  StringId first_location = 0;
};

class LockOrderInversionDetector : public Detector {
 public:
  uint64_t kinds() const override {
    return kind_bit(EventKind::kAcquired) | kind_bit(EventKind::kThreadStart) |
           kind_bit(EventKind::kThreadCreate) | kind_bit(EventKind::kTaskSpawn) |
           kind_bit(EventKind::kWaitEnd) | kind_bit(EventKind::kThreadEnd) |
           kind_bit(EventKind::kTaskEnd);
  }

  void observe(const Event& e, AgentId acting, const State& state) override {
    if (e.flags & format::kFlagSnapshot) return;
    switch (e.kind) {
      case EventKind::kAcquired:
        acquired(e, acting, state);
        break;
      case EventKind::kThreadCreate:
        // The fork point is the creation, in the creator: a thread that first
        // runs late must not look ordered after what its creator did meanwhile.
        fork(acting, e.a);
        created_.insert(e.a);
        break;
      case EventKind::kThreadStart:
        // Traces before format 1.3 (and threads created unrecorded) fork here.
        if (created_.erase(e.a) == 0 && e.b != 0) fork(e.b, e.a);
        break;
      case EventKind::kTaskSpawn:
        fork(acting, e.a);
        break;
      case EventKind::kWaitEnd:
        joined(e, acting, state);
        break;
      case EventKind::kThreadEnd:
      case EventKind::kTaskEnd:
        ended(e.a, state);
        break;
      default:
        break;
    }
  }

  void report(const DetectContext& context, const std::vector<Finding>& earlier,
              std::vector<Finding>& out) override;

 private:
  uint32_t new_segment(uint32_t first, uint32_t second) {
    preds_.push_back({first, second});
    return static_cast<uint32_t>(preds_.size() - 1);
  }
  // Segments are cut lazily: a fork only marks parent and child as "split
  // pending"; a new segment is made when one of them next labels an edge, forks
  // or joins. Agents that take no nested locks cost no segments at all.
  uint32_t segment_of(AgentId agent) {
    auto it = current_.find(agent);
    if (it == current_.end()) {
      const uint32_t segment = new_segment(kNoSegment, kNoSegment);
      current_.emplace(agent, Position{segment, false});
      return segment;
    }
    if (it->second.split_pending) {
      it->second.segment = new_segment(it->second.segment, kNoSegment);
      it->second.split_pending = false;
    }
    return it->second.segment;
  }
  // The child starts after everything the parent did so far. No segment is cut
  // here: parent and child both continue from the parent's segment, and each
  // splits off a new one only when it next labels an edge.
  void fork(AgentId parent, AgentId child) {
    auto it = current_.find(parent);
    if (it == current_.end())
      it = current_.emplace(parent, Position{new_segment(kNoSegment, kNoSegment), false}).first;
    it->second.split_pending = true;
    const uint32_t segment = it->second.segment;
    current_[child] = Position{segment, true};
  }
  void joined(const Event& e, AgentId acting, const State& state) {
    const Agent* joiner = state.agents.find(acting);
    if (joiner == nullptr || !joiner->waiting || joiner->wait.op != format::WaitOp::kJoin) return;
    if (e.op != static_cast<uint8_t>(format::WaitOutcome::kCompleted)) return;
    auto it = finished_.find(joiner->wait.resource);
    if (it == finished_.end()) return;
    const uint32_t before = segment_of(acting);
    current_[acting] = Position{new_segment(before, it->second), false};
    finished_.erase(it);
  }
  void ended(AgentId agent, const State& state) {
    auto it = current_.find(agent);
    if (it == current_.end()) return;
    const Agent* record = state.agents.find(agent);
    // Only threads are joined in practice; remembering every task would grow.
    if (record != nullptr && record->type == AgentType::kThread)
      finished_.insert_or_assign(agent, it->second.segment);
    current_.erase(it);
  }
  // True when segment `from` happens before (or is) segment `to`.
  bool ordered(uint32_t from, uint32_t to) const {
    if (from == kNoSegment || to == kNoSegment) return false;
    std::vector<uint32_t> stack{to};
    std::set<uint32_t> seen;
    size_t steps = 0;
    while (!stack.empty()) {
      const uint32_t s = stack.back();
      stack.pop_back();
      if (s == from) return true;
      if (!seen.insert(s).second) continue;
      if (++steps > kMaxSearchSteps) return true;  // give up on the safe side: no report
      for (uint32_t p : preds_[s])
        if (p != kNoSegment) stack.push_back(p);
    }
    return false;
  }

  void acquired(const Event& e, AgentId acting, const State& state) {
    if (e.op != static_cast<uint8_t>(format::LockMode::kExclusive)) return;
    if (e.flags & format::kFlagTry) return;  // a try-lock never waits, so never deadlocks
    const Agent* agent = state.agents.find(acting);
    if (agent == nullptr || agent->holds.empty()) return;
    const Resource* lock = state.resources.find(e.a);
    if (lock != nullptr && (lock->kind == ResourceKind::kSemaphore || lock->recursive())) return;
    std::vector<ResourceId> held;
    for (const Hold& hold : agent->holds) {
      if (hold.mode != format::LockMode::kExclusive) continue;
      if (hold.resource == e.a) return;  // reacquisition: not an ordering
      const Resource* other = state.resources.find(hold.resource);
      if (other != nullptr && other->kind == ResourceKind::kSemaphore) continue;
      held.push_back(hold.resource);
    }
    if (held.empty()) return;
    remember(state, e.a);
    const uint32_t segment = segment_of(acting);
    for (const Hold& hold : agent->holds) {
      if (std::find(held.begin(), held.end(), hold.resource) == held.end()) continue;
      remember(state, hold.resource);
      std::vector<EdgeLabel>& labels = edges_[{hold.resource, e.a}];
      if (labels.empty()) successors_[hold.resource].push_back(e.a);
      std::vector<ResourceId> gates;
      for (ResourceId g : held)
        if (g != hold.resource) gates.push_back(g);
      std::sort(gates.begin(), gates.end());
      bool known = false;
      for (const EdgeLabel& label : labels)
        if (label.agent.id == acting && label.gates == gates && label.segment == segment)
          known = true;
      if (known || labels.size() >= kMaxLabels) continue;
      labels.push_back(EdgeLabel{AgentLabel{agent->type, agent->id, agent->name, agent->ordinal},
                                 segment, std::move(gates), hold.location, e.str, e.ts_ns});
    }
  }

  void remember(const State& state, ResourceId id) {
    if (locks_.count(id)) return;
    LockInfo info;
    if (const Resource* lock = state.resources.find(id))
      info = LockInfo{lock->kind, lock->name, lock->first_location};
    locks_.emplace(id, info);
  }

  // Labels for the cycle's edges that satisfy the GoodLock conditions pairwise.
  bool choose_labels(const std::vector<ResourceId>& cycle, size_t i,
                     std::vector<const EdgeLabel*>& chosen) const {
    if (i == cycle.size()) return true;
    const auto& labels = edges_.at({cycle[i], cycle[(i + 1) % cycle.size()]});
    for (const EdgeLabel& label : labels) {
      bool compatible = true;
      for (const EdgeLabel* other : chosen) {
        if (other->agent.id == label.agent.id) compatible = false;
        for (ResourceId g : label.gates)
          if (std::binary_search(other->gates.begin(), other->gates.end(), g)) compatible = false;
        if (compatible &&
            (ordered(other->segment, label.segment) || ordered(label.segment, other->segment)))
          compatible = false;
        if (!compatible) break;
      }
      if (!compatible) continue;
      chosen.push_back(&label);
      if (choose_labels(cycle, i + 1, chosen)) return true;
      chosen.pop_back();
    }
    return false;
  }

  std::string lock_name(const DetectContext& context, ResourceId id) const {
    if (context.state.resources.find(id)) return context.names.resource_phrase(id);
    const LockInfo& info = locks_.at(id);
    if (info.name) return "mutex \"" + std::string(context.names.text(info.name)) + "\"";
    return std::string(resource_kind_name(info.kind)) + "-" + std::to_string(id);
  }

  std::vector<std::array<uint32_t, 2>> preds_;
  struct Position {
    uint32_t segment = kNoSegment;
    bool split_pending = false;
  };
  std::unordered_map<AgentId, Position> current_;
  std::unordered_set<AgentId> created_;  // threads forked at kThreadCreate, not yet started
  std::unordered_map<AgentId, uint32_t> finished_;  // last segment of ended agents
  std::map<std::pair<ResourceId, ResourceId>, std::vector<EdgeLabel>> edges_;
  std::unordered_map<ResourceId, std::vector<ResourceId>> successors_;
  std::unordered_map<ResourceId, LockInfo> locks_;
};

void LockOrderInversionDetector::report(const DetectContext& context,
                                        const std::vector<Finding>& earlier,
                                        std::vector<Finding>& out) {
  // Locks that did deadlock in this run.
  std::set<ResourceId> deadlocked;
  for (const Finding& finding : earlier)
    if (finding.kind == FindingKind::kDeadlock)
      for (const ResourceRef& ref : finding.resources) deadlocked.insert(ref.id);

  // Elementary cycles up to kMaxCycleLength, each found once from its smallest lock.
  std::vector<std::vector<ResourceId>> cycles;
  size_t steps = 0;
  std::vector<ResourceId> path;
  std::function<void(ResourceId)> extend = [&](ResourceId at) {
    if (++steps > kMaxSearchSteps) return;
    auto it = successors_.find(at);
    if (it == successors_.end()) return;
    for (ResourceId next : it->second) {
      if (next == path.front() && path.size() >= 2) {
        cycles.push_back(path);
        continue;
      }
      if (next <= path.front() || path.size() >= kMaxCycleLength) continue;
      if (std::find(path.begin(), path.end(), next) != path.end()) continue;
      path.push_back(next);
      extend(next);
      path.pop_back();
    }
  };
  for (const auto& [lock, unused] : successors_) {
    path.assign(1, lock);
    extend(lock);
  }
  std::sort(cycles.begin(), cycles.end());

  const Names& names = context.names;
  const FindingFacts facts(context);
  for (const auto& cycle : cycles) {
    if (std::all_of(cycle.begin(), cycle.end(),
                    [&](ResourceId id) { return deadlocked.count(id); }))
      continue;
    std::vector<const EdgeLabel*> chosen;
    if (!choose_labels(cycle, 0, chosen)) continue;
    Finding finding;
    finding.kind = FindingKind::kLockOrderInversion;
    finding.severity = Severity::kWarning;
    finding.since_ns = chosen.front()->ts_ns;
    std::string locks, agents;
    for (size_t i = 0; i < cycle.size(); ++i) {
      if (i) locks += (i + 1 == cycle.size() ? " and " : ", ");
      locks += lock_name(context, cycle[i]);
      const ResourceId id = cycle[i];
      if (context.state.resources.find(id)) {
        finding.resources.push_back(names.resource_ref(id));
      } else {
        const LockInfo& info = locks_.at(id);
        std::string name(names.text(info.name));
        if (name.empty())
          name = std::string(resource_kind_name(info.kind)) + "-" + std::to_string(id);
        finding.resources.push_back(
            ResourceRef{std::string(resource_kind_name(info.kind)), id, std::move(name)});
      }
    }
    for (size_t i = 0; i < chosen.size(); ++i) {
      const AgentLabel& a = chosen[i]->agent;
      const std::string name = names.agent(a.type, a.id, a.name, a.ordinal);
      if (i) agents += (i + 1 == chosen.size() ? " and " : ", ");
      agents += name;
      finding.agents.push_back(AgentRef{agent_type_name(a.type), a.id, name});
      const ResourceId held_id = cycle[i], taken_id = cycle[(i + 1) % cycle.size()];
      finding.lock_order.push_back(
          LockOrderStep{NamedId{a.id, name}, NamedId{held_id, finding.resources[i].name},
                        facts.location(chosen[i]->held_at),
                        NamedId{taken_id, finding.resources[(i + 1) % cycle.size()].name},
                        facts.location(chosen[i]->taken_at), chosen[i]->ts_ns});
      std::string line = name + " took " + lock_name(context, cycle[(i + 1) % cycle.size()]) +
                         " while holding " + lock_name(context, cycle[i]);
      const std::string held = names.location(chosen[i]->held_at);
      const std::string taken = names.location(chosen[i]->taken_at);
      if (!held.empty()) line += " (held since " + held + ")";
      if (!taken.empty()) line += " at " + taken;
      line += ", first at " + Names::time(chosen[i]->ts_ns) + ".";
      finding.explanation.push_back(line);
    }
    finding.summary =
        locks + " are taken in conflicting orders by " + agents + ": a potential deadlock";
    finding.explanation.push_back(
        "This did not deadlock in this run, but the acquisitions may interleave: no common "
        "lock guards them, and no thread start or join orders them (GoodLock, Havelund 2000). "
        "If each agent takes its first lock at the same time, each waits for the other forever.");
    finding.explanation.push_back("Take these locks in one global order to remove the risk.");
    out.push_back(std::move(finding));
  }
}

}  // namespace

std::unique_ptr<Detector> make_lock_order_inversion_detector() {
  return std::make_unique<LockOrderInversionDetector>();
}

}  // namespace taskscope::analyzer
