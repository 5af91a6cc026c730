// events_dropped: the recorder lost events (its rings were full). Never silent:
// the ranges are listed, and the stuck-set findings whose evidence they overlap
// were already lowered to warnings by their own detectors.
#include <algorithm>
#include <set>

#include "detector.hpp"

namespace taskscope::analyzer {

namespace {

class EventsDroppedDetector : public Detector {
 public:
  void report(const DetectContext& context, const std::vector<Finding>&,
              std::vector<Finding>& out) override {
    const State& state = context.state;
    if (state.dropped_events == 0 || state.dropped.empty()) return;
    const Names& names = context.names;
    int64_t first = INT64_MAX, last = 0;
    std::set<AgentId> threads;
    for (const DroppedRange& range : state.dropped) {
      first = std::min(first, range.first_ns);
      last = std::max(last, range.last_ns);
      threads.insert(range.thread);
    }
    Finding finding;
    finding.kind = FindingKind::kEventsDropped;
    finding.severity = Severity::kInfo;
    finding.since_ns = first;
    finding.summary = Names::count(state.dropped_events) + " events were dropped on " +
                      std::to_string(threads.size()) + " thread" +
                      (threads.size() == 1 ? "" : "s") + " between " + Names::time(first) +
                      " and " + Names::time(last);
    for (AgentId thread : threads)
      if (thread != 0) finding.agents.push_back(names.agent_ref(thread));
    for (const DroppedRange& range : state.dropped)
      finding.explanation.push_back(
          names.agent(range.thread) + " lost " + Names::count(range.events) + " events between " +
          Names::time(range.first_ns) + " and " + Names::time(range.last_ns) + ".");
    finding.explanation.push_back(
        "The recorder's ring was full. Findings that a lost event could undo are reported as "
        "warnings; a larger ring (TASKSCOPE_RING) or lossless mode avoids the loss.");
    out.push_back(std::move(finding));
  }
};

}  // namespace

std::unique_ptr<Detector> make_events_dropped_detector() {
  return std::make_unique<EventsDroppedDetector>();
}

}  // namespace taskscope::analyzer
