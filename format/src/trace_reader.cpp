// TraceReader: a k-way merge of per-thread batches, released up to the latest
// watermark. Each batch frame promises that no later frame holds an earlier event
// than its watermark, so everything below it can be emitted in order while later
// frames are still unread: memory is bounded by the events of one merge window.
#include <algorithm>

#include "taskscope/format/reader.hpp"

namespace taskscope::format {
namespace {

template <typename Entry>
bool before(const Entry& x, const Entry& y) {
  return x.ts != y.ts ? x.ts < y.ts : x.sequence < y.sequence;
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

void TraceReader::sift_up(size_t i) {
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (!before(heap_[i], heap_[parent])) break;
    std::swap(heap_[i], heap_[parent]);
    i = parent;
  }
}

void TraceReader::sift_down(size_t i) {
  // Moves a hole down instead of swapping: one copy per level.
  const size_t n = heap_.size();
  const HeapEntry moving = heap_[i];
  while (true) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], moving)) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = moving;
}

void TraceReader::admit(FrameView& frame) {
  if (frame.events.empty()) return;
  uint32_t slot;
  if (!free_cursors_.empty()) {
    slot = free_cursors_.back();
    free_cursors_.pop_back();
  } else {
    slot = static_cast<uint32_t>(cursors_.size());
    cursors_.emplace_back();
  }
  cursors_[slot].events = std::move(frame.events);
  cursors_[slot].pos = 0;
  heap_.push_back({cursors_[slot].events.front().ts_ns, frame.offset, slot});
  sift_up(heap_.size() - 1);
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
  while (heap_.empty() || heap_.front().ts >= watermark_ns_) {
    if (eof_) {
      if (following_ || heap_.empty()) return false;
      break;
    }
    refill();
  }
  HeapEntry& top = heap_.front();
  Cursor& cursor = cursors_[top.cursor];
  out = cursor.events[cursor.pos];
  if (++cursor.pos == cursor.events.size()) {
    frames_.recycle(std::move(cursor.events));
    cursor.events = {};
    free_cursors_.push_back(top.cursor);
    heap_.front() = heap_.back();
    heap_.pop_back();
  } else {
    top.ts = cursor.events[cursor.pos].ts_ns;
  }
  if (!heap_.empty()) sift_down(0);

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
