// The export's tracks in order of first use, for naming them at the end of the
// file (private to the analyzer; chrome_export.hpp, "Layout").
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <vector>

#include "export/trace_event_sink.hpp"

namespace taskscope::analyzer {

// A set of ids kept as disjoint, non-adjacent ranges [first, last]: ids that
// come in runs (agents are numbered in the order they are made) cost one range
// per run, not one entry per id.
class IdRanges {
 public:
  // Adds `id`; false when it was in the set already.
  bool insert(uint64_t id) {
    auto next = ranges_.upper_bound(id);  // the first range starting after id
    if (next != ranges_.begin()) {
      auto prev = std::prev(next);
      if (id <= prev->second) return false;  // inside [first, last]
      if (prev->second + 1 == id) {          // extends prev, perhaps up to next
        prev->second = id;
        if (next != ranges_.end() && next->first == id + 1) {
          prev->second = next->second;
          ranges_.erase(next);
        }
        return true;
      }
    }
    if (next != ranges_.end() && next->first == id + 1) {  // extends next downwards
      const uint64_t last = next->second;
      ranges_.erase(next);
      ranges_.emplace(id, last);
    } else {
      ranges_.emplace(id, id);
    }
    return true;
  }

  bool contains(uint64_t id) const {
    auto next = ranges_.upper_bound(id);
    return next != ranges_.begin() && id <= std::prev(next)->second;
  }

 private:
  std::map<uint64_t, uint64_t> ranges_;  // first -> last
};

// Recorders number agents in the order they make them, and an agent's track is
// first used when it appears, so the tracks in order of first use are mostly
// runs of consecutive ids: both the order and the sets of tracks seen and named
// are kept as runs. Memory grows with the runs, not with the agents (a trace of
// a million short tasks keeps a few runs), and the order is exactly that of
// first use, whatever the ids.
// Invariant: runs_ lists every used track once, in order; seen_[pid] holds the
// ids used on that process, named_[pid] those already named.
class TrackList {
 public:
  struct Run {
    int pid;
    uint64_t first, count;
  };

  // Records a use of `track`; false when it was used before.
  bool use(TrackId track) {
    if (!seen_[track.pid].insert(track.tid)) return false;
    append(track);
    return true;
  }

  // Records that `track` got its name before the end (its agent ended).
  void named(TrackId track) { named_[track.pid].insert(track.tid); }

  // Visits the tracks used and not named yet, in order of first use.
  template <class Visit>
  void for_each_unnamed(Visit&& visit) const {
    for (const Run& run : runs_) {
      auto named = named_.find(run.pid);
      for (uint64_t i = 0; i < run.count; ++i) {
        const TrackId track{run.pid, run.first + i};
        if (named == named_.end() || !named->second.contains(track.tid)) visit(track);
      }
    }
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

  std::map<int, IdRanges> seen_, named_;  // pid -> ids
  std::vector<Run> runs_;
};

}  // namespace taskscope::analyzer
