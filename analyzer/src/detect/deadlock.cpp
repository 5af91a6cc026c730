// deadlock: a cycle of stuck agents through locks, joins or other waits (but not
// through a send on a full channel: that is channel_full_cycle). Includes a
// thread relocking a non-recursive mutex it owns (a cycle of one) and the
// writer-preferring rwlock case (a reader queued behind a writer that waits for
// the reader's own shared hold).
#include "stuck_story.hpp"

namespace taskscope::analyzer {

namespace {

class DeadlockDetector : public Detector {
 public:
  void report(const DetectContext& context, const std::vector<Finding>&,
              std::vector<Finding>& out) override {
    for (const StuckGroup& group : context.groups) {
      if (group.kind != StuckGroup::Kind::kCycle) continue;
      if (cycle_through_full_channel(context, group)) continue;
      if (lost_wakeup_in_cycle(context, group)) continue;  // told as a lost wakeup
      out.push_back(describe_cycle(context, group, FindingKind::kDeadlock));
    }
  }
};

}  // namespace

std::unique_ptr<Detector> make_deadlock_detector() { return std::make_unique<DeadlockDetector>(); }

}  // namespace taskscope::analyzer
