// The detector interface. A detector may watch events during replay (it is an
// EventObserver; most summarise history, e.g. the lock-order graph) and reports
// its findings once replay ends, from the state, the wait-for graph and the
// stuck set. One detector per file in this folder, one finding kind each.
#pragma once

#include <memory>
#include <vector>

#include "taskscope/analyzer/analysis.hpp"
#include "taskscope/analyzer/finding.hpp"
#include "taskscope/analyzer/names.hpp"
#include "taskscope/analyzer/replay.hpp"
#include "taskscope/analyzer/wait_for_graph.hpp"

namespace taskscope::analyzer {

struct DetectContext {
  const State& state;
  const WaitForGraph& graph;
  const StuckSet& stuck;
  const std::vector<StuckGroup>& groups;
  const Names& names;
  const AnalyzeOptions& options;
};

class Detector : public EventObserver {
 public:
  uint64_t kinds() const override { return 0; }
  void observe(const format::Event&, AgentId, const State&) override {}
  // Appends this detector's findings. `earlier` holds the findings of the
  // detectors that ran before it (a lock-order inversion that did deadlock is
  // not reported twice).
  virtual void report(const DetectContext& context, const std::vector<Finding>& earlier,
                      std::vector<Finding>& out) = 0;
};

std::unique_ptr<Detector> make_deadlock_detector();
std::unique_ptr<Detector> make_channel_full_cycle_detector();
std::unique_ptr<Detector> make_blocked_forever_detector();
std::unique_ptr<Detector> make_lost_wakeup_detector();
std::unique_ptr<Detector> make_lock_order_inversion_detector();
std::unique_ptr<Detector> make_blocking_in_async_detector(int64_t poll_threshold_ns);
std::unique_ptr<Detector> make_stalled_detector();
std::unique_ptr<Detector> make_channel_growth_detector();
std::unique_ptr<Detector> make_self_wake_detector();
std::unique_ptr<Detector> make_events_dropped_detector();

// Every detector, in report order.
std::vector<std::unique_ptr<Detector>> make_detectors(const AnalyzeOptions& options);

}  // namespace taskscope::analyzer
