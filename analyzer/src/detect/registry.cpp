#include "detector.hpp"

namespace taskscope::analyzer {

std::vector<std::unique_ptr<Detector>> make_detectors(const AnalyzeOptions& options) {
  std::vector<std::unique_ptr<Detector>> detectors;
  detectors.push_back(make_deadlock_detector());
  detectors.push_back(make_channel_full_cycle_detector());
  detectors.push_back(make_lost_wakeup_detector());
  detectors.push_back(make_blocked_forever_detector());
  detectors.push_back(make_lock_order_inversion_detector());
  detectors.push_back(make_blocking_in_async_detector(options.async_poll_ns));
  detectors.push_back(make_stalled_detector());
  detectors.push_back(make_channel_growth_detector());
  detectors.push_back(make_self_wake_detector());
  detectors.push_back(make_events_dropped_detector());
  return detectors;
}

}  // namespace taskscope::analyzer
