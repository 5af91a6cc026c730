// The export's tracks in order of first use, for naming them at the end of the
// file (private to the analyzer; chrome_export.hpp, "Layout").
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <vector>

#include "export/trace_event_sink.hpp"

namespace taskscope::analyzer {

// Recorders number agents in the order they make them, and an agent's track is
// first used when it appears, so the tracks in order of first use are mostly
// runs of consecutive ids: both the order and the set of tracks seen are kept
// as runs. Memory grows with the runs, not with the agents (a trace of a
// million short tasks keeps a few runs), and the order is exactly that of
// first use, whatever the ids.
// Invariant: seen_[pid] holds disjoint, non-adjacent ranges [first, last] of the
// ids used on that process; runs_ lists every used track once, in order.
class TrackList {
 public:
  struct Run {
    int pid;
    uint64_t first, count;
  };

  // Records a use of `track`; false when it was used before.
  bool use(TrackId track) {
    const uint64_t id = track.tid;
    std::map<uint64_t, uint64_t>& ranges = seen_[track.pid];
    auto next = ranges.upper_bound(id);  // the first range starting after id
    if (next != ranges.begin()) {
      auto prev = std::prev(next);
      if (id <= prev->second) return false;  // inside [first, last]
      if (prev->second + 1 == id) {          // extends prev, perhaps up to next
        prev->second = id;
        if (next != ranges.end() && next->first == id + 1) {
          prev->second = next->second;
          ranges.erase(next);
        }
        append(track);
        return true;
      }
    }
    if (next != ranges.end() && next->first == id + 1) {  // extends next downwards
      const uint64_t last = next->second;
      ranges.erase(next);
      ranges.emplace(id, last);
    } else {
      ranges.emplace(id, id);
    }
    append(track);
    return true;
  }

  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const Run& run : runs_)
      for (uint64_t i = 0; i < run.count; ++i) visit(TrackId{run.pid, run.first + i});
  }

 private:
  void append(TrackId track) {
    if (!runs_.empty() && runs_.back().pid == track.pid &&
        runs_.back().first + runs_.back().count == track.tid) {
      ++runs_.back().count;
      return;
    }
    runs_.push_back({track.pid, track.tid, 1});
  }

  std::map<int, std::map<uint64_t, uint64_t>> seen_;  // pid -> first -> last
  std::vector<Run> runs_;
};

}  // namespace taskscope::analyzer
