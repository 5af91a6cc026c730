// channel_growth: a queue whose depth rises without bound — typically an
// unbounded channel whose consumer is slower than its producers. The depth of
// each channel is summarised in a fixed number of time buckets (maximum depth per
// bucket; buckets merge pairwise when time runs past them), so memory does not
// grow with the trace. A channel is reported when its depth is large, its bucket
// maxima mostly rise, the last quarter is well above the first, and it was
// still at or near its peak at the end. An unbounded channel that rose the same
// way and was drained only afterwards ("everything queued, then consumed") is
// reported too: its peak grows with the load, which is the growth to fear.
#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <unordered_map>

#include "detector.hpp"

namespace taskscope::analyzer {

namespace {

using format::Event;
using format::EventKind;

constexpr size_t kBuckets = 64;
constexpr size_t kMinBuckets = 8;
constexpr uint64_t kMinDepth = 100;

// Depth over time in kBuckets buckets of equal width (doubling as needed).
struct DepthHistory {
  int64_t start_ns = -1;
  int64_t width_ns = 1'000'000;
  size_t used = 0;  // buckets [0, used) are filled
  std::array<uint64_t, kBuckets> max{};
  uint64_t first_depth = 0;
  uint64_t last_depth = 0;
  uint64_t peak = 0;
  int64_t peak_ns = 0;
  uint64_t sends = 0, recvs = 0, recvs_to_peak = 0;
  AgentId last_sender = 0, last_receiver = 0, peak_sender = 0;

  void add(int64_t ts, uint64_t depth) {
    if (start_ns < 0) {
      start_ns = ts;
      first_depth = depth;
    }
    size_t index = static_cast<size_t>((ts - start_ns) / width_ns);
    while (index >= kBuckets) {
      for (size_t i = 0; i < kBuckets / 2; ++i) max[i] = std::max(max[2 * i], max[2 * i + 1]);
      std::fill(max.begin() + kBuckets / 2, max.end(), 0);
      used = (used + 1) / 2;
      width_ns *= 2;
      index = static_cast<size_t>((ts - start_ns) / width_ns);
    }
    // Buckets without events keep the depth the channel had.
    for (; used <= index; ++used) max[used] = last_depth;
    max[index] = std::max(max[index], depth);
    last_depth = depth;
    if (depth >= peak) {
      if (depth > peak) peak_ns = ts;
      peak = depth;
    }
  }
};

// "+123/s": the depth's change from `from` to `to` over `ns`.
std::string rate(uint64_t from, uint64_t to, int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.0f/s",
                (static_cast<double>(to) - static_cast<double>(from)) * 1e9 /
                    static_cast<double>(std::max<int64_t>(1, ns)));
  return text;
}

class ChannelGrowthDetector : public Detector {
 public:
  uint64_t kinds() const override {
    return kind_bit(EventKind::kChannelSend) | kind_bit(EventKind::kChannelRecv);
  }
  void observe(const Event& e, AgentId agent, const State&) override {
    if (e.flags & format::kFlagSnapshot) return;
    if (last_channel_ != e.a || last_history_ == nullptr) {
      last_channel_ = e.a;
      last_history_ = &channels_[e.a];
    }
    DepthHistory& h = *last_history_;
    const uint64_t peak_before = h.peak;
    h.add(e.ts_ns, e.b);
    if (e.kind == EventKind::kChannelSend) {
      ++h.sends;
      h.last_sender = agent;
      if (h.peak > peak_before || h.peak == 0) {
        h.peak_sender = agent;
        h.recvs_to_peak = h.recvs;
      }
    } else {
      ++h.recvs;
      h.last_receiver = agent;
    }
  }

  void report(const DetectContext& context, const std::vector<Finding>&,
              std::vector<Finding>& out) override {
    const Names& names = context.names;
    std::vector<ResourceId> ids;
    for (const auto& [id, history] : channels_) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (ResourceId id : ids) {
      const DepthHistory& h = channels_.at(id);
      const Resource* channel = context.state.resources.find(id);
      const uint64_t capacity = channel ? channel->capacity : 0;
      if (capacity > 0 && h.peak >= capacity) continue;  // full is backpressure, not growth
      if (h.used < kMinBuckets || h.peak < kMinDepth) continue;
      // Buckets up to the one holding the peak: the rise.
      const size_t peak_bucket =
          std::min(h.used, static_cast<size_t>((h.peak_ns - h.start_ns) / h.width_ns) + 1);
      const bool at_peak = h.last_depth * 4 >= h.peak * 3;
      const size_t rise_end = at_peak ? h.used : peak_bucket;
      if (rise_end < kMinBuckets) continue;
      size_t rises = 0, falls = 0;
      for (size_t i = 1; i < rise_end; ++i) {
        if (h.max[i] > h.max[i - 1])
          ++rises;
        else if (h.max[i] < h.max[i - 1])
          ++falls;
      }
      const size_t quarter = std::max<size_t>(1, rise_end / 4);
      double first = 0, last = 0;
      for (size_t i = 0; i < quarter; ++i) first += static_cast<double>(h.max[i]);
      for (size_t i = rise_end - quarter; i < rise_end; ++i) last += static_cast<double>(h.max[i]);
      first /= static_cast<double>(quarter);
      last /= static_cast<double>(quarter);
      const bool rising = falls * 4 <= rises && last >= 2 * first + 10;
      if (!rising) continue;
      // Drained afterwards: only an unbounded queue that held nearly everything sent.
      if (!at_peak && (capacity != 0 || h.recvs_to_peak * 4 > h.peak)) continue;
      if (!at_peak) {
        out.push_back(drained_finding(context, id, h));
        continue;
      }
      Finding finding;
      finding.kind = FindingKind::kChannelGrowth;
      finding.severity = Severity::kWarning;
      finding.since_ns = h.start_ns;
      finding.resources.push_back(names.resource_ref(id));
      const std::string name = names.resource_phrase(id);
      finding.summary =
          name + " grew to " + Names::count(h.peak) + " queued items (" +
          (capacity ? "capacity " + Names::count(capacity) : std::string("unbounded")) + "), " +
          rate(h.first_depth, h.last_depth, context.state.now_ns - h.start_ns) +
          ", still rising at the end";
      finding.explanation.push_back("Its depth went from " + Names::count(h.first_depth) + " at " +
                                    Names::time(h.start_ns) + " to " + Names::count(h.last_depth) +
                                    " at " + Names::time(context.state.now_ns) +
                                    "; the last new maximum (" + Names::count(h.peak) +
                                    ") was at " + Names::time(h.peak_ns) + ".");
      if (h.last_sender) finding.agents.push_back(names.agent_ref(h.last_sender));
      if (h.last_receiver && h.last_receiver != h.last_sender)
        finding.agents.push_back(names.agent_ref(h.last_receiver));
      finding.explanation.push_back(Names::count(h.sends) + " sends against " +
                                    Names::count(h.recvs) +
                                    " receives: the consumers are slower than the producers.");
      finding.explanation.push_back(
          "An unbounded queue turns overload into memory growth and latency. Bound it so that "
          "producers feel backpressure, or add consumers.");
      out.push_back(std::move(finding));
    }
  }

 private:
  static Finding drained_finding(const DetectContext& context, ResourceId id,
                                 const DepthHistory& h) {
    const Names& names = context.names;
    Finding finding;
    finding.kind = FindingKind::kChannelGrowth;
    finding.severity = Severity::kWarning;
    finding.since_ns = h.start_ns;
    finding.resources.push_back(names.resource_ref(id));
    if (h.peak_sender) finding.agents.push_back(names.agent_ref(h.peak_sender));
    if (h.last_receiver && h.last_receiver != h.peak_sender)
      finding.agents.push_back(names.agent_ref(h.last_receiver));
    const std::string name = names.resource_phrase(id);
    finding.summary = name + " (unbounded) rose steadily to " + Names::count(h.peak) +
                      " queued items (" + rate(h.first_depth, h.peak, h.peak_ns - h.start_ns) +
                      ") before it was drained";
    finding.explanation.push_back("Its depth went from " + Names::count(h.first_depth) + " at " +
                                  Names::time(h.start_ns) + " to " + Names::count(h.peak) + " at " +
                                  Names::time(h.peak_ns) + " (the last send then by " +
                                  names.agent(h.peak_sender) + "), with " +
                                  Names::count(h.recvs_to_peak) + " receives meanwhile; it was " +
                                  Names::count(h.last_depth) + " at the end.");
    if (h.last_receiver)
      finding.explanation.push_back(
          "The receiver (" + names.agent(h.last_receiver) +
          ") consumed the items only after they had all been queued, so the peak grows with "
          "the load: twice the producers, twice the memory.");
    finding.explanation.push_back(
        "Bound the channel to cap that memory (producers then wait for room) and drain it while "
        "the producers run, or keep it unbounded if the load itself is bounded.");
    return finding;
  }

  std::unordered_map<ResourceId, DepthHistory> channels_;
  ResourceId last_channel_ = 0;
  DepthHistory* last_history_ = nullptr;
};

}  // namespace

std::unique_ptr<Detector> make_channel_growth_detector() {
  return std::make_unique<ChannelGrowthDetector>();
}

}  // namespace taskscope::analyzer
