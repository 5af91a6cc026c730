#include "process/watchdog.hpp"

#include <algorithm>

namespace taskscope::detail {

bool HangWatchdog::observe(int64_t now_ns, int64_t last_event_ns, size_t blocked_waits,
                           int64_t program_cpu_ns) {
  if (!enabled()) return false;
  if (last_event_ns >= 0) {
    last_progress_ns_ = std::max(last_progress_ns_, last_event_ns);
    cpu_at_progress_ns_ = program_cpu_ns;
    fired_ = false;
  }
  if (program_cpu_ns >= 0) {
    if (cpu_at_progress_ns_ < 0) {
      cpu_at_progress_ns_ = program_cpu_ns;
    } else if (program_cpu_ns - cpu_at_progress_ns_ > timeout_ns_ / 4) {
      last_progress_ns_ = std::max(last_progress_ns_, now_ns);  // computing: progress
      cpu_at_progress_ns_ = program_cpu_ns;
      fired_ = false;
    }
  }
  if (fired_ || blocked_waits == 0) return false;
  if (now_ns - last_progress_ns_ < timeout_ns_) return false;
  fired_ = true;
  return true;
}

}  // namespace taskscope::detail
