// channel_full_cycle: a cycle of stuck agents that goes through a send on a full
// bounded channel — the only receivers wait (directly or not) for the senders.
#include "stuck_story.hpp"

namespace taskscope::analyzer {

namespace {

class ChannelFullCycleDetector : public Detector {
 public:
  void report(const DetectContext& context, const std::vector<Finding>&,
              std::vector<Finding>& out) override {
    for (const StuckGroup& group : context.groups) {
      if (group.kind != StuckGroup::Kind::kCycle) continue;
      if (!cycle_through_full_channel(context, group)) continue;
      out.push_back(describe_cycle(context, group, FindingKind::kChannelFullCycle));
    }
  }
};

}  // namespace

std::unique_ptr<Detector> make_channel_full_cycle_detector() {
  return std::make_unique<ChannelFullCycleDetector>();
}

}  // namespace taskscope::analyzer
