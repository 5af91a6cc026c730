// TraceReader: a k-way merge of per-thread batches, released up to the latest
// watermark. Each batch frame promises that no later frame holds an earlier event
// than its watermark, so everything below it can be emitted in order while later
// frames are still unread: memory is bounded by the events of one merge window.
#include <algorithm>

#include "taskscope/format/reader.hpp"

namespace taskscope::format {
namespace {

constexpr int64_t kFreeTs = INT64_MAX;  // beyond every trace time (trace_time_valid)

// Without branches: which of two batches' heads comes first is data-dependent
// and unpredictable when threads interleave, so a mispredicted branch per
// match would cost more than the match. (time, sequence) is compared as one
// 128-bit unsigned number, the time's sign bit flipped to keep its order.
template <typename Key>
inline bool before(const Key& x, const Key& y) {
  using Wide = unsigned __int128;
  constexpr uint64_t kSign = uint64_t{1} << 63;
  const Wide wx = Wide{static_cast<uint64_t>(x.ts) ^ kSign} << 64 | x.sequence;
  const Wide wy = Wide{static_cast<uint64_t>(y.ts) ^ kSign} << 64 | y.sequence;
  return wx < wy;
}

}  // namespace

TraceReader::TraceReader(const std::string& path) : frames_(path) {}
TraceReader::~TraceReader() = default;

const std::string& TraceReader::path() const { return frames_.path(); }
const TraceHeader& TraceReader::header() const { return frames_.header(); }
const ReadStatus& TraceReader::status() const { return frames_.status(); }

std::string_view TraceReader::string(uint32_t id) const {
  if (id == 0) return {};
  if (auto it = strings_.find(id); it != strings_.end()) return it->second;
  // Appended, not "?" + to_string(id): GCC 12 at -O3 warns falsely (-Wrestrict)
  // on the inlined string concatenation.
  scratch_.assign(1, '?');
  scratch_ += std::to_string(id);
  return scratch_;
}

void TraceReader::replay(uint32_t slot) {
  // Right only for the slot that won the last tournament: every match on its
  // path was against the loser stored there.
  const Key* keys = keys_.data();
  uint32_t* losers = losers_.data();
  uint32_t winner = slot;
  for (size_t node = (slot + keys_.size()) / 2; node >= 1; node /= 2) {
    const uint32_t other = losers[node];
    // Branch-free: the earlier one goes on up, the other stays as the loser.
    const bool swap = before(keys[other], keys[winner]);
    losers[node] = swap ? winner : other;
    winner = swap ? other : winner;
  }
  losers[0] = winner;
}

void TraceReader::build() {
  const size_t slots = keys_.size();
  // Winners of the subtrees, bottom up: leaves at slots..2*slots-1.
  winners_.resize(2 * slots);
  for (size_t i = 0; i < slots; ++i) winners_[slots + i] = static_cast<uint32_t>(i);
  for (size_t node = slots - 1; node >= 1; --node) {
    const uint32_t left = winners_[2 * node], right = winners_[2 * node + 1];
    const bool right_first = before(keys_[right], keys_[left]);
    winners_[node] = right_first ? right : left;
    losers_[node] = right_first ? left : right;
  }
  losers_[0] = winners_[1];
}

void TraceReader::admit(FrameView& frame) {
  if (frame.events.empty()) return;
  // Once per frame, so scans of the slots cost nothing per event. A thread's
  // batch that starts no earlier than its previous one ends is queued behind
  // it: merged alone it would come after all of it anyway (equal times go by
  // file order), so the order is the same and the tournament stays small.
  const size_t slots = keys_.size();
  if (frame.thread != 0) {
    for (size_t s = 0; s < slots; ++s) {
      Cursor& cursor = cursors_[s];
      if (keys_[s].ts == kFreeTs || cursor.thread != frame.thread) continue;
      if (frame.events.front().ts_ns < cursor.last_ns) break;
      cursor.last_ns = frame.events.back().ts_ns;
      cursor.queued.emplace_back(std::move(frame.events), frame.offset);
      return;
    }
  }
  if (active_ == slots) {
    const size_t grown = slots == 0 ? 8 : slots * 2;  // a power of two
    cursors_.resize(grown);
    keys_.resize(grown, Key{kFreeTs, UINT64_MAX});
    losers_.resize(grown);
  }
  uint32_t slot = 0;
  while (keys_[slot].ts != kFreeTs) ++slot;
  Cursor& cursor = cursors_[slot];
  cursor.events = std::move(frame.events);
  cursor.pos = 0;
  cursor.thread = frame.thread;
  cursor.last_ns = cursor.events.back().ts_ns;
  keys_[slot] = {cursor.events.front().ts_ns, frame.offset};
  ++active_;
  // (Replaying one path is right only for the slot that won: play it all.)
  build();
}

bool TraceReader::refill() {
  while (true) {
    auto frame = frames_.next();
    if (!frame) {
      eof_ = true;
      return false;
    }
    switch (frame->type) {
      case FrameType::kStrings:
        for (auto& entry : frame->strings) strings_[entry.id] = std::move(entry.text);
        break;
      case FrameType::kEventBatch:
        admit(*frame);
        watermark_ns_ = std::max(watermark_ns_, frame->watermark_ns);
        batch_seen_ = true;
        return true;
      case FrameType::kSnapshot:
        // Only the first snapshot describes state the events do not: later ones
        // repeat what replaying the events already established.
        if (!batch_seen_ && !snapshot_taken_) {
          snapshot_taken_ = true;
          frames_.status().snapshot_events += frame->events.size();
          admit(*frame);
        }
        break;
      case FrameType::kHeader:
      case FrameType::kFooter:
        break;
    }
  }
}

bool TraceReader::resume() {
  if (!frames_.refresh()) return false;
  eof_ = false;
  return true;
}

bool TraceReader::next(Event& out) {
  // Past the watermark an event may still be preceded by one in a later frame:
  // it waits for more frames, or for the end of the file (when not following).
  while (active_ == 0 || keys_[losers_[0]].ts >= watermark_ns_) {
    if (eof_) {
      if (following_ || active_ == 0) return false;
      break;
    }
    refill();
  }
  const uint32_t slot = losers_[0];
  Cursor& cursor = cursors_[slot];
  out = cursor.events[cursor.pos];
  if (++cursor.pos == cursor.events.size()) {
    frames_.recycle(std::move(cursor.events));
    cursor.events = {};
    cursor.pos = 0;
    if (!cursor.queued.empty()) {
      cursor.events = std::move(cursor.queued.front().first);
      keys_[slot] = {cursor.events.front().ts_ns, cursor.queued.front().second};
      cursor.queued.pop_front();
    } else {
      keys_[slot] = {kFreeTs, UINT64_MAX};
      --active_;
    }
  } else {
    keys_[slot].ts = cursor.events[cursor.pos].ts_ns;
  }
  replay(slot);

  auto& status = frames_.status();
  if (out.ts_ns < last_ns_) {
    // Recorded after its window closed (a producer preempted between taking its
    // timestamp and publishing): keep it, in order, and say so.
    out.ts_ns = last_ns_;
    out.flags |= kFlagLate;
    ++status.late_events;
  }
  if (status.events == 0 && !(out.flags & kFlagSnapshot)) status.first_ns = out.ts_ns;
  last_ns_ = out.ts_ns;
  status.last_ns = out.ts_ns;
  if (!(out.flags & kFlagSnapshot)) ++status.events;
  if (out.kind == EventKind::kDropped) status.dropped_events += out.a;
  return true;
}

}  // namespace taskscope::format
