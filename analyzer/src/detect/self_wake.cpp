// self_wake: tasks that are mostly woken by themselves — a future that wakes its
// own waker and returns pending (a yield loop or busy-poll) instead of waiting
// for the event it needs. It burns a worker and hides the real dependency.
// Counts are kept per task by the waker tracker; ended tasks are summarised here
// before they are forgotten.
#include <algorithm>

#include "detector.hpp"

namespace taskscope::analyzer {

namespace {

using format::Event;
using format::EventKind;

constexpr uint64_t kMinSelfWakes = 10;
constexpr size_t kMaxReported = 20;

struct SelfWaker {
  AgentId id = 0;
  AgentType type = AgentType::kTask;
  StringId name = 0;
  uint32_t ordinal = 0;
  uint64_t wakes = 0;
  uint64_t self_wakes = 0;
  uint64_t polls = 0;
};

bool mostly_self(const Agent& task) {
  return task.self_wakes >= kMinSelfWakes && task.self_wakes * 2 > task.wakes;
}

SelfWaker summary_of(const Agent& task) {
  return SelfWaker{task.id,    task.type,       task.name, task.ordinal,
                   task.wakes, task.self_wakes, task.polls};
}

class SelfWakeDetector : public Detector {
 public:
  uint64_t kinds() const override { return kind_bit(EventKind::kTaskEnd); }
  void observe(const Event& e, AgentId, const State& state) override {
    const Agent* task = state.agents.find(e.a);
    if (task != nullptr && mostly_self(*task) && ended_.size() < 4 * kMaxReported)
      ended_.push_back(summary_of(*task));
  }

  void report(const DetectContext& context, const std::vector<Finding>&,
              std::vector<Finding>& out) override {
    std::vector<SelfWaker> all = ended_;
    context.state.agents.for_each([&](const Agent& agent) {
      if (agent.state != RunState::kEnded && mostly_self(agent)) all.push_back(summary_of(agent));
    });
    std::sort(all.begin(), all.end(), [](const SelfWaker& x, const SelfWaker& y) {
      return x.self_wakes != y.self_wakes ? x.self_wakes > y.self_wakes : x.id < y.id;
    });
    if (all.size() > kMaxReported) all.resize(kMaxReported);
    for (const SelfWaker& task : all) {
      const std::string name = context.names.agent(task.type, task.id, task.name, task.ordinal);
      Finding finding;
      finding.kind = FindingKind::kSelfWake;
      finding.severity = Severity::kWarning;
      finding.agents.push_back(AgentRef{agent_type_name(task.type), task.id, name});
      finding.summary = "task " + name + " woke itself " + std::to_string(task.self_wakes) +
                        " of " + std::to_string(task.wakes) + " times";
      finding.explanation.push_back(name + " was polled " + std::to_string(task.polls) +
                                    " times; " + std::to_string(task.self_wakes) + " of its " +
                                    std::to_string(task.wakes) + " wakes came from its own poll.");
      finding.explanation.push_back(
          "A task that wakes itself and returns pending spins on its worker: register the waker "
          "with whatever it is waiting for instead.");
      out.push_back(std::move(finding));
    }
  }

 private:
  std::vector<SelfWaker> ended_;
};

}  // namespace

std::unique_ptr<Detector> make_self_wake_detector() { return std::make_unique<SelfWakeDetector>(); }

}  // namespace taskscope::analyzer
