// The bounded timeline of the HTML report (see timeline_summary.hpp).
#include "html/timeline_summary.hpp"

#include <algorithm>

namespace taskscope::analyzer::html {
namespace {

uint64_t lane_key(int pid, uint64_t id) { return (id << 1) | static_cast<uint64_t>(pid == 2); }

}  // namespace

TimelineSummary::TimelineSummary(int64_t start_ns, int64_t end_ns, TimelineLimits limits)
    : start_ns_(start_ns), end_ns_(std::max(end_ns, start_ns + 1)), limits_(limits) {
  limits_.columns = std::max<size_t>(limits_.columns, 1);
  limits_.counter_points = std::max<size_t>(limits_.counter_points, 1);
  column_ns_ = std::max<int64_t>(1, (end_ns_ - start_ns_) / static_cast<int64_t>(limits_.columns));
}

void TimelineSummary::focus_agent(int pid, uint64_t id) { focus_agents_.insert(lane_key(pid, id)); }

void TimelineSummary::focus_time(int64_t from_ns, int64_t to_ns) {
  focus_times_.push_back({from_ns, to_ns});
}

uint32_t TimelineSummary::lane(int pid, uint64_t id, int64_t ts_ns) {
  const uint64_t key = lane_key(pid, id);
  if (auto found = lane_of_.find(key); found != lane_of_.end()) return found->second;
  const bool focus = focus_agents_.count(key) != 0;
  const bool task = pid == 2;
  // Task lanes allowed by this part of the trace (see the header).
  const int64_t stratum = std::clamp<int64_t>(
      (ts_ns - start_ns_) * kLaneStrata / (end_ns_ - start_ns_), 0, kLaneStrata - 1);
  const size_t task_quota =
      limits_.max_lanes * static_cast<size_t>(stratum + 1) / static_cast<size_t>(kLaneStrata);
  const bool room = task ? task_lanes_ < task_quota : thread_lanes_ < limits_.max_thread_lanes;
  if (!focus && !room) {
    ++omitted_lanes_;
    lane_of_.emplace(key, kNoLane);
    return kNoLane;
  }
  ++(task ? task_lanes_ : thread_lanes_);
  const auto index = static_cast<uint32_t>(lanes_.size());
  lanes_.push_back({pid, id, std::string(), focus});
  lane_of_.emplace(key, index);
  return index;
}

void TimelineSummary::forget(int pid, uint64_t id) {
  auto found = lane_of_.find(lane_key(pid, id));
  if (found != lane_of_.end() && found->second == kNoLane) lane_of_.erase(found);
}

void TimelineSummary::name_lane(int pid, uint64_t id, std::string name) {
  auto found = lane_of_.find(lane_key(pid, id));
  if (found != lane_of_.end() && found->second != kNoLane)
    lanes_[found->second].name = std::move(name);
}

uint32_t TimelineSummary::intern(const std::string& text) {
  if (auto found = string_index_.find(text); found != string_index_.end()) return found->second;
  if (strings_.size() >= limits_.max_strings) return 0;
  const auto index = static_cast<uint32_t>(strings_.size());
  strings_.push_back(text);
  string_index_.emplace(text, index);
  return index;
}

bool TimelineSummary::in_focus(int64_t start_ns, int64_t end_ns) const {
  return std::any_of(focus_times_.begin(), focus_times_.end(), [&](const auto& window) {
    return start_ns <= window.second && end_ns >= window.first;
  });
}

void TimelineSummary::add_slice(uint32_t lane, int64_t start_ns, int64_t end_ns, SliceKind kind,
                                uint32_t tag, uint32_t label, uint32_t detail) {
  if (lane == kNoLane || lane >= lanes_.size()) {
    ++dropped_;
    return;
  }
  TimelineSlice slice{lane, start_ns, std::max(start_ns, end_ns), kind, tag, label, detail, false};
  slice.focus = focus_slices_ < limits_.max_focus_slices &&
                (lanes_[lane].focus || in_focus(slice.start_ns, slice.end_ns));
  if (slice.focus) {
    ++focus_slices_;
    slices_.push_back(slice);
    return;
  }
  if (slice.end_ns - slice.start_ns < min_kept_ns_) {
    fold(slice);
    return;
  }
  slices_.push_back(slice);
  if (slices_.size() - focus_slices_ > limits_.max_slices) tighten();
}

void TimelineSummary::tighten() {
  while (slices_.size() - focus_slices_ > limits_.max_slices) {
    min_kept_ns_ = min_kept_ns_ == 0 ? column_ns_ : min_kept_ns_ * 2;
    auto kept = std::partition(slices_.begin(), slices_.end(), [this](const TimelineSlice& s) {
      return s.focus || s.end_ns - s.start_ns >= min_kept_ns_;
    });
    for (auto it = kept; it != slices_.end(); ++it) fold(*it);
    slices_.erase(kept, slices_.end());
  }
}

void TimelineSummary::fold(const TimelineSlice& slice) {
  ++folded_;
  const auto state = static_cast<size_t>(slice.kind);
  if (state >= kStateKinds || slice.end_ns <= slice.start_ns) {
    ++dropped_;
    return;
  }
  int64_t from = std::max(slice.start_ns, start_ns_);
  const int64_t to = std::min(slice.end_ns, end_ns_);
  while (from < to) {
    const auto column = static_cast<uint64_t>((from - start_ns_) / column_ns_);
    const int64_t column_end = start_ns_ + static_cast<int64_t>(column + 1) * column_ns_;
    const int64_t part = std::min(to, column_end) - from;
    TimelineCell& cell = cells_[(static_cast<uint64_t>(slice.lane) << 32) | column];
    cell.lane = slice.lane;
    cell.column = static_cast<uint32_t>(column);
    cell.ns[state] += part;
    from += part;
  }
  while (cells_.size() > limits_.max_cells) widen_columns();
}

// Merges neighbouring columns in pairs: the grid keeps its time, at half the detail.
void TimelineSummary::widen_columns() {
  column_ns_ *= 2;
  std::unordered_map<uint64_t, TimelineCell> merged;
  merged.reserve(cells_.size() / 2 + 1);
  for (const auto& [key, cell] : cells_) {
    const uint32_t column = cell.column / 2;
    TimelineCell& into = merged[(static_cast<uint64_t>(cell.lane) << 32) | column];
    into.lane = cell.lane;
    into.column = column;
    for (size_t s = 0; s < kStateKinds; ++s) into.ns[s] += cell.ns[s];
  }
  cells_ = std::move(merged);
}

std::vector<TimelineCell> TimelineSummary::cells() const {
  std::vector<TimelineCell> cells;
  cells.reserve(cells_.size());
  for (const auto& [key, cell] : cells_) cells.push_back(cell);
  std::sort(cells.begin(), cells.end(), [](const TimelineCell& x, const TimelineCell& y) {
    return x.lane != y.lane ? x.lane < y.lane : x.column < y.column;
  });
  return cells;
}

void TimelineSummary::add_arrow(uint32_t from_lane, int64_t from_ns, uint32_t to_lane,
                                int64_t to_ns) {
  if (from_lane == kNoLane || to_lane == kNoLane || from_lane >= lanes_.size() ||
      to_lane >= lanes_.size()) {
    ++dropped_;
    return;
  }
  const bool focus = lanes_[to_lane].focus || in_focus(from_ns, to_ns);
  if (arrows_.size() >= limits_.max_arrows) {
    // A full list makes room for arrows of the findings' agents only.
    auto plain = std::find_if(arrows_.begin(), arrows_.end(),
                              [this](const TimelineArrow& a) { return !lanes_[a.to_lane].focus; });
    if (!focus || plain == arrows_.end()) {
      ++dropped_;
      return;
    }
    *plain = {from_lane, to_lane, from_ns, to_ns};
    ++dropped_;
    return;
  }
  arrows_.push_back({from_lane, to_lane, from_ns, to_ns});
}

void TimelineSummary::add_channel_depth(const std::string& channel, int64_t ts_ns, int64_t depth) {
  auto found = channel_index_.find(channel);
  if (found == channel_index_.end()) {
    if (channels_.size() >= limits_.max_channels) {
      ++dropped_;
      return;
    }
    found = channel_index_.emplace(channel, channels_.size()).first;
    ChannelSeries series;
    series.name = channel;
    series.column_ns =
        std::max<int64_t>(1, (end_ns_ - start_ns_) / static_cast<int64_t>(limits_.counter_points));
    channels_.push_back(std::move(series));
  }
  add_point(channels_[found->second], ts_ns, depth);
}

void TimelineSummary::add_point(ChannelSeries& series, int64_t ts_ns, int64_t depth) {
  const int64_t column = (std::max(ts_ns, start_ns_) - start_ns_) / series.column_ns;
  const int64_t column_start = start_ns_ + column * series.column_ns;
  if (!series.points.empty() && series.points.back().ts_ns >= column_start) {
    ChannelSeries::Point& point = series.points.back();
    point.low = std::min(point.low, depth);
    point.high = std::max(point.high, depth);
    point.last = depth;
    return;
  }
  series.points.push_back({ts_ns, depth, depth, depth});
}

}  // namespace taskscope::analyzer::html
