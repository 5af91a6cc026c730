// The HTML report's timeline, summarised to a bounded size (private to the
// analyzer; docs/html-report.md, "Large traces").
//
// Slices arrive in any order, one lane per thread or task. Every slice is kept
// while the total stays under `max_slices`; past it, the shortest ones are
// folded: their time is added to a grid cell (lane, column) per state, and the
// page draws a cell as a shaded block in its dominant state. The threshold of
// "short" doubles each time the kept slices outgrow the bound again, and the
// grid's columns double in width when the cells outgrow theirs, so memory and
// output are bounded whatever the trace length. Slices of the agents a finding
// names, and slices overlapping a window around a finding's time, are kept in
// full (up to `max_focus_slices`): the detail stays where the findings are.
//
// Invariants: slices_.size() <= max_slices + max_focus_slices; cells_.size() <=
// max_cells; lanes_.size() <= max_lanes + max_thread_lanes + focus lanes; lane_of_ holds the
// lanes and the tracks without one that have not been forgotten; every slice's lane is a
// valid index; time is conserved: a slice is either kept or its state time is
// in a cell (spans, holds and marks are kept or counted in `dropped`).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace taskscope::analyzer::html {

// What a slice shows. The first four are a lane's state; the others are drawn
// over it.
enum class SliceKind : uint8_t {
  kRunnable,  // a task alive, neither polled nor awaiting a recorded wait
  kRunning,   // a poll (task lane) or a task polled (thread lane)
  kBlocked,   // a recorded wait, or a task awaiting one; `tag` names its kind
  kIdle,      // a task awaiting a wake for a wait of unknown kind
  kSpan,
  kHold,
  kMark,
};
inline constexpr size_t kStateKinds = 4;

struct TimelineLimits {
  size_t max_slices = 40000;
  size_t max_focus_slices = 12000;
  size_t max_lanes = 1500;  // task lanes
  size_t max_thread_lanes = 500;
  size_t max_cells = 60000;
  size_t columns = 2000;  // initial grid columns over the trace
  size_t max_arrows = 4000;
  size_t max_channels = 64;
  size_t counter_points = 500;  // per channel
  size_t max_strings = 20000;
};

struct TimelineSlice {
  uint32_t lane = 0;
  int64_t start_ns = 0, end_ns = 0;
  SliceKind kind = SliceKind::kRunnable;
  uint32_t tag = 0;     // string index: the wait kind ("send"), or 0
  uint32_t label = 0;   // string index: what it shows ("results", "fetch")
  uint32_t detail = 0;  // string index: hover details
  bool focus = false;
};

struct TimelineLane {
  int pid = 0;  // 1 threads, 2 tasks (as the Chrome export numbers them)
  uint64_t id = 0;
  std::string name;
  bool focus = false;
};

// A grid cell: time per state (ns) of the folded slices of one lane in one column.
struct TimelineCell {
  uint32_t lane = 0;
  uint32_t column = 0;
  std::array<int64_t, kStateKinds> ns{};
};

struct TimelineArrow {
  uint32_t from_lane = 0, to_lane = 0;
  int64_t from_ns = 0, to_ns = 0;
};

// One channel's depth over time: per column, the lowest, highest and last depth.
struct ChannelSeries {
  std::string name;
  struct Point {
    int64_t ts_ns;
    int64_t low, high, last;
  };
  std::vector<Point> points;
  int64_t column_ns = 0;
};

class TimelineSummary {
 public:
  static constexpr uint32_t kNoLane = UINT32_MAX;
  static constexpr int64_t kLaneStrata = 20;

  TimelineSummary(int64_t start_ns, int64_t end_ns, TimelineLimits limits = {});

  // Agents whose slices are all kept, and times around which all are kept.
  void focus_agent(int pid, uint64_t id);
  void focus_time(int64_t from_ns, int64_t to_ns);

  // The lane of a track, made on first use at `ts_ns`; kNoLane when the track
  // gets none. Focus agents always get one; threads get one up to
  // max_thread_lanes; tasks up to max_lanes, spread over the trace: by the
  // k-th of kLaneStrata equal parts of the trace, at most k / kLaneStrata of
  // max_lanes are taken, so a trace that spawns many tasks early still shows
  // tasks of its middle and end.
  uint32_t lane(int pid, uint64_t id, int64_t ts_ns);
  // The track's agent ended: a track without a lane is forgotten (it is only
  // counted in omitted_lanes()), so the lane map holds the lanes and the live
  // tracks, not every agent of the trace.
  void forget(int pid, uint64_t id);
  size_t tracks_known() const { return lane_of_.size(); }
  void name_lane(int pid, uint64_t id, std::string name);
  uint32_t intern(const std::string& text);

  void add_slice(uint32_t lane, int64_t start_ns, int64_t end_ns, SliceKind kind, uint32_t tag,
                 uint32_t label, uint32_t detail);
  void add_arrow(uint32_t from_lane, int64_t from_ns, uint32_t to_lane, int64_t to_ns);
  void add_channel_depth(const std::string& channel, int64_t ts_ns, int64_t depth);

  int64_t start_ns() const { return start_ns_; }
  int64_t end_ns() const { return end_ns_; }
  const std::vector<TimelineLane>& lanes() const { return lanes_; }
  const std::vector<std::string>& strings() const { return strings_; }
  const std::vector<TimelineSlice>& slices() const { return slices_; }
  std::vector<TimelineCell> cells() const;
  int64_t column_ns() const { return column_ns_; }
  const std::vector<TimelineArrow>& arrows() const { return arrows_; }
  const std::vector<ChannelSeries>& channels() const { return channels_; }
  int64_t min_kept_ns() const { return min_kept_ns_; }
  uint64_t folded_slices() const { return folded_; }
  uint64_t dropped() const { return dropped_; }  // overlays, arrows, lanes, channels not shown
  uint64_t omitted_lanes() const { return omitted_lanes_; }

 private:
  bool in_focus(int64_t start_ns, int64_t end_ns) const;
  void fold(const TimelineSlice& slice);
  void tighten();  // the kept slices outgrew max_slices
  void widen_columns();
  void add_point(ChannelSeries& series, int64_t ts_ns, int64_t depth);

  int64_t start_ns_, end_ns_;
  TimelineLimits limits_;
  std::unordered_set<uint64_t> focus_agents_;
  std::vector<std::pair<int64_t, int64_t>> focus_times_;
  std::vector<TimelineLane> lanes_;
  size_t thread_lanes_ = 0, task_lanes_ = 0;
  std::unordered_map<uint64_t, uint32_t> lane_of_;  // (id << 1 | task) -> lane
  std::vector<std::string> strings_{""};
  std::unordered_map<std::string, uint32_t> string_index_{{"", 0}};
  std::vector<TimelineSlice> slices_;
  size_t focus_slices_ = 0;
  int64_t min_kept_ns_ = 0;  // slices shorter than this are folded
  int64_t column_ns_;
  std::unordered_map<uint64_t, TimelineCell> cells_;  // (lane << 32 | column) -> cell
  std::vector<TimelineArrow> arrows_;
  std::vector<ChannelSeries> channels_;
  std::unordered_map<std::string, size_t> channel_index_;
  uint64_t folded_ = 0, dropped_ = 0, omitted_lanes_ = 0;
};

}  // namespace taskscope::analyzer::html
